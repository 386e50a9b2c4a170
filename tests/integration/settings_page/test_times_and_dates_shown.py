"""Times and dates people read follow the saved timezone and locale: the invoice page's Sent and
Viewed facts and its Activity list on the business's clock (not ISO UTC)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from invoice_crm.db import read_session
from invoice_crm.models import EmailMessage, Invoice, InvoiceEvent
from invoice_crm.services import auth, delivery, invoices, ledger, public_view
from invoice_crm.services import business_settings as biz
from tests.integration.helpers import make_client, make_invoice
from tests.support.events import EventRunner, form, run

OWNER, PASSWORD = "owner@example.com", "correct horse"
BERLIN = "Europe/Berlin"
GERMAN = {"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
          "locale": "de_DE", "timezone": BERLIN}
LINES = [{"description": "Beratung", "quantity": "2", "unit_price": "100,00"}]
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}|UTC")


def _german_clock(moment: datetime) -> str:
    """26.11.2026, 20:32: de_DE's medium date and short time, worked out without Babel."""
    return f"{moment.astimezone(ZoneInfo(BERLIN)):%d.%m.%Y, %H:%M}"


def test_the_invoice_page_shows_times_on_the_business_clock(database):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.invoice_page import InvoicePageState

    biz.save_invoice_defaults(GERMAN)
    auth.create_user(OWNER, PASSWORD)
    today = date.today()
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES, due=today + timedelta(days=20)).id)
    first = datetime(2026, 11, 26, 19, 32, tzinfo=UTC)
    assert public_view.record_view(inv.public_token, first)
    assert public_view.record_view(inv.public_token, first + timedelta(hours=3))
    with read_session() as session:
        sent_at = session.get(Invoice, inv.id).sent_at

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", InvoicePageState.on_load, f"/invoices/{inv.id}")
            page = await runner.state("t", InvoicePageState)
            assert runner.server_errors == []
            return dict(page.invoice), [dict(e) for e in page.events]

    shown, events = run(scenario())
    assert shown["sent_at"] == _german_clock(sent_at)
    assert shown["viewed"] == "Viewed 2 times: first 26.11.2026, 20:32, last 26.11.2026, 23:32"
    assert events and all(not ISO_TIME.search(e["when"]) for e in events)
    sent = next(e for e in events if e["kind"] == "sent")
    # The stored text of a new event writes its due date in the locale too.
    assert sent["details"].endswith(f"due {inv.due_date:%d.%m.%Y}")


def test_new_activity_texts_write_dates_in_the_business_locale(database):
    biz.save_invoice_defaults(GERMAN)
    inv = make_invoice(make_client().id, lines=LINES, issue=date(2025, 10, 1), due=date(2025, 10, 31))
    invoices.send_invoice(inv.id)
    ledger.record_payment(inv.id, "50,00", "2025-10-30", "BANK_TRANSFER", "")
    with read_session() as session:
        details = [e.details for e in session.query(InvoiceEvent).filter_by(invoice_id=inv.id)]
    assert any(d.endswith("due 31.10.2025") for d in details), details
    assert any("on 30.10.2025" in d for d in details), details
    assert not any("2025-10-" in d for d in details), details


def test_email_rows_show_times_on_the_business_clock(database):
    biz.save_invoice_defaults(GERMAN)
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES).id)
    message = EmailMessage(invoice_id=inv.id, kind="invoice", recipient="a@b.example", subject="S", body="B",
                           created_at=datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    [row] = delivery.email_rows([message])
    assert row["queued_at"] == "27.11.2026, 00:30"  # already the next day in Berlin
