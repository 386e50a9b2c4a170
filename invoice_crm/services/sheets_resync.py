"""Whole-sheet operations: "Resync all", the sync overview the dashboard shows, and queueing
invoices that changed while sync was off. Delivery itself is in sheets_sync.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import UTCDateTime, utcnow
from invoice_crm.models import DeliveryStatus, Invoice, OutboxMessage
from invoice_crm.services.activity import (
    SHEET_CLEAR_TOPIC,
    SHEET_FAILED,
    SHEET_OFF,
    SHEET_PENDING,
    SHEET_SYNCED,
    SHEET_TOPIC,
    enqueue_sheet_syncs,
)
from invoice_crm.services.sheets_sync import DeliveryReport, deliver_pending, lead
from invoice_crm.settings import get_settings


def queue_unsynced() -> int:
    """Queue every invoice never queued (sync was off when it last changed). Start-up chore."""
    if not get_settings().sheets_enabled:
        return 0
    with write_session() as session:
        ids = list(session.execute(select(Invoice.id).where(Invoice.sheet_sync_status == SHEET_OFF)).scalars())
        for start in range(0, len(ids), 500):
            enqueue_sheet_syncs(session, ids[start : start + 500])
    return len(ids)


@dataclass
class SyncOverview:
    enabled: bool
    synced: int = 0
    pending: int = 0
    failed: int = 0
    last_error: str = ""


def sync_overview() -> SyncOverview:
    """How many invoices are synced, pending and failed (for the dashboard's sheet card)."""
    if not get_settings().sheets_enabled:
        return SyncOverview(enabled=False)
    with read_session() as session:
        counts = dict(
            session.execute(
                select(Invoice.sheet_sync_status, func.count()).group_by(Invoice.sheet_sync_status)
            ).all()
        )
        last_error = session.execute(
            select(Invoice.sheet_sync_error)
            .where(Invoice.sheet_sync_status == SHEET_FAILED)
            .order_by(Invoice.updated_at.desc())
            .limit(1)
        ).scalar()
    return SyncOverview(
        enabled=True,
        synced=counts.get(SHEET_SYNCED, 0),
        pending=counts.get(SHEET_PENDING, 0) + counts.get(SHEET_OFF, 0),
        failed=counts.get(SHEET_FAILED, 0),
        last_error=last_error or "",
    )


def _queue_everything(now: datetime) -> int:
    """One transaction: a message per invoice, all due now (backoffs reset), all PENDING."""
    with write_session() as session:
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.topic.in_((SHEET_TOPIC, SHEET_CLEAR_TOPIC)),
                OutboxMessage.status == DeliveryStatus.PENDING,
            )
            .values(next_attempt_at=now)
        )
        session.execute(
            insert(OutboxMessage).from_select(
                ["topic", "invoice_id", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at"],
                select(
                    literal(SHEET_TOPIC), Invoice.id, literal("{}"), literal(DeliveryStatus.PENDING.value),
                    literal(0), literal(now, UTCDateTime()), literal(""), literal(now, UTCDateTime()),
                ),
            )
        )
        session.execute(update(Invoice).values(sheet_sync_status=SHEET_PENDING, sheet_sync_error=""))
        return session.execute(select(func.count()).select_from(Invoice)).scalar_one()


def resync_all(progress: Callable[[int, int], None] | None = None) -> DeliveryReport:
    """Rewrite every invoice's row, in batches of SHEETS_BATCH_SIZE rows per write request.

    ``progress(done, total)`` is called after each batch. Waits for the write budget when it
    is spent; stops at the first failure (the worker retries the rest with backoff).
    """
    settings = get_settings()
    if not settings.sheets_enabled:
        return DeliveryReport(error="Google Sheets sync is off")
    # Every worker (in any process) waits, so every round here counts towards the progress.
    with lead(settings, wait=True):
        total = _queue_everything(utcnow())
        if progress:
            progress(0, total)
        return deliver_pending(
            wait_for_budget=True,
            after_round=(lambda so_far: progress(min(so_far.written, total), total)) if progress else None,
        )
