"""The Google Sheet mirror: outbox delivery through google-api-python-client to the fake
Sheets server (tests/fakes/fake_sheets.py), on a fresh database per test."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session, write_session
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.sheet_rows import HEADER
from invoice_crm.models import Client, DeliveryStatus, Invoice, OutboxMessage
from invoice_crm.services import clients, invoices, sheets_resync, sheets_sync
from invoice_crm.services.activity import SHEET_TOPIC, enqueue_sheet_sync
from invoice_crm.services.wakeups import SHEETS
from invoice_crm.settings import get_settings
from tests.conftest import reset_caches
from tests.fakes.fake_sheets import TIMEOUT
from tests.fakes.sheet_cells import Formula
from tests.integration.helpers import TODAY, draft_input, make_client, make_invoice
from tests.integration.sheets.support import (
    Clock,
    assert_sheet_equals_database,
    database_rows,
    drain,
    pending_messages,
    sheet_key,
    sheet_rows,
)


def _invoice(invoice_id: int) -> Invoice:
    with read_session() as s:
        return s.get(Invoice, invoice_id)


def _messages(invoice_id: int) -> list[OutboxMessage]:
    with read_session() as s:
        return list(
            s.execute(select(OutboxMessage).where(OutboxMessage.invoice_id == invoice_id).order_by(OutboxMessage.id)).scalars()
        )


def _row_of(fake, number: str) -> int:
    rows = [i + 1 for i, row in enumerate(fake.cells()) if row and row[0] == number]
    assert len(rows) == 1, f"{number} is in rows {rows}"
    return rows[0]


# --- creating, sending, paying, going overdue ------------------------------------------------


def test_creating_an_invoice_appends_its_row_under_a_header(sheet):
    client = make_client("Acme Robotics")
    inv = make_invoice(
        client.id,
        lines=[
            {"description": "Design", "quantity": "4", "unit_price": "120.00"},
            {"description": "Hours", "quantity": "12.5", "unit_price": "95"},
            {"description": "Cent", "quantity": "1", "unit_price": "0.01"},
        ],
    )
    assert inv.sheet_sync_status == "PENDING"  # set in the creating transaction
    assert [m.topic for m in _messages(inv.id)] == ["sheet_row"]

    report = sheets_sync.deliver_pending()

    assert report.written == 1 and report.write_requests == 1
    assert sheet.cells() == [
        list(HEADER),
        [sheet_key(inv.id), "Acme Robotics", Decimal("1667.51"), "Draft", inv.due_date],
    ]
    amount = sheet.cells()[1][2]
    assert isinstance(amount, Decimal) and amount == Decimal("1667.51")  # a number, exact
    assert isinstance(sheet.cells()[1][4], date)  # an ISO date the sheet understood
    stored = _invoice(inv.id)
    assert (stored.sheet_sync_status, stored.sheet_sync_error, stored.sheets_row_id) == ("SYNCED", "", "2")
    assert stored.sheet_synced_at is not None
    assert pending_messages() == 0


def test_send_overdue_and_paid_update_the_same_row(sheet):
    client = make_client("Blue Harbor")
    first = make_invoice(client.id, issue=TODAY - timedelta(days=30), due=TODAY - timedelta(days=10))
    second = make_invoice(client.id)
    sheets_sync.deliver_pending()
    row = _row_of(sheet, sheet_key(first.id))

    invoices.send_invoice(first.id)
    sheets_sync.deliver_pending()
    assert sheet.cells()[row - 1][3] == "Sent"

    assert invoices.sweep_overdue() == 1
    assert _invoice(first.id).sheet_sync_status == "PENDING"
    sheets_sync.deliver_pending()
    assert sheet.cells()[row - 1][3] == "Overdue"

    invoices.mark_paid(first.id, TODAY, reference="BANK-1")
    sheets_sync.deliver_pending()
    assert sheet.cells()[row - 1] == [sheet_key(first.id), "Blue Harbor", Decimal("100.00"), "Paid", first.due_date, TODAY]

    assert _row_of(sheet, sheet_key(first.id)) == row
    assert len(sheet.data_rows()) == 2
    assert sheet.count({"append"}) == 1  # the first delivery; every change after is an update
    assert _invoice(second.id).sheets_row_id == str(_row_of(sheet, sheet_key(second.id)))
    assert_sheet_equals_database(sheet)


def test_an_invoice_credited_in_full_says_credited_and_one_partly_paid_says_paid(sheet):
    from invoice_crm.services import ledger

    client = make_client("Blue Harbor")
    credited = invoices.send_invoice(make_invoice(client.id).id)
    ledger.issue_credit_note(credited.id, line_positions=[0], reason="Project cancelled")
    partly = invoices.send_invoice(make_invoice(client.id).id)
    ledger.record_payment(partly.id, "40.00")
    ledger.issue_credit_note(partly.id, amount="60.00", reason="Scope reduced")
    sheets_sync.deliver_pending()
    assert sheet.cells()[_row_of(sheet, credited.number) - 1][3] == "Credited"
    assert sheet.cells()[_row_of(sheet, partly.number) - 1][3] == "Paid"
    assert_sheet_equals_database(sheet)


def test_several_changes_of_one_invoice_become_one_write(sheet):
    inv = make_invoice()
    for price in ("10.00", "20.00", "30.00", "40.00"):
        invoices.update_draft(
            inv.id, draft_input(inv.client_id, lines=[{"description": "x", "quantity": "1", "unit_price": price}])
        )
    assert len(_messages(inv.id)) == 5

    report = sheets_sync.deliver_pending()

    assert report.write_requests == 1 and report.rounds == 1
    assert sheet.data_rows()[0][2] == Decimal("40.00")
    assert all(m.status is DeliveryStatus.DONE for m in _messages(inv.id))


def test_text_stays_text_whatever_it_looks_like(sheet):
    for name in ("=SUM(A:A)", "2024", "+1 555 0100", "O'Brien & Co", "TRUE"):
        make_invoice(make_client(name).id)
    sheets_sync.deliver_pending()
    names = [row[1] for row in sheet.data_rows()]
    assert names == ["=SUM(A:A)", "2024", "+1 555 0100", "O'Brien & Co", "TRUE"]
    assert not any(isinstance(n, Formula) for n in names)
    assert all(type(n) is str for n in names)


def test_renaming_a_client_rewrites_its_rows(sheet):
    client = make_client("Old Name")
    make_invoice(client.id)
    make_invoice(client.id)
    sheets_sync.deliver_pending()
    clients.update_client(client.id, "New Name", "billing@acme.example")
    sheets_sync.deliver_pending()
    assert [row[1] for row in sheet.data_rows()] == ["New Name", "New Name"]


def test_a_deleted_draft_leaves_a_blank_row_and_nothing_else_moves(sheet):
    keep, drop, also = make_invoice(), make_invoice(), make_invoice()
    sheets_sync.deliver_pending()
    invoices.delete_draft(drop.id)
    sheets_sync.deliver_pending()
    cells = sheet.cells()
    assert [row[0] if row else None for row in cells[1:]] == [sheet_key(keep.id), None, sheet_key(also.id)]
    assert_sheet_equals_database(sheet)


def test_sync_off_queues_nothing_and_says_off(database):
    inv = make_invoice()
    assert not get_settings().sheets_enabled
    assert _invoice(inv.id).sheet_sync_status == "OFF"
    assert _messages(inv.id) == []
    assert sheets_sync.deliver_pending().rounds == 0
    assert not sheets_resync.sync_overview().enabled


# --- the scripted session ------------------------------------------------------------------


def _scripted_session(rng: random.Random, changes: int, clock: Clock, deliver_every: int) -> int:
    """Random but reproducible user actions through the services; returns the changes made."""
    customers = [make_client(name).id for name in ("Acme", "Blue Harbor Cafe", "=cmd|' /C calc'!A0", "Nimbus")]
    made = failed = 0
    while made < changes:
        with read_session() as s:
            rows = s.execute(select(Invoice.id, Invoice.status, Invoice.client_id)).all()
        by_status: dict[InvoiceStatus, list[tuple[int, int]]] = {}
        for i, status, client_id in rows:
            by_status.setdefault(InvoiceStatus(status), []).append((i, client_id))
        action = rng.choice(["create", "create", "edit", "send", "send", "pay", "overdue", "delete", "duplicate", "rename"])
        try:
            if action == "create" or not rows:
                due = TODAY + timedelta(days=rng.choice([-20, -3, 7, 30]))
                invoices.create_invoice(draft_input(rng.choice(customers), issue=min(TODAY, due) - timedelta(days=5), due=due,
                                                    lines=[{"description": "Work", "quantity": str(rng.randint(1, 9)),
                                                            "unit_price": f"{rng.randint(1, 99999) / 100:.2f}"}]))
            elif action == "edit" and by_status.get(InvoiceStatus.DRAFT):
                i, client_id = rng.choice(by_status[InvoiceStatus.DRAFT])
                inv = _invoice(i)
                invoices.update_draft(i, draft_input(client_id, issue=inv.issue_date, due=inv.due_date, lines=[
                    {"description": "Edited", "quantity": "1.5", "unit_price": f"{rng.randint(1, 500000) / 100:.2f}"}]))
            elif action == "send" and by_status.get(InvoiceStatus.DRAFT):
                invoices.send_invoice(rng.choice(by_status[InvoiceStatus.DRAFT])[0])
            elif action == "pay" and (by_status.get(InvoiceStatus.SENT) or by_status.get(InvoiceStatus.OVERDUE)):
                open_ = by_status.get(InvoiceStatus.SENT, []) + by_status.get(InvoiceStatus.OVERDUE, [])
                invoices.mark_paid(rng.choice(open_)[0], TODAY - timedelta(days=rng.randint(0, 3)))
            elif action == "overdue" and invoices.sweep_overdue():
                pass
            elif action == "delete" and by_status.get(InvoiceStatus.DRAFT):
                invoices.delete_draft(rng.choice(by_status[InvoiceStatus.DRAFT])[0])
            elif action == "duplicate":
                invoices.duplicate_invoice(rng.choice(rows)[0])
            elif action == "rename":
                client_id = rng.choice(customers)
                clients.update_client(client_id, f"Client {rng.randint(1, 10**6)}")
            else:
                continue
        except DomainError:
            failed += 1  # e.g. a paid date before the issue date: refused, nothing changed
            continue
        made += 1
        if made % deliver_every == 0:
            sheets_sync.deliver_pending(clock.now)
            clock.tick(rng.choice([1, 30, 600]))
    assert failed < changes
    return made


def test_after_a_scripted_session_of_50_changes_the_sheet_equals_the_database(sheet):
    clock = Clock()
    assert _scripted_session(random.Random(5), 50, clock, deliver_every=3) == 50
    drain(clock)
    assert len(database_rows()) >= 10
    assert_sheet_equals_database(sheet)


def test_with_30_percent_failures_and_429s_the_sheet_catches_up_without_duplicates(sheet):
    clock = Clock()
    sheet.fail_randomly(0.3, statuses=(500, 429, 503, 429, TIMEOUT), seed=9)
    _scripted_session(random.Random(11), 50, clock, deliver_every=2)
    for _ in range(5):
        sheets_sync.deliver_pending(clock.now)
        clock.tick(5)

    assert sheet.count(status=429) and sheet.count(status=500) + sheet.count(status=503)
    assert sheet.late_answers  # timeouts too, some of them on writes that were made
    with read_session() as s:
        states = dict(s.execute(select(Invoice.sheet_sync_status, func.count()).group_by(Invoice.sheet_sync_status)).all())
        reasons = s.execute(select(Invoice.sheet_sync_error).where(Invoice.sheet_sync_status == "FAILED")).scalars().all()
    assert set(states) <= {"SYNCED", "PENDING", "FAILED"}
    assert all("HTTP" in r or "did not answer" in r for r in reasons)

    sheet.recover()
    drain(clock)
    assert_sheet_equals_database(sheet)


def test_a_failure_is_shown_with_its_reason_and_retried_with_growing_backoff(sheet):
    inv = make_invoice()
    clock = Clock()
    sheet.fail_next = [503, 429]

    first = sheets_sync.deliver_pending(clock.now)
    stored = _invoice(inv.id)
    assert first.error and stored.sheet_sync_status == "FAILED"
    assert "HTTP 503" in stored.sheet_sync_error and "attempt 1" in stored.sheet_sync_error
    (message,) = _messages(inv.id)
    base = get_settings().sheets_retry_base_seconds
    assert message.next_attempt_at == clock.now + timedelta(seconds=base)

    assert sheets_sync.deliver_pending(clock.now).rounds == 0  # not due yet: nothing is hammered
    clock.tick(base)
    sheets_sync.deliver_pending(clock.now)
    (message,) = _messages(inv.id)
    assert "HTTP 429" in _invoice(inv.id).sheet_sync_error
    assert message.next_attempt_at == clock.now + timedelta(seconds=2 * base)

    clock.tick(2 * base)
    sheets_sync.deliver_pending(clock.now)
    assert _invoice(inv.id).sheet_sync_status == "SYNCED"
    assert_sheet_equals_database(sheet)


def test_a_change_made_while_backing_off_waits_with_the_others(sheet):
    inv = make_invoice()
    clock = Clock()
    sheet.fail_next = [500]
    sheets_sync.deliver_pending(clock.now)
    invoices.send_invoice(inv.id)
    times = {m.next_attempt_at for m in _messages(inv.id) if m.status is DeliveryStatus.PENDING}
    assert len(times) == 1 and times.pop() > clock.now
    assert _invoice(inv.id).sheet_sync_status == "PENDING"


# --- restarts, lost answers and crashes ------------------------------------------------------


def test_an_append_whose_answer_was_lost_is_not_appended_again(sheet):
    inv = make_invoice()
    clock = Clock()
    sheet.fail_next = [None, TIMEOUT]  # the read answers; the append is made but answers late

    report = sheets_sync.deliver_pending(clock.now)
    assert "did not answer" in report.error
    assert _invoice(inv.id).sheet_sync_status == "FAILED"
    assert [row[0] for row in sheet.data_rows()] == [sheet_key(inv.id)]  # it did happen

    sheets_sync._client.cache_clear()  # as after a restart: a new client, the outbox as it was
    drain(clock)
    assert [row[0] for row in sheet.data_rows()] == [sheet_key(inv.id)]
    assert_sheet_equals_database(sheet)


def test_a_round_that_dies_midway_is_delivered_after_its_lease(sheet):
    inv = make_invoice()
    clock = Clock()
    settings = get_settings()
    assert sheets_sync._claim(clock.now, settings) is not None  # claimed, then the process died

    assert sheets_sync.deliver_pending(clock.now).rounds == 0  # still leased to the dead round
    clock.tick(sheets_sync._lease(settings).total_seconds())
    assert sheets_sync.deliver_pending(clock.now).written == 1
    assert _invoice(inv.id).sheet_sync_status == "SYNCED"
    assert_sheet_equals_database(sheet)


def _turn_sync_on(sheets_server, monkeypatch):
    """Sync was off while invoices were made; now the sheet's settings are there."""
    fake, env = sheets_server
    fake.reset()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    sheets_sync._client.cache_clear()
    return fake


def test_invoices_made_while_sync_was_off_are_queued_at_start_up(database, sheets_server, monkeypatch):
    made = [make_invoice(), make_invoice()]
    assert {_invoice(i.id).sheet_sync_status for i in made} == {"OFF"}
    fake = _turn_sync_on(sheets_server, monkeypatch)
    assert sheets_resync.queue_unsynced() == 2
    sheets_sync.deliver_pending()
    assert_sheet_equals_database(fake)


def test_start_up_queues_years_of_invoices_in_batches_each_once(database, sheets_server, monkeypatch):
    """Queued a batch per transaction (a writer waits for one batch, not for all of them):
    every invoice once, however the batches fall, and nothing again on the next start."""
    made = [make_invoice() for _ in range(5)]
    fake = _turn_sync_on(sheets_server, monkeypatch)
    monkeypatch.setattr(sheets_resync, "QUEUE_BATCH", 2)
    assert sheets_resync.queue_unsynced() == 5
    assert sheets_resync.queue_unsynced() == 0
    with read_session() as session:
        queued = session.execute(select(OutboxMessage.invoice_id).where(OutboxMessage.topic == SHEET_TOPIC)).scalars()
        assert sorted(queued) == sorted(i.id for i in made)
    sheets_sync.deliver_pending()
    assert_sheet_equals_database(fake)


# --- rows moved by the freelancer ------------------------------------------------------------


def test_rows_sorted_or_shifted_between_updates_still_update_the_right_row(sheet):
    customer = make_client("Studio Verde").id
    made = [
        make_invoice(customer, lines=[{"description": "x", "quantity": "1", "unit_price": price}])
        for price in ("500.00", "100.00", "300.00", "200.00", "400.00")
    ]
    sheets_sync.deliver_pending()
    target = made[1]
    old_row = int(_invoice(target.id).sheets_row_id)

    sheet.sort_rows(column=2, reverse=True)  # by amount, largest first: every row moves
    sheet.insert_rows(2, [["Notes from the accountant"], []])  # two rows pushed in at the top
    assert sheet.cells()[old_row - 1][:1] != [sheet_key(target.id)]  # the remembered row is now wrong

    invoices.send_invoice(target.id)
    sheets_sync.deliver_pending()

    new_row = _row_of(sheet, sheet_key(target.id))
    assert new_row != old_row
    assert sheet.cells()[new_row - 1][3] == "Sent"
    assert _invoice(target.id).sheets_row_id == str(new_row)
    assert sheet.cells()[1] == ["Notes from the accountant"]  # the freelancer's row untouched
    assert sheet.count({"append"}) == 1

    # A row deleted by the freelancer comes back at the end on its invoice's next change.
    sheet.delete_rows(_row_of(sheet, sheet_key(made[3].id)))
    invoices.send_invoice(made[3].id)
    sheets_sync.deliver_pending()
    assert sheet.cells()[-1][0] == sheet_key(made[3].id)
    assert sorted(r for r in sheet_rows(sheet) if r[0] != "Notes from the accountant") == sorted(
        database_rows()
    )


# --- resync all ----------------------------------------------------------------------------


def _bulk_invoices(count: int) -> None:
    """Many invoices at once (the services make them one transaction each: too slow here)."""
    with write_session() as s:
        client = Client(name="Bulk Client", email="bulk@example.com")
        s.add(client)
        s.flush()
        s.add_all(
            Invoice(
                number=f"BULK-{n:05d}",
                client_id=client.id,
                amount=Decimal(n) + Decimal("0.99"),
                status=[InvoiceStatus.DRAFT, InvoiceStatus.SENT, InvoiceStatus.PAID][n % 3],
                issue_date=TODAY,
                due_date=TODAY + timedelta(days=n % 40),
                paid_at=TODAY if n % 3 == 2 else None,
            )
            for n in range(count)
        )


def test_resync_of_1000_invoices_uses_at_most_10_write_requests(sheet):
    _bulk_invoices(1000)
    # The sheet already holds a shuffled half of them, some stale, plus a stray row.
    half = database_rows()[::2]
    shuffled = [[row[0], row[1], "1", "Draft", "", ""] for row in half]
    random.Random(3).shuffle(shuffled)
    sheet.insert_rows(1, [list(HEADER), *shuffled, ["not an invoice"]])
    seen: list[tuple[int, int]] = []

    report = sheets_resync.resync_all(progress=lambda done, total: seen.append((done, total)))

    assert report.error == ""
    assert sheet.write_requests <= 10
    assert report.written == 1000
    assert seen[0] == (0, 1000) and seen[-1] == (1000, 1000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= 3  # progress reported batch by batch
    rows = [row for row in sheet_rows(sheet) if row[0] != "not an invoice"]
    assert rows == database_rows()
    assert sheets_resync.sync_overview().synced == 1000


def test_resync_stops_at_a_failure_and_the_worker_finishes_later(sheet):
    _bulk_invoices(30)
    sheet.fail_next = [None, 503]  # the read answers, the append fails
    report = sheets_resync.resync_all()
    assert "HTTP 503" in report.error
    overview = sheets_resync.sync_overview()
    assert overview.failed == 30 and "HTTP 503" in overview.last_error
    clock = Clock()
    drain(clock)
    assert_sheet_equals_database(sheet)


# --- the worker's wake-up and its write budget ------------------------------------------------


def test_the_worker_is_woken_after_a_commit_that_queued_sheet_work(sheet):
    calls = []
    unsubscribe = SHEETS.subscribe(lambda: calls.append(1))
    try:
        client = make_client()
        assert calls == []  # a new client queues nothing
        inv = make_invoice(client.id)
        assert calls == [1]
        with pytest.raises(RuntimeError), write_session() as session:
            enqueue_sheet_sync(session, inv.id)
            raise RuntimeError("the change failed after queueing")
        assert calls == [1]  # rolled back: nothing to deliver, no wake-up
    finally:
        unsubscribe()


def test_the_write_budget_holds_rounds_back_until_the_minute_has_passed(sheet, monkeypatch):
    monkeypatch.setenv("SHEETS_MAX_WRITES_PER_MINUTE", "2")
    get_settings.cache_clear()
    make_invoice()
    clock = Clock()
    assert sheets_sync.deliver_pending(clock.now).write_requests == 1
    second = make_invoice()

    held = sheets_sync.deliver_pending(clock.tick(30))
    assert held.throttled and held.write_requests == 0
    assert _invoice(second.id).sheet_sync_status == "PENDING"

    assert sheets_sync.deliver_pending(clock.tick(31)).written == 1
    assert_sheet_equals_database(sheet)
