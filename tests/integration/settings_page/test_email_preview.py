"""Settings -> Email's live preview shows what is sent: a template filled with sample values, and
for an empty subject or message, the built-in text (an empty field sends the built-in text,
never a blank email), marked as such; never a blank preview."""

from __future__ import annotations

from invoice_crm.services import auth, delivery
from invoice_crm.services import business_settings as biz
from tests.integration.helpers import make_client, make_invoice
from tests.support.events import EventRunner, form, run

OWNER, PASSWORD = "owner@example.com", "correct horse"
TEMPLATES = ("invoice_subject", "invoice_body", "reminder_subject", "reminder_body", "receipt_subject", "receipt_body")


def test_an_empty_template_previews_the_built_in_text_that_is_sent(database):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.settings import SettingsState

    auth.create_user(OWNER, PASSWORD)
    biz.save_profile({"business_name": "Northwind Studio"})
    biz.save_email({"invoice_subject": "", "invoice_body": "  "})  # saved: empty means the built-in text
    inv = make_invoice(make_client("Acme Ltd", "billing@acme.example").id)
    sent = delivery.compose_invoice_email(inv.id)
    assert sent.subject == f"Invoice {delivery.preview_number(inv.id)} from Northwind Studio"

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", SettingsState.on_load, "/settings")
            page = await runner.state("t", SettingsState)
            loaded = dict(page.template_previews), dict(page.template_built_in)
            await runner.send("t", SettingsState.preview_template, "/settings", name="invoice_subject", text="Pay {number}")
            typed = page.template_previews["invoice_subject"], page.template_built_in["invoice_subject"]
            await runner.send("t", SettingsState.preview_template, "/settings", name="invoice_subject", text=" ")
            emptied = page.template_previews["invoice_subject"], page.template_built_in["invoice_subject"]
            assert runner.server_errors == []
            return loaded, typed, emptied

    (previews, built_in), typed, emptied = run(scenario())
    assert all(previews[name].strip() for name in TEMPLATES), previews
    assert all(built_in[name] for name in TEMPLATES), built_in
    # The same built-in text as the email above, with the sample invoice's values.
    assert previews["invoice_subject"] == "Invoice INV-2026-0042 from Northwind Studio"
    assert previews["invoice_body"].startswith("Hello Acme Ltd,\n\nPlease find attached invoice INV-2026-0042 for $1,250.00")
    assert previews["invoice_body"].split("\n\n")[0] == sent.body.split("\n\n")[0] == "Hello Acme Ltd,"
    assert "https://example.com/pay/" in previews["invoice_body"]
    assert previews["reminder_subject"] == "Reminder: invoice INV-2026-0042 ($1,250.00) is due in 3 days"
    assert previews["receipt_subject"] == "Receipt for invoice INV-2026-0042"
    assert "received on 10 March 2026. The invoice is now paid in full." in previews["receipt_body"]
    assert typed == ("Pay INV-2026-0042", False)
    assert emptied == ("Invoice INV-2026-0042 from Northwind Studio", True)


def test_a_preview_is_signed_and_written_in_the_business_currency_and_locale_as_the_email_is(database):
    """A message previews as it goes out: the business's signature below it (built-in text or
    the owner's), and the sample amount and its figures in the default currency and locale."""
    from invoice_crm.services import email_previews

    inv = make_invoice(make_client("Acme GmbH", "billing@acme.example").id)  # its prices typed as en_US reads them
    biz.save_profile({"business_name": "Nordwind Atelier", "address": "Hafenstraße 1\n20457 Hamburg", "country": "DE"})
    biz.save_invoice_defaults({"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
                               "locale": "de_DE", "timezone": "Europe/Berlin"})
    biz.save_email({"invoice_body": "Guten Tag {client_name}, bitte zahlen Sie {amount}."})
    sent = delivery.compose_invoice_email(inv.id)
    sign = biz.signature(biz.current_business())
    assert sign and sent.body.endswith(sign)

    own = email_previews.preview_field("invoice_body", "Guten Tag {client_name}, bitte zahlen Sie {amount}.")
    assert own.text == f"Guten Tag Acme Ltd, bitte zahlen Sie 1.250,00\xa0€.\n\n{sign}"
    built_in = email_previews.preview_field("reminder_body", "")
    assert built_in.built_in and built_in.text.endswith(sign)
    assert "Gesamt" not in built_in.text and "Total: 1.250,00\xa0€" in built_in.text
    assert email_previews.preview_field("reminder_subject", "").text == "Reminder: invoice INV-2026-0042 (1.250,00\xa0€) is due in 3 days"
    assert email_previews.preview_field("invoice_subject", "Rechnung {number}").text == "Rechnung INV-2026-0042"  # unsigned
