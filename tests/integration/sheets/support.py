"""Checks for the sheet-sync tests: explicit time, draining the outbox, and "the sheet
equals the database"."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.lifecycle import status_label
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.sheet_rows import HEADER
from invoice_crm.models import Client, DeliveryStatus, Invoice, OutboxMessage
from invoice_crm.services import sheets_sync
from tests.fakes.fake_sheets import FakeSheets


class Clock:
    """Explicit time for deliveries, so backoffs come due without waiting."""

    def __init__(self) -> None:
        self.now = utcnow()

    def tick(self, seconds: float = 3600) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def pending_messages() -> int:
    with read_session() as s:
        return s.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.PENDING)
        ).scalar_one()


def drain(clock: Clock, max_rounds: int = 300) -> None:
    """Deliver until the outbox is empty, letting every backoff come due."""
    for _ in range(max_rounds):
        sheets_sync.deliver_pending(clock.now)
        if pending_messages() == 0:
            return
        clock.tick()
    raise AssertionError(f"outbox not empty after {max_rounds} rounds")


def database_rows() -> list[list]:
    """What the sheet should hold, one row per invoice, sorted by number."""
    with read_session() as s:
        found = s.execute(select(Invoice, Client.name).join(Client, Client.id == Invoice.client_id)).all()
    return sorted(
        ([display_number(inv.number, inv.id), client, inv.amount, status_label(inv.status, inv.amount_paid), inv.due_date, inv.paid_at] for inv, client in found),
        key=lambda row: row[0],
    )


def sheet_key(invoice_id: int) -> str:
    """What column A holds for the invoice as it is now: its number, or a draft's reference."""
    with read_session() as s:
        inv = s.get(Invoice, invoice_id)
    return display_number(inv.number, inv.id)


def sheet_rows(fake: FakeSheets) -> list[list]:
    """The sheet's non-blank data rows, padded to six cells, sorted by number."""
    rows = [row + [None] * (len(HEADER) - len(row)) for row in fake.data_rows()]
    return sorted(rows, key=lambda row: str(row[0]))


def assert_sheet_equals_database(fake: FakeSheets) -> None:
    cells = fake.cells()
    assert cells and cells[0] == list(HEADER)
    numbers = [row[0] for row in fake.data_rows()]
    duplicates = [n for n, count in Counter(numbers).items() if count > 1]
    assert duplicates == [], f"duplicate rows for {duplicates}"
    assert sheet_rows(fake) == database_rows()
    with read_session() as s:
        states = dict(s.execute(select(Invoice.sheet_sync_status, func.count()).group_by(Invoice.sheet_sync_status)).all())
    assert set(states) <= {"SYNCED"}, states
