"""The timezone and locale saved in Settings apply at once, without a restart: amounts and
dates are written and read in the new locale, and "today" / overdue follow the new timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from invoice_crm.db import read_session, write_session
from invoice_crm.domain import lifecycle, numbers
from invoice_crm.models import BusinessSettings, Invoice
from invoice_crm.services import business_settings as biz
from invoice_crm.services import invoices, queries
from invoice_crm.services.public_view import public_invoice
from tests.integration.helpers import make_client, make_invoice

DEFAULTS = {"currency": "USD", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14"}


class _Clock(datetime):
    """datetime whose now() is a fixed instant: 23:30 UTC on 10 March 2026."""

    instant = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.instant if tz is None else cls.instant.astimezone(tz)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(lifecycle, "datetime", _Clock)
    return _Clock


def test_a_new_locale_shows_and_reads_amounts_at_once(database):
    inv = invoices.send_invoice(make_invoice(lines=[{"description": "Design", "quantity": "1", "unit_price": "1234.50"}]).id)
    assert public_invoice(inv.public_token)["total"] == "$1,234.50"
    assert biz.business_locale() == "en_US"  # nothing saved: the environment's

    biz.save_invoice_defaults({**DEFAULTS, "locale": "de_DE", "timezone": "UTC"})

    view = public_invoice(inv.public_token)  # no restart, no cache to clear by hand
    assert view["total"] == "1.234,50\u00a0$"
    assert view["due_date"] == f"{inv.due_date:%d.%m.%Y}"
    # Typed amounts are read in the new locale too: 1,5 x 1.000,00 = 1500.
    draft = make_invoice(make_client("Zweite GmbH", "z@example.com").id,
                         lines=[{"description": "Beratung", "quantity": "1,5", "unit_price": "1.000,00"}])
    sent = invoices.send_invoice(draft.id)
    assert public_invoice(sent.public_token)["total"] == "1.500,00\u00a0$"

    biz.save_invoice_defaults({**DEFAULTS, "locale": "en_US", "timezone": "UTC"})
    assert public_invoice(sent.public_token)["total"] == "$1,500.00"


def test_an_unsupported_locale_is_refused_beside_the_field(database):
    with pytest.raises(biz.SettingsErrors) as caught:
        biz.save_invoice_defaults({**DEFAULTS, "locale": "xx_YY", "timezone": "UTC"})
    assert "locale" in caught.value.errors
    assert biz.business_locale() == "en_US"


def test_today_and_overdue_follow_the_saved_timezone(database, clock):
    # 23:30 UTC on 10 March is already 11 March in Auckland (UTC+13).
    inv = invoices.send_invoice(make_invoice(issue=date(2026, 2, 24), due=date(2026, 3, 10)).id)
    assert lifecycle.business_today(biz.business_timezone()) == date(2026, 3, 10)
    assert invoices.sweep_overdue() == 0  # due today: not overdue yet
    assert queries.dashboard_summary()["overdue_count"] == 0

    biz.save_invoice_defaults({**DEFAULTS, "locale": "en_US", "timezone": "Pacific/Auckland"})

    assert biz.business_timezone() == "Pacific/Auckland"
    assert lifecycle.business_today(biz.business_timezone()) == date(2026, 3, 11)
    assert public_invoice(inv.public_token)["countdown"] == "1 day overdue"
    assert invoices.sweep_overdue() == 1
    assert queries.dashboard_summary()["overdue_count"] == 1
    with read_session() as session:
        assert session.get(Invoice, inv.id).status == "OVERDUE"


def test_another_process_save_is_followed_within_the_cache_time(database, monkeypatch):
    """A save in another process (a web worker) reaches this one (the background worker)
    within CACHE_SECONDS: the row is written here behind this process's cache."""
    biz.save_invoice_defaults({**DEFAULTS, "locale": "en_US", "timezone": "UTC"})
    now = [1000.0]
    monkeypatch.setattr(biz, "_clock", lambda: now[0])  # this cache's clock only
    biz.forget_cached()
    assert biz.business_locale() == "en_US"  # read and cached at t=1000
    with write_session() as session:
        row = session.get(BusinessSettings, biz.ROW_ID)
        row.locale, row.timezone = "fr_FR", "Europe/Paris"
    now[0] += 1
    assert biz.business_locale() == "en_US"  # still cached
    now[0] += biz.CACHE_SECONDS
    assert (biz.business_locale(), biz.business_timezone()) == ("fr_FR", "Europe/Paris")
    assert numbers.format_currency(Decimal("1234.5"), "EUR") == "1\u202f234,50\u00a0€"


def test_a_new_default_currency_is_the_dashboards_at_once(database):
    """The dashboard's chart plots the currency saved in Settings, without a restart."""
    assert queries.dashboard_summary()["chart_currency"] == "USD"  # nothing saved: CURRENCY
    biz.save_invoice_defaults({**DEFAULTS, "currency": "EUR", "locale": "en_US", "timezone": "UTC"})
    assert biz.business_currency() == "EUR"
    assert queries.dashboard_summary()["chart_currency"] == "EUR"
