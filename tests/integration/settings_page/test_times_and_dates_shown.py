"""Times and dates people read follow the saved timezone and locale: the invoice page's Sent and
Viewed facts and its Activity list on the business's clock (not ISO UTC), the reports' dates and
months in the locale (their CSV stays ISO)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from invoice_crm.db import read_session
from invoice_crm.models import EmailMessage, Invoice
from invoice_crm.services import (
    auth,
    delivery,
    invoices,
    ledger,
    public_view,
    reminder_schedules,
    reminder_timeline,
    report_files,
    reports,
)
from invoice_crm.services import business_settings as biz
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import make_client, make_invoice
from tests.integration.owner_events import invoice_page
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


def test_the_invoice_page_shows_times_on_the_business_clock(app):
    biz.save_invoice_defaults(GERMAN)
    today = date.today()
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES, due=today + timedelta(days=20)).id)
    first = datetime(2026, 11, 26, 19, 32, tzinfo=UTC)
    assert public_view.record_view(inv.public_token, first)
    assert public_view.record_view(inv.public_token, first + timedelta(hours=3))
    with read_session() as session:
        sent_at = session.get(Invoice, inv.id).sent_at

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, inv.id)
            assert runner.server_errors == []
            return dict(page.invoice), [dict(e) for e in page.events]

    shown, events = run(scenario())
    assert shown["sent_at"] == _german_clock(sent_at)
    assert shown["viewed"] == "Viewed 2 times: first 26.11.2026, 20:32, last 26.11.2026, 23:32"
    assert events and all(not ISO_TIME.search(e["when"]) for e in events)
    sent = next(e for e in events if e["label"] == "Sent")
    # The stored text of a new event writes its due date in the locale too.
    assert sent["details"].endswith(f"due {inv.due_date:%d.%m.%Y}")


def test_one_timeline_reads_in_one_format_after_the_locale_changes(app):
    """QA: Activity lines were stored as text, so after a locale change the timeline mixed
    "$50.00 on Oct 30, 2025" with "50,00 € am 30.10.2025". Its amounts, dates and moments are
    kept as values and written as the page is read."""
    american = {**GERMAN, "locale": "en_US", "timezone": "America/New_York"}
    biz.save_invoice_defaults(american)
    inv = make_invoice(make_client().id, lines=[{**LINES[0], "unit_price": "100.00"}],
                       issue=date(2025, 10, 1), due=date(2025, 10, 31))
    invoices.send_invoice(inv.id)
    ledger.record_payment(inv.id, "50.00", "2025-10-30", "BANK_TRANSFER", "")
    biz.save_invoice_defaults(GERMAN)
    ledger.record_payment(inv.id, "25,50", "2025-11-02", "BANK_TRANSFER", "")

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, inv.id)
            assert runner.server_errors == []
            return [e["details"] for e in page.events]

    said = run(scenario())
    # Written under en_US (the send, the first payment) and under de_DE (the second): all read now.
    assert said[:2] == [
        "Payment of 25,50\xa0€ on 02.11.2025, bank transfer; balance due 124,50\xa0€",
        "Payment of 50,00\xa0€ on 30.10.2025, bank transfer; balance due 150,00\xa0€",
    ], said
    assert said[2].startswith("Sent as INV-") and said[2].endswith(", 200,00\xa0€ due 31.10.2025"), said
    every = " ".join(said)
    assert "$" not in every and "Oct" not in every and "2025-10" not in every and "\x1f" not in every, every


def test_email_rows_show_times_on_the_business_clock(database):
    biz.save_invoice_defaults(GERMAN)
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES).id)
    message = EmailMessage(invoice_id=inv.id, kind="invoice", recipient="a@b.example", subject="S", body="B",
                           created_at=datetime(2026, 11, 26, 23, 30, tzinfo=UTC))
    [row] = delivery.email_rows([message])
    assert row["queued_at"] == "27.11.2026, 00:30"  # already the next day in Berlin


def test_reminder_steps_say_when_they_go_out_on_the_business_clock(database):
    biz.save_invoice_defaults(GERMAN)
    reminder_schedules.save_default_schedule(True, "9", [{"offset_days": "0", "enabled": True}])
    due = date.today() + timedelta(days=20)
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES, due=due).id)
    rows = reminder_timeline.invoice_reminders(inv.id)["rows"]
    assert [r["date"] for r in rows] == [f"{due:%d.%m.%Y}, 09:00"]  # 9:00 in Berlin, de_DE's short time


def test_reports_read_dates_and_months_in_the_business_locale(database):
    biz.save_invoice_defaults(GERMAN)
    issued = date(2025, 3, 10)
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=LINES, issue=issued, due=issued + timedelta(days=14)).id)
    assert inv.amount > 0
    as_of, start, end = date(2025, 3, 31), date(2025, 3, 1), date(2025, 4, 30)

    ageing = reports.ageing(as_of)
    assert ageing.period == "As of 31.03.2025"
    assert "As of 31.03.2025" in pdf_text(report_files.pdf_bytes(ageing))

    revenue = reports.revenue(start, end)
    assert revenue.period == "01.03.2025 to 30.04.2025"
    assert [str(row[0]) for row in revenue.rows] == ["2025-03"]
    assert reports.cell_text(revenue.rows[0][0], "USD") == "März 2025"
    assert reports.cell_text(reports.Month(2026, 11), "EUR") == "Nov. 2026"
    text = pdf_text(report_files.pdf_bytes(revenue))
    assert "01.03.2025 to 30.04.2025" in text and "März 2025" in text and "2025-03" not in text
    # The CSV is for machines: the month stays 2025-03, money plain.
    assert "\r\n2025-03,EUR,200.00," in report_files.csv_bytes(revenue).decode("utf-8-sig")  # Settings: EUR

    assert reports.tax_report(start, end).period == "01.03.2025 to 30.04.2025"


def test_the_reports_page_says_its_dates_in_the_business_locale(database):
    from invoice_crm.invoice_crm import app
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.reports import ReportsState

    biz.save_invoice_defaults(GERMAN)
    auth.create_user(OWNER, PASSWORD)
    issued = date.today().replace(day=1)
    invoices.send_invoice(make_invoice(make_client().id, lines=LINES, issue=issued, due=issued + timedelta(days=14)).id)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            await runner.send("t", ReportsState.on_load, "/reports")
            page = await runner.state("t", ReportsState)
            assert runner.server_errors == []
            return page.as_of, page.as_of_text, page.start_text, page.end_text, [list(r) for r in page.revenue_rows]

    as_of, as_of_text, start_text, end_text, rows = run(scenario())
    today = date.fromisoformat(as_of)  # the inputs keep ISO
    assert (as_of_text, start_text, end_text) == (
        f"{today:%d.%m.%Y}", f"{issued:%d.%m.%Y}", f"{today:%d.%m.%Y}"
    )
    assert len(rows) == 1 and not re.match(r"\d{4}-\d{2}", rows[0][0]) and str(today.year) in rows[0][0]
