"""Settings → Invoices refuses a number format beyond the documented placeholders, beside the
field, and nothing is saved (QA: ``{seq.__class__}-{year}-{seq:070d}`` was saved and the next
invoice sent was numbered ``<class 'int'>-2026-000…0019``, 89 characters)."""

from __future__ import annotations

import pytest

from invoice_crm.services import business_settings as biz
from invoice_crm.services import invoices
from tests.integration.helpers import make_client, make_invoice
from tests.integration.owner_events import signed_in
from tests.support.events import EventRunner, form, run

DEFAULTS = {"currency": "USD", "payment_terms_days": "14", "locale": "en_US", "timezone": "UTC"}


@pytest.mark.parametrize("fmt, said", [
    ("{seq.__class__}-{year}-{seq:070d}", "may use only"),
    ("{seq[0]}-{year}", "may use only"),
    ("{seq:0999999999d}", "may use only"),
    ("INV-{year}-{seq:020d}", "at most 12 digits"),
    ("INVOICE-" * 8 + "{seq}", "too long"),
])
def test_a_format_beyond_the_placeholders_is_refused_beside_the_field(app, fmt, said):
    from invoice_crm.state.settings import SettingsState

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.on_load, "/settings")
            await runner.send(tab, SettingsState.preview_number, "/settings", fmt=fmt)
            await runner.send(tab, SettingsState.save_defaults, "/settings", form=form(number_format=fmt, **DEFAULTS))
            shown = await runner.state(tab, SettingsState)
            assert runner.server_errors == []
            return shown.errors

    errors = run(scenario())
    assert said in errors["number_format"] and "The number format" in errors["number_format"]
    assert said in errors["preview"]
    assert biz.current_business().number_format == "INV-{year}-{seq:04d}"
    number = invoices.send_invoice(make_invoice(make_client().id).id).number
    assert number.startswith("INV-") and len(number) == len("INV-2026-0001")
