"""Recurring invoices on a real database (SQLite; PostgreSQL in `make test`'s second run),
with the clock in the test's hands: every call passes the business day it runs on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session, write_session
from invoice_crm.domain.errors import FieldErrors, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Client, Invoice, LineItem, RecurringProfile, RecurringRun
from invoice_crm.services import recurring, recurring_issue, recurring_views, tax_rates
from tests.integration.helpers import at_once, make_client

LINES = [{"description": "Retainer", "quantity": "1", "unit_price": "1000.00"}]


def _profile(client_id: int, start: date, **kw) -> RecurringProfile:
    data = recurring.ProfileInput(client_id=client_id, start_date=start, lines=kw.pop("lines", LINES), **kw)
    return recurring.save_profile(data, today=kw.get("today", start))


def _invoices() -> list[Invoice]:
    with read_session() as s:
        return list(s.execute(select(Invoice).order_by(Invoice.issue_date, Invoice.id)).scalars())


def _run_days(first: date, last: date) -> None:
    day = first
    while day <= last:
        recurring_issue.issue_due(day)
        day += timedelta(days=1)


def test_monthly_on_the_31st_over_a_year_issues_one_invoice_per_month_on_the_right_days(database):
    client = make_client()
    _profile(client.id, date(2027, 1, 31), frequency="monthly", day_of_month="31", payment_terms_days="14")
    issued_on: dict[date, date] = {}
    day = date(2027, 1, 1)
    while day <= date(2027, 12, 31):
        before = {i.id for i in _invoices()}
        recurring_issue.issue_due(day)
        for inv in _invoices():
            if inv.id not in before:
                issued_on[inv.issue_date] = day
        day += timedelta(days=1)
    expected = [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31),
        date(2027, 6, 30), date(2027, 7, 31), date(2027, 8, 31), date(2027, 9, 30), date(2027, 10, 31),
        date(2027, 11, 30), date(2027, 12, 31),
    ]
    invoices = _invoices()
    assert [i.issue_date for i in invoices] == expected
    # Each one issued on its own day (not early, not late), due 14 days later, as a draft.
    assert all(issued_on[d] == d for d in expected)
    assert all(i.due_date == i.issue_date + timedelta(days=14) for i in invoices)
    assert {i.status for i in invoices} == {InvoiceStatus.DRAFT}
    assert {i.amount for i in invoices} == {Decimal("1000.00")}
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(RecurringRun)).scalar_one() == 12
        profile = s.execute(select(RecurringProfile)).scalar_one()
    assert profile.issued_count == 12 and profile.next_issue_date == date(2028, 1, 31)


@pytest.mark.parametrize("catch_up", ["each", "latest"])
def test_after_three_months_of_downtime_missed_months_are_issued_once(database, catch_up):
    client = make_client()
    _profile(client.id, date(2027, 1, 15), catch_up=catch_up)
    recurring_issue.issue_due(date(2027, 1, 15))
    assert [i.issue_date for i in _invoices()] == [date(2027, 1, 15)]
    # Down from Jan 16 to May 1: Feb 15, Mar 15, Apr 15 were missed.
    back = date(2027, 5, 1)
    recurring_issue.issue_due(back)
    recurring_issue.issue_due(back)  # a second round (or a restart) the same day adds nothing
    _run_days(back, date(2027, 5, 20))
    dates = [i.issue_date for i in _invoices()]
    if catch_up == "each":
        assert dates == [date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15), date(2027, 5, 15)]
    else:
        assert dates == [date(2027, 1, 15), date(2027, 4, 15), date(2027, 5, 15)]
    # Late invoices still give the client the full terms from the day they were issued.
    late = next(i for i in _invoices() if i.issue_date == date(2027, 4, 15))
    assert late.due_date == back + timedelta(days=14)


def test_two_worker_loops_at_once_issue_nothing_twice(database):
    clients = [make_client(f"Client {n}", f"c{n}@example.com") for n in range(4)]
    for c in clients:
        _profile(c.id, date(2027, 1, 1), frequency="weekly")
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(0, 43, 3)]

    def worker():
        for day in days:
            recurring_issue.issue_due(day)

    at_once(worker, 2)
    invoices = _invoices()
    # Weekly from Jan 1 through Feb 12: 7 periods per profile, each issued exactly once.
    assert len(invoices) == 4 * 7
    assert len({(i.client_id, i.issue_date) for i in invoices}) == len(invoices)
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(LineItem)).scalar_one() == 4 * 7


def test_racing_issuers_of_one_profile_wait_on_its_lock_and_issue_once(database):
    """Past the leases (say a lease ran out mid-issue): many issuers of the same profile at
    once still give one invoice per period -- the row lock, then the unique key."""
    client = make_client()
    profile = _profile(client.id, date(2027, 1, 1), frequency="weekly")
    at_once(lambda: recurring_issue.issue_profile(profile.id, date(2027, 1, 29)), 4)
    assert [i.issue_date for i in _invoices()] == [date(2027, 1, d) for d in (1, 8, 15, 22, 29)]


def test_the_unique_key_refuses_a_second_run_for_a_period(database):
    client = make_client()
    profile = _profile(client.id, date(2027, 1, 1))
    recurring_issue.issue_due(date(2027, 1, 1))
    with pytest.raises(Exception), write_session() as s:  # noqa: B017 -- IntegrityError of any driver
        s.add(RecurringRun(profile_id=profile.id, period_start=date(2027, 1, 1)))
        s.flush()


def test_pause_resume_stop_and_edits_change_future_invoices_only(database):
    client = make_client()
    vat = tax_rates.create_tax_rate("VAT", "20")
    profile = _profile(client.id, date(2027, 1, 10))
    recurring_issue.issue_due(date(2027, 1, 10))
    recurring.pause_profile(profile.id)
    recurring_issue.issue_due(date(2027, 2, 10))  # paused: nothing
    assert len(_invoices()) == 1
    recurring.resume_profile(profile.id, today=date(2027, 2, 20))  # February fell in the pause
    assert recurring.get_profile(profile.id).next_issue_date == date(2027, 3, 10)
    current = recurring.get_profile(profile.id)
    recurring.save_profile(
        recurring.ProfileInput(
            client_id=client.id, start_date=date(2027, 1, 10),
            lines=[{"description": "Retainer", "quantity": "1", "unit_price": "1200.00", "tax_ids": [vat.id]}],
        ),
        profile_id=profile.id, today=date(2027, 2, 25), expected_version=current.version,
    )
    recurring_issue.issue_due(date(2027, 3, 10))
    first, march = _invoices()
    assert first.amount == Decimal("1000.00")  # issued before the edit: unchanged
    assert march.amount == Decimal("1440.00") and march.tax_total == Decimal("240.00")
    recurring.stop_profile(profile.id)
    _run_days(date(2027, 3, 11), date(2027, 5, 1))
    assert len(_invoices()) == 2
    with pytest.raises(ValidationError):
        recurring.resume_profile(profile.id, today=date(2027, 5, 1))


def test_number_of_invoices_and_end_date_end_the_schedule(database):
    client = make_client()
    counted = _profile(client.id, date(2027, 1, 1), frequency="quarterly", occurrences="2")
    ended = _profile(client.id, date(2027, 1, 1), frequency="yearly", end_date="2028-06-30")
    for day in (date(2027, 1, 1), date(2027, 4, 1), date(2027, 7, 1), date(2028, 1, 1), date(2029, 1, 1)):
        recurring_issue.issue_due(day)
    assert recurring_views.count_runs(counted.id) == 2
    assert recurring_views.count_runs(ended.id) == 2
    assert recurring.get_profile(counted.id).next_issue_date is None
    assert recurring_views.status_text(recurring.get_profile(ended.id)) == "Finished"


def test_a_profile_form_with_mistakes_names_each_field(database):
    client = make_client()
    cases = {
        "client_id": dict(client_id=None),
        "start_date": dict(start_date="soon"),
        "every": dict(every="0"),
        "day_of_month": dict(day_of_month="32"),
        "lines": dict(lines=[]),
        "end_date": dict(end_date="2026-01-01"),
    }
    for field_name, change in cases.items():
        values = dict(client_id=client.id, start_date="2027-01-01", lines=LINES) | change
        with pytest.raises(ValidationError) as err:
            recurring.save_profile(recurring.ProfileInput(**values), today=date(2027, 1, 1))
        assert err.value.field == field_name


def test_the_same_form_saved_twice_makes_one_profile(database):
    client = make_client()
    key = "k" * 32
    data = recurring.ProfileInput(client_id=client.id, start_date="2027-01-01", lines=LINES)
    a = recurring.save_profile(data, today=date(2027, 1, 1), idempotency_key=key)
    b = recurring.save_profile(data, today=date(2027, 1, 1), idempotency_key=key)
    assert a.id == b.id and len(recurring_views.list_profiles()) == 1


def test_a_client_with_a_recurring_profile_is_not_deleted_under_it(database):
    from invoice_crm.services import client_accounts, demo

    client = make_client()
    _profile(client.id, date(2030, 1, 1))  # nothing issued yet: the client has no invoices
    with pytest.raises(ValidationError):
        client_accounts.delete_client(client.id)
    # A real profile made for a sample client keeps that client when the sample data goes.
    demo.load_demo_data()
    with read_session() as s:
        sample = s.execute(select(Client).where(Client.is_sample.is_(True)).limit(1)).scalar_one()
    _profile(sample.id, date(2030, 1, 1))
    demo.remove_sample_data()
    assert [p["client"] for p in recurring_views.list_profiles()] == ["Acme", sample.name]


def test_the_worker_loops_step_issues_what_is_due_today(database):
    from invoice_crm import tasks

    client = make_client()
    today = recurring.today_here()
    recurring.save_profile(recurring.ProfileInput(client_id=client.id, start_date=today, lines=LINES), today=today)
    tasks.recurring_step()
    tasks.recurring_step()
    assert [i.issue_date for i in _invoices()] == [today]
    assert recurring.get_profile(1).next_issue_date > today


def test_editing_in_the_form_keeps_what_the_form_does_not_show(database):
    """A profile with a second tax per line, an amount discount and an invoice discount, edited
    through the form's own events (which show one tax and percent discounts): after the save,
    the hidden parts are still there and the next invoice's total counts them."""
    from invoice_crm.invoice_crm import app
    from invoice_crm.services import auth
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.recurring import RecurringFormState
    from tests.support.events import EventRunner, form, run

    auth.create_user("owner@example.com", "correct horse")
    client = make_client()
    vat, levy = tax_rates.create_tax_rate("VAT", "20"), tax_rates.create_tax_rate("Levy", "5")
    start = recurring.today_here() + timedelta(days=40)
    profile = _profile(
        client.id, start,
        lines=[
            {"description": "Retainer", "quantity": "1", "unit_price": "1000.00", "tax_ids": [vat.id, levy.id]},
            {"description": "Hosting", "quantity": "1", "unit_price": "100.00",
             "discount_kind": "amount", "discount_value": "10.00"},
        ],
        discount_kind="amount", discount_value="50.00",
    )
    path = f"/recurring/{profile.id}/edit"

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email="owner@example.com", password="correct horse"))
            await runner.send("t", RecurringFormState.load_edit, path)
            shown = await runner.state("t", RecurringFormState)
            assert shown.keeps_hidden
            fields = {f"line-{i}-{k}": line[k] for i, line in enumerate(shown.lines)
                      for k in ("description", "quantity", "unit_price", "tax", "discount")}
            fields["line-0-description"] = "Monthly retainer"  # the one change made in the form
            await runner.send("t", RecurringFormState.save, path, form=form(
                client_id=shown.client_id, **shown.values, **fields))
            assert runner.server_errors == []

    run(scenario())
    saved = recurring.get_profile(profile.id)
    lines = recurring.profile_lines(saved)
    assert lines[0]["description"] == "Monthly retainer"
    assert [int(t) for t in lines[0]["tax_ids"]] == [vat.id, levy.id]
    assert (lines[1]["discount_kind"], Decimal(lines[1]["discount_value"])) == ("amount", Decimal("10.00"))
    assert (saved.discount_kind, saved.discount_value) == ("amount", Decimal("50.00"))


def test_changing_the_day_of_the_month_does_not_bill_the_same_month_twice(database):
    client = make_client()
    today = date(2026, 11, 26)
    profile = _profile(client.id, today)
    recurring_issue.issue_due(today)
    assert [i.issue_date for i in _invoices()] == [today]
    changed = recurring.save_profile(
        recurring.ProfileInput(client_id=client.id, start_date=today, lines=LINES, day_of_month="27"),
        profile_id=profile.id, today=today, expected_version=recurring.get_profile(profile.id).version,
    )
    assert changed.next_issue_date == date(2026, 12, 27)
    _run_days(today, date(2027, 1, 31))
    assert [i.issue_date for i in _invoices()] == [today, date(2026, 12, 27), date(2027, 1, 27)]


def test_every_refused_field_of_the_profile_form_is_named_at_once(database):
    data = recurring.ProfileInput(
        client_id=None, start_date="2027-03-01", end_date="2027-01-01", currency="XYZ", every="0",
        day_of_month="32", occurrences="-3", payment_terms_days="abc",
        lines=[{"description": "Retainer", "quantity": "0", "unit_price": "1,5",
                "discount_kind": "percent", "discount_value": "150"}],
    )
    errors = recurring.profile_errors(data)
    assert set(errors) >= {
        "client_id", "lines.0.quantity", "lines.0.unit_price", "lines.0.discount", "every", "day_of_month",
        "end_date", "occurrences", "payment_terms_days", "currency",
    }
    assert errors["occurrences"] == "Number of invoices must be 1 or more"
    # The save refuses the same way: every field in one FieldErrors, not the first alone.
    with pytest.raises(FieldErrors) as err:
        recurring.save_profile(data, today=date(2027, 1, 1))
    assert {"client_id", "every", "day_of_month", "end_date", "occurrences", "currency"} <= set(err.value.errors)


def test_the_list_tells_one_clients_profiles_apart_by_what_they_bill(database):
    """QA (stop 24): four profiles of one client read the same in the list (client, schedule,
    next date): each now shows its amount and its first line."""
    client = make_client()
    _profile(client.id, date(2030, 1, 1))
    _profile(client.id, date(2030, 1, 1), currency="EUR", lines=[
        {"description": "Hosting", "quantity": "1", "unit_price": "20.00"},
        {"description": "Backups", "quantity": "2", "unit_price": "2.50"},
        {"description": "Support", "quantity": "0.5", "unit_price": "80.00"},
    ])
    shown = [(p["what"], p["amount"]) for p in recurring_views.list_profiles()]
    assert shown == [("Retainer", "$1,000.00"), ("Hosting + 2 more", "€65.00")]


def test_a_profiles_page_lists_what_each_invoice_bills(database):
    """QA (stop 24): a profile's page gave the amount of each invoice but not its lines."""
    profile = _profile(make_client().id, date(2030, 1, 1), currency="EUR", lines=[
        {"description": "Hosting", "quantity": "1", "unit_price": "20.00"},
        {"description": "Support", "quantity": "0.5", "unit_price": "80.00", "discount_kind": "percent", "discount_value": "10"},
    ])
    page = recurring_views.profile_page(profile.id)
    assert page.view["amount"] == "€56.00"  # the lines below, priced once
    rows = page.lines
    assert [(r["description"], r["quantity"], r["unit_price"], r["total"], r["discount"]) for r in rows] == [
        ("Hosting", "1", "€20.00", "€20.00", ""),
        ("Support", "0.5", "€80.00", "€40.00", "-10%"),
    ]
