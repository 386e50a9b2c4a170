""""Today" is the business's day in the timezone saved in Settings, not the environment's
BUSINESS_TIMEZONE (UTC here): for recurring invoices (the form's start date, issuing at once and
by the worker, resuming), the dashboard's "Expected in 30 days" and imports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.domain import lifecycle
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import Invoice
from invoice_crm.services import business_settings as biz
from invoice_crm.services import expected_pay, imports, recurring
from tests.integration.helpers import make_client
from tests.integration.owner_events import signed_in
from tests.integration.test_recurring_form import profile_form
from tests.support.events import EventRunner, run

DEFAULTS = {"currency": "USD", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14", "locale": "en_US"}
LINES = [{"description": "Hosting", "quantity": "1", "unit_price": "100"}]
# 13:13 UTC on 27 November: already 28 November in Kiritimati (UTC+14), 27 November in Etc/GMT+12 (UTC-12).
QA_MOMENT = datetime(2026, 11, 27, 13, 13, tzinfo=UTC)


class _Clock(datetime):
    instant = QA_MOMENT

    @classmethod
    def now(cls, tz=None):
        return cls.instant if tz is None else cls.instant.astimezone(tz)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(lifecycle, "datetime", _Clock)
    monkeypatch.setattr(_Clock, "instant", QA_MOMENT)
    return _Clock


def _use_timezone(name: str) -> None:
    biz.save_invoice_defaults({**DEFAULTS, "timezone": name})


def _issue_dates(client_id: int) -> list[date]:
    with read_session() as s:
        return list(s.execute(select(Invoice.issue_date).where(Invoice.client_id == client_id)).scalars())


def test_the_recurring_form_starts_on_the_business_day_and_a_profile_starting_then_issues_at_once(app, clock):
    from invoice_crm.state.recurring import RecurringFormState

    _use_timezone("Pacific/Kiritimati")
    client = make_client("Nimbus Analytics", "ap@nimbus.example")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, RecurringFormState.load_new, "/recurring/new")
            assert (await runner.state(tab, RecurringFormState)).values["start_date"] == "2026-11-28"
            await runner.send(tab, RecurringFormState.save, "/recurring/new", form=profile_form(**{
                "client_id": str(client.id), "frequency": "weekly", "start_date": "2026-11-28",
            }))
            assert runner.server_errors == []

    run(scenario())
    assert _issue_dates(client.id) == [date(2026, 11, 28)]  # "a profile starting today shows its first invoice at once"


def test_the_worker_issues_on_the_business_day_not_the_servers(database, clock):
    from invoice_crm import tasks

    _use_timezone("Etc/GMT+12")  # behind UTC: 05:00 UTC on 28 November is still the 27th there
    client = make_client()
    clock.instant = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    recurring.save_profile(recurring.ProfileInput(client_id=client.id, start_date=date(2026, 11, 28), lines=LINES))
    tasks.recurring_step()
    assert _issue_dates(client.id) == []
    clock.instant = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # midnight of the 28th there
    tasks.recurring_step()
    assert _issue_dates(client.id) == [date(2026, 11, 28)]


def test_a_resumed_profile_skips_up_to_the_business_day(database, clock):
    _use_timezone("Pacific/Kiritimati")
    client = make_client()
    profile = recurring.save_profile(
        recurring.ProfileInput(client_id=client.id, start_date=date(2026, 11, 1), lines=LINES, frequency="weekly"),
        today=date(2026, 11, 1),
    )
    recurring.pause_profile(profile.id)
    resumed = recurring.resume_profile(profile.id)
    assert resumed.not_before == date(2026, 11, 28)
    assert recurring.today_here() == date(2026, 11, 28)


def test_expected_in_30_days_counts_from_the_business_day(app, clock, monkeypatch):
    from invoice_crm.state.expected_cash import ExpectedCashState

    _use_timezone("Pacific/Kiritimati")
    asked: list[date] = []
    monkeypatch.setattr(expected_pay, "cash_in_text", lambda today, days=30: asked.append(today) or "")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ExpectedCashState.load, "/")

    run(scenario())
    assert asked == [date(2026, 11, 28)]


def _invoice_csv(number: str, issue: date, due: date) -> bytes:
    header = ("Invoice number,Client name,Client email,Issue date,Due date,Currency,Description,Quantity,"
              "Unit price,Tax name,Tax rate (%),Payment amount,Payment date,Payment method,Payment reference")
    row = f"{number},Ada Lovelace,ada@example.com,{issue.isoformat()},{due.isoformat()},USD,Work,1,100.00,,,,,,"
    return f"{header}\n{row}".encode()


def test_imports_judge_future_and_overdue_by_the_business_day(database, clock):
    _use_timezone("Pacific/Kiritimati")
    # Issued on the business's today (the 28th, still the 27th in UTC): a past invoice, imported.
    today_csv = _invoice_csv("OLD-1", date(2026, 11, 28), date(2026, 12, 28))
    # Due on the 27th: yesterday for the business, so overdue once imported.
    due_csv = _invoice_csv("OLD-2", date(2026, 10, 28), date(2026, 11, 27))
    for content in (today_csv, due_csv):
        imports.run_import("invoices", content, imports.read("invoices", content)[1], only_valid=False)
    with read_session() as s:
        statuses = dict(s.execute(select(Invoice.number, Invoice.status)).all())
    assert statuses == {"OLD-1": "SENT", "OLD-2": "OVERDUE"}

    _use_timezone("Etc/GMT+12")  # the 27th there: an invoice of the 28th is in the future
    future = _invoice_csv("OLD-3", date(2026, 11, 28), date(2026, 12, 28))
    with pytest.raises(ValidationError):
        imports.run_import("invoices", future, imports.read("invoices", future)[1], only_valid=False)
