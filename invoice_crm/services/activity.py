"""Helpers every service uses inside its transaction: the activity log and the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from invoice_crm.db_types import utcnow
from invoice_crm.models import DeliveryStatus, Invoice, InvoiceEvent, OutboxMessage
from invoice_crm.services import wakeups
from invoice_crm.settings import get_settings

SHEET_TOPIC = "sheet_row"  # write the invoice's row as it is now
SHEET_CLEAR_TOPIC = "sheet_delete"  # blank the row of a deleted draft (payload: its number)
SHEET_PENDING, SHEET_SYNCED, SHEET_FAILED, SHEET_OFF = "PENDING", "SYNCED", "FAILED", "OFF"


def log_event(session: Session, invoice_id: int, kind: str, actor: str, details: str = "") -> None:
    session.add(
        InvoiceEvent(
            invoice_id=invoice_id, kind=kind, actor=actor, details=details, created_at=utcnow()
        )
    )


def enqueue_sheet_sync(session: Session, invoice_id: int) -> None:
    """Queue the invoice's sheet row for delivery after commit (the outbox pattern)."""
    enqueue_sheet_syncs(session, [invoice_id])


def enqueue_sheet_syncs(session: Session, invoice_ids: Iterable[int]) -> None:
    """Queue sheet rows for these invoices in the caller's transaction and mark them PENDING.

    Sync off: nothing is queued and the invoices keep "OFF". A new message joins any message
    of the same invoice already waiting (leased by the worker, or backing off): it becomes
    due at the same time, so the worker always claims all of one invoice's changes together
    and two deliveries never write one row at once.
    """
    ids = sorted(set(invoice_ids))
    if not ids or not get_settings().sheets_enabled:
        return
    now = utcnow()
    waiting = dict(
        session.execute(
            select(OutboxMessage.invoice_id, func.max(OutboxMessage.next_attempt_at))
            .where(
                OutboxMessage.topic == SHEET_TOPIC,
                OutboxMessage.status == DeliveryStatus.PENDING,
                OutboxMessage.invoice_id.in_(ids),
            )
            .group_by(OutboxMessage.invoice_id)
        ).all()
    )
    session.execute(
        insert(OutboxMessage),
        [
            {
                "topic": SHEET_TOPIC,
                "invoice_id": i,
                "payload": "{}",
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": max(now, waiting.get(i) or now),
                "last_error": "",
                "created_at": now,
            }
            for i in ids
        ],
    )
    # An ORM-enabled UPDATE: Invoice objects already loaded in this session see PENDING too.
    session.execute(
        update(Invoice)
        .where(Invoice.id.in_(ids))
        .values(sheet_sync_status=SHEET_PENDING, sheet_sync_error="")
    )
    wakeups.SHEETS.after_commit(session)


def enqueue_sheet_clear(session: Session, number: str) -> None:
    """A deleted draft: blank its row in the sheet (found by number), so no stale row remains.

    The row is cleared rather than removed: deleting rows needs the spreadsheet's structural
    API and a row index that the freelancer may be shifting at that moment, while blanking
    cells found by number is a plain values write. The empty row is theirs to delete.
    """
    if not get_settings().sheets_enabled:
        return
    session.add(OutboxMessage(topic=SHEET_CLEAR_TOPIC, invoice_id=None, payload=json.dumps({"number": number})))
    wakeups.SHEETS.after_commit(session)

