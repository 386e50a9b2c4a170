"""Scheduled reminders over simulated weeks, against a real SMTP server (the fake on 127.0.0.1).

The clock is the ``now`` every service takes: the tests walk it forward hour by hour (and
sometimes back) and run the reminder worker's step and the email sender at each tick, as the
background loops would."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import reminders as rules
from invoice_crm.models import Invoice, ReminderSend
from invoice_crm.services import (
    business_settings,
    delivery,
    email_sender,
    invoices,
    ledger,
    public_view,
    reminders,
)
from invoice_crm.services import reminder_schedules as schedules
from invoice_crm.services.jobs import leases
from invoice_crm.services.reminder_timeline import invoice_reminders, reminders_today
from invoice_crm.tasks import reminder_step
from tests.conftest import reset_caches
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.email_helpers import configure, events
from tests.integration.helpers import make_client, make_invoice

TICK = timedelta(hours=3)
DUE_IN = 10  # days from today: steps at days 7 (3 before), 10, 17 and 24


def _sent_invoice(name: str = "Acme Robotics", email: str = "billing@acme.example", due_in: int = DUE_IN):
    client = make_client(name, email)
    today = datetime.now(UTC).date()
    draft = make_invoice(client.id, issue=today, due=today + timedelta(days=due_in))
    composed = delivery.compose_invoice_email(draft.id)
    delivery.send_invoice_by_email(draft.id, composed.recipient, composed.subject, composed.body, "me@example.com")
    email_sender.deliver_pending_emails()
    with read_session() as s:
        return s.get(Invoice, draft.id)


def _walk(start: datetime, end: datetime, step=TICK, worker=reminder_step) -> datetime:
    """Run the reminder worker and the email sender at every tick from start to end."""
    now = start
    while now <= end:
        worker(now)
        email_sender.deliver_pending_emails(now)
        now += step
    return now


def _reminders_to(mail, address: str) -> list[str]:
    return [m.message["Subject"] for m in mail.messages_to(address) if m.message["Subject"].startswith("Reminder")]


def _records(invoice_id: int) -> list[ReminderSend]:
    with read_session() as s:
        return list(s.execute(
            select(ReminderSend).where(ReminderSend.invoice_id == invoice_id).order_by(ReminderSend.step_date)
        ).scalars())


def _start() -> datetime:
    return utcnow().replace(minute=30, second=0, microsecond=0)


def _set_timezone(name: str) -> None:
    business_settings.save_invoice_defaults({
        "currency": "USD", "payment_terms_days": "14", "number_format": "INV-{year}-{seq:04d}",
        "locale": "en_US", "timezone": name, "default_notes": "", "default_footer": "",
    })


def test_a_schedule_over_30_days_sends_each_step_once_on_its_day(mail):
    inv = _sent_invoice()
    start = _start()
    _walk(start, start + timedelta(days=30))

    records = _records(inv.id)
    assert [(r.offset_days, r.outcome) for r in records] == [(-3, "SENT"), (0, "SENT"), (7, "SENT"), (14, "SENT")]
    for r in records:
        due_at = rules.step_instant(r.step_date, 9, "UTC")
        assert due_at <= r.created_at < due_at + TICK  # at 9:00 in the business timezone, the tick after
        assert r.recipient == "billing@acme.example"
    subjects = _reminders_to(mail, "billing@acme.example")
    assert len(subjects) == 4
    assert "due in 3 days" in subjects[0] and "due today" in subjects[1]
    assert "7 days overdue" in subjects[2] and "14 days overdue" in subjects[3]
    # The invoice page's timeline: every step sent, to whom, delivered.
    rows = invoice_reminders(inv.id, start + timedelta(days=30))["rows"]
    assert [row["state_label"] for row in rows] == ["Sent"] * 4
    assert all("billing@acme.example: Delivered" in row["detail"] for row in rows)


def test_a_restart_in_the_middle_resends_nothing_and_downtime_sends_due_steps_once(mail, caplog):
    inv = _sent_invoice()
    start = _start()
    _walk(start, start + timedelta(days=8))  # the step 3 days before went out on day 7
    assert len(_reminders_to(mail, "billing@acme.example")) == 1

    # Down from day 8 to day 12: the due-date step (day 10) is 2 days late at start-up: sent
    # once. A restart is a new process: fresh engine, settings and worker name.
    reset_caches()
    leases._holder = None
    restart = start + timedelta(days=12)
    reminder_step(restart)
    reminder_step(restart)  # a second look at start-up changes nothing
    email_sender.deliver_pending_emails(restart)
    assert len(_reminders_to(mail, "billing@acme.example")) == 2

    # The clock is set back two days, then runs on: nothing is sent again.
    _walk(restart - timedelta(days=2), restart + timedelta(days=2))
    assert len(_reminders_to(mail, "billing@acme.example")) == 2

    # Down again from day 14 to day 22: the 7-days-after step (day 17) is 5 days late: more
    # than REMINDER_MAX_LATE_DAYS (3), so it is skipped and logged, not sent.
    reset_caches()
    leases._holder = None
    with caplog.at_level("INFO"):
        _walk(start + timedelta(days=22), start + timedelta(days=30))
    records = _records(inv.id)
    assert [(r.offset_days, r.outcome) for r in records] == [(-3, "SENT"), (0, "SENT"), (7, "SKIPPED"), (14, "SENT")]
    assert "more than 3 days late" in records[2].reason
    assert "more than 3 days late" in caplog.text
    assert any(kind == "reminder_skipped" and "more than 3 days late" in text for kind, text in events(inv.id))
    assert len(_reminders_to(mail, "billing@acme.example")) == 3
    timeline = invoice_reminders(inv.id, start + timedelta(days=30))["rows"]
    assert [row["state_label"] for row in timeline] == ["Sent", "Sent", "Skipped", "Sent"]


def test_a_payment_stops_the_later_steps(mail):
    inv = _sent_invoice()
    start = _start()
    _walk(start, start + timedelta(days=5))
    ledger.record_payment(inv.id, "20.00", datetime.now(UTC).date())  # partly paid: reminders go on
    _walk(start + timedelta(days=5, hours=1), start + timedelta(days=11))
    subjects = _reminders_to(mail, "billing@acme.example")
    assert len(subjects) == 2 and "$80.00" in subjects[1]  # the balance is asked for

    ledger.record_payment(inv.id, "", datetime.now(UTC).date())  # the rest: paid
    _walk(start + timedelta(days=11, hours=1), start + timedelta(days=30))
    assert len(_reminders_to(mail, "billing@acme.example")) == 2
    assert [r.offset_days for r in _records(inv.id)] == [-3, 0]
    assert invoice_reminders(inv.id)["inactive"] == "The invoice is paid: no more reminders."


def test_a_timezone_change_repeats_nothing(mail):
    inv = _sent_invoice()
    start = _start()
    # Day 10, 11:30 UTC: the due-date step went out at 9:00 UTC.
    day10 = datetime.combine(inv.due_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11, minutes=30)
    _walk(start, day10)
    assert len(_reminders_to(mail, "billing@acme.example")) == 2

    # Honolulu (UTC-10): 9:00 on the due date is 19:00 UTC, still to come -- but that step is done.
    _set_timezone("Pacific/Honolulu")
    day11 = day10 + timedelta(days=1)
    _walk(day10, day11)
    # Kiritimati (UTC+14): every step moves earlier by a day; none comes back.
    _set_timezone("Pacific/Kiritimati")
    _walk(day11, start + timedelta(days=30))

    records = _records(inv.id)
    assert [(r.offset_days, r.outcome) for r in records] == [(-3, "SENT"), (0, "SENT"), (7, "SENT"), (14, "SENT")]
    assert len(_reminders_to(mail, "billing@acme.example")) == 4
    # The last two went out at 9:00 in Kiritimati: 19:00 UTC the day before their step day.
    for r in records[2:]:
        due_at = rules.step_instant(r.step_date, 9, "Pacific/Kiritimati")
        assert due_at.astimezone(UTC).hour == 19
        assert due_at <= r.created_at < due_at + TICK


def test_two_worker_loops_at_once_send_nothing_twice(mail):
    addresses = [f"billing{i}@client{i}.example" for i in range(4)]
    sent = [_sent_invoice(f"Client {i}", address, due_in=DUE_IN + i) for i, address in enumerate(addresses)]
    start = _start()
    ticks = [start + TICK * 2 * n for n in range(int(timedelta(days=30) / (TICK * 2)))]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            for now in ticks:
                barrier.wait()
                # The service itself, not the once-per-period gate: the unique key must hold alone.
                reminders.send_due_reminders(now)
                email_sender.deliver_pending_emails(now)
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for inv, address in zip(sent, addresses, strict=True):
        assert len(_reminders_to(mail, address)) == 4
        assert [r.outcome for r in _records(inv.id)] == ["SENT"] * 4


def test_only_open_invoices_with_a_balance_are_reminded(mail):
    draft = make_invoice(make_client("Draft Co", "draft@draft.example").id)
    void = _sent_invoice("Void Co", "void@void.example")
    ledger.void_invoice(void.id, "Wrong client")
    paid = _sent_invoice("Paid Co", "paid@paid.example")
    ledger.record_payment(paid.id, "", datetime.now(UTC).date())
    off = _sent_invoice("Off Co", "off@off.example")
    schedules.set_invoice_reminders(off.id, rules.MODE_OFF)
    own = _sent_invoice("Own Co", "own@own.example")
    schedules.set_invoice_reminders(own.id, rules.MODE_CUSTOM, [
        {"offset_days": "1", "enabled": True, "subject": "Invoice {number}: a nudge", "body": "Please pay {amount}."},
        {"offset_days": "5", "enabled": False},
    ])
    skipped = _sent_invoice("Skip Co", "skip@skip.example")
    reminders.skip_step(skipped.id, 0, "me@example.com")
    start = _start()
    _walk(start, start + timedelta(days=30), step=TICK * 3)

    for address in ("draft@draft.example", "void@void.example", "paid@paid.example", "off@off.example"):
        assert _reminders_to(mail, address) == []
    assert _records(draft.id) == [] and _records(void.id) == []
    [nudge] = [m for m in mail.messages_to("own@own.example") if "a nudge" in m.message["Subject"]]
    assert nudge.message["Subject"] == f"Invoice {own.number}: a nudge"
    assert "Please pay $100.00." in nudge.text
    assert [(r.offset_days, r.outcome) for r in _records(own.id)] == [(1, "SENT")]
    assert [(r.offset_days, r.outcome) for r in _records(skipped.id)] == [
        (-3, "SENT"), (0, "SKIPPED"), (7, "SENT"), (14, "SENT")
    ]
    assert _records(skipped.id)[1].reason == "Skipped by me@example.com"


def test_the_dashboard_counts_todays_reminders(mail):
    inv = _sent_invoice()
    day7 = datetime.combine(inv.due_date - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    assert reminders_today(day7 + timedelta(hours=2)) == 1  # goes out at 9:00
    reminder_step(day7 + timedelta(hours=10))
    assert reminders_today(day7 + timedelta(hours=10)) == 1  # went out today
    assert reminders_today(day7 + timedelta(days=1, hours=2)) == 0


def test_without_email_the_schedule_is_inactive_and_nothing_is_queued(database, monkeypatch):
    configure(monkeypatch, {"SMTP_HOST": "", "MAIL_FROM": ""})
    client = make_client("Acme", "billing@acme.example")
    today = datetime.now(UTC).date()
    inv = make_invoice(client.id, issue=today, due=today + timedelta(days=DUE_IN))
    invoices.send_invoice(inv.id)
    start = _start()
    report = reminders.send_due_reminders(start + timedelta(days=DUE_IN))
    assert report.inactive == delivery.NOT_CONFIGURED and report.sent == 0
    _walk(start, start + timedelta(days=30), step=TICK * 6)
    assert _records(inv.id) == []
    panel = invoice_reminders(inv.id)
    assert panel["inactive"] == delivery.NOT_CONFIGURED
    assert all(row["can_skip"] == "" for row in panel["rows"])


def test_a_step_of_the_sending_day_whose_hour_had_passed_says_when_the_invoice_was_sent(mail):
    """Sent at 10:00 and due that day, with reminders at 09:00: the due-date step fell an hour
    before the invoice was sent. It said only "It fell before the invoice was sent", which
    reads as wrong for a step of the same day; it now says when the invoice was sent."""
    from invoice_crm.db import write_session
    from invoice_crm.domain.numbers import format_timestamp

    inv = _sent_invoice(due_in=0)
    sent_at = datetime.combine(inv.due_date, datetime.min.time(), UTC).replace(hour=10)
    with write_session() as s:  # sent at 10:00 (UTC, the business timezone here) on the due date
        s.get(Invoice, inv.id).sent_at = sent_at
    schedules.save_default_schedule(True, "9", [{"offset_days": "0", "enabled": True}])
    row = next(r for r in invoice_reminders(inv.id)["rows"] if r["offset_days"] == "0")
    assert row["state_label"] == "Not applicable"
    assert row["detail"] == f"It fell before the invoice was sent ({format_timestamp(sent_at, 'UTC')})"
    assert "10:00" in row["detail"]


def test_two_steps_on_one_day_are_said_with_the_other_mistakes_at_the_first_save(database):
    """Only "Unbalanced { or }" showed; "Two steps fall on the same day" came a Save later."""
    with pytest.raises(business_settings.SettingsErrors) as refused:
        schedules.save_default_schedule(True, "9", [
            {"offset_days": "0"}, {"offset_days": "7", "subject": "Due {foo"}, {"offset_days": "7"},
        ])
    errors = refused.value.errors
    assert errors["steps.1.subject"].startswith("Unbalanced")
    assert errors["steps"] == "Two steps fall on the same day; give each its own number of days"
    assert errors["steps.2.offset_days"] == "Another step falls on this day"


def test_a_reminder_may_not_use_paid_on_which_the_help_does_not_offer(database):
    from invoice_crm.components.reminders import PLACEHOLDER_HELP

    with pytest.raises(business_settings.SettingsErrors) as refused:
        schedules.save_default_schedule(True, "9", [{"offset_days": "0", "subject": "Paid {paid_on}?"}])
    message = refused.value.errors["steps.0.subject"]
    assert message.startswith("Unknown placeholder {paid_on}") and "{paid_on}" not in message.split(";")[1]
    assert "{paid_on}" not in PLACEHOLDER_HELP
    offered = {p for p in PLACEHOLDER_HELP.removeprefix("Placeholders: ").split()}
    assert offered == {"{" + p + "}" for p in schedules.REMINDER_PLACEHOLDERS}


def test_the_default_schedule_is_saved_checked_whole(database):
    with pytest.raises(business_settings.SettingsErrors) as refused:
        schedules.save_default_schedule(True, "25", [
            {"offset_days": "x"}, {"offset_days": "2", "subject": "Hi {nope}"},
        ])
    assert set(refused.value.errors) == {"send_hour", "steps.0.offset_days", "steps.1.subject"}
    saved = schedules.save_default_schedule(True, "8", [
        {"offset_days": "0", "enabled": True}, {"offset_days": "-2", "enabled": False},
    ])
    assert saved.send_hour == 8
    assert [(s.offset_days, s.enabled) for s in saved.default_steps] == [(-2, False), (0, True)]


def test_the_pay_link_counts_views(mail):
    inv = _sent_invoice()
    first = utcnow()
    assert public_view.record_view(inv.public_token, first)
    assert public_view.record_view(inv.public_token, first + timedelta(hours=2))
    with read_session() as s:
        seen = s.get(Invoice, inv.id)
    assert seen.view_count == 2 and seen.first_viewed_at == first
    assert seen.last_viewed_at == first + timedelta(hours=2)
    assert [kind for kind, _ in events(inv.id)].count("viewed") == 1
    draft = make_invoice(make_client("Other", "o@other.example").id)
    assert not public_view.record_view(draft.public_token)
    assert not public_view.record_view("unknown")


def test_a_paid_invoices_steps_to_come_are_not_upcoming_even_with_email_off(database):
    """The invoice's own reason comes first: with email not set up, a paid invoice still says it
    is paid, and its later steps say they will not go out (not "Upcoming")."""
    today = datetime.now(UTC).date()
    inv = make_invoice(make_client("Acme Robotics", "billing@acme.example").id, issue=today, due=today + timedelta(days=DUE_IN))
    invoices.send_invoice(inv.id)  # marked as sent: email is not set up
    before = invoice_reminders(inv.id)
    assert before["inactive"].startswith("Email is not set up")
    assert before["rows"] and {row["state_label"] for row in before["rows"]} == {"Upcoming"}
    ledger.record_payment(inv.id, "", today)
    shown = invoice_reminders(inv.id)
    assert shown["inactive"] == "The invoice is paid: no more reminders."
    assert shown["rows"] and {row["state_label"] for row in shown["rows"]} == {"Not applicable"}
    assert not any(row["can_skip"] for row in shown["rows"])


def test_steps_whose_time_passed_say_missed_or_due_not_upcoming(database):
    """Seen a day after the due date with nothing sent (email off all along): the step 3 days
    before is past the late limit (missed, with why), the due-date step is due, later steps
    are upcoming."""
    today = datetime.now(UTC).date()
    due = today + timedelta(days=DUE_IN)
    inv = make_invoice(make_client("Acme Robotics", "billing@acme.example").id, issue=today, due=due)
    invoices.send_invoice(inv.id)
    later = datetime.combine(due + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    rows = {row["offset_days"]: row for row in invoice_reminders(inv.id, later)["rows"]}
    assert (rows["-3"]["state_label"], rows["0"]["state_label"]) == ("Missed", "Due")
    assert "late" in rows["-3"]["detail"] and rows["-3"]["can_skip"] == ""
    assert {rows[k]["state_label"] for k in rows if int(k) > 0} == {"Upcoming"}


def test_sample_invoices_never_get_automatic_reminders(mail):
    """With email set up, the sample data's open invoices (their clients' addresses are made
    up) get no reminder by themselves; their panel says why."""
    from invoice_crm.models import Invoice as InvoiceRow
    from invoice_crm.services import demo

    demo.load_demo_data()
    with read_session() as s:
        sample_open = s.execute(
            select(InvoiceRow.id).where(InvoiceRow.is_sample.is_(True), InvoiceRow.status.in_(("SENT", "OVERDUE")))
        ).scalars().all()
    assert sample_open
    start = _start()
    _walk(start, start + timedelta(days=20), step=TICK * 4)
    assert [m for m in mail.messages if m.message["Subject"].startswith("Reminder")] == []
    assert reminders_today() == 0
    assert invoice_reminders(sample_open[0])["inactive"] == "Sample data: reminders never go out for it."


def test_an_imported_invoices_steps_before_its_import_never_apply(mail):
    """An open invoice imported with a past issue and due date: the steps that fell before it
    was imported are "Not applicable" (not Missed, never recorded as skipped, never sent);
    the steps after the import go out on their days."""
    from invoice_crm.services import imports

    today = datetime.now(UTC).date()
    issue, due = today - timedelta(days=40), today - timedelta(days=5)  # steps -3 and 0 passed, +7 and +14 to come
    content = (
        "Invoice number,Client name,Client email,Issue date,Due date,Currency,Description,Quantity,Unit price\n"
        f"OLD-7,Ada Lovelace,ada@example.com,{issue.isoformat()},{due.isoformat()},USD,Design,1,500.00\n"
    ).encode()
    imports.run_import("invoices", content, imports.read("invoices", content)[1], only_valid=False)
    with read_session() as s:
        inv = s.execute(select(Invoice).where(Invoice.number == "OLD-7")).scalar_one()
    assert inv.status == "OVERDUE"

    rows = {row["offset_days"]: row for row in invoice_reminders(inv.id)["rows"]}
    for offset in ("-3", "0"):
        assert rows[offset]["state_label"] == "Not applicable", rows[offset]
        assert rows[offset]["detail"].startswith("It fell before the invoice was imported ("), rows[offset]
    assert {rows["7"]["state_label"], rows["14"]["state_label"]} == {"Upcoming"}

    start = _start()
    _walk(start, start + timedelta(days=3))
    assert len(_reminders_to(mail, "ada@example.com")) == 1
    assert [(r.step_date, r.outcome) for r in _records(inv.id)] == [(due + timedelta(days=7), rules.SENT)]


def test_a_steps_heading_follows_the_days_typed_in_it(app):
    """QA: with Days changed to 7, the heading still said "Step 1: 3 days before the due date"
    (even after a refused save). It follows the field as soon as the field is left."""
    from invoice_crm.state.reminder_settings import ReminderSettingsState as R
    from tests.integration.owner_events import signed_in
    from tests.support.events import EventRunner, run

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, R.load, "/settings")
            first = (await runner.state(tab, R)).step_rows[0]
            await runner.send(tab, R.relabel_step, "/settings", index=first["index"], value=" 7 ")
            relabelled = (await runner.state(tab, R)).step_rows[0]["label"]
            await runner.send(tab, R.relabel_step, "/settings", index=first["index"], value="soon")
            kept = (await runner.state(tab, R)).step_rows[0]["label"]
            assert runner.server_errors == []
            return first["label"], relabelled, kept

    before, after, kept = run(scenario())
    assert after == "7 days after the due date" != before and kept == after
