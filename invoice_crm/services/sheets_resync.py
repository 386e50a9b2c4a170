"""Whole-sheet operations: "Resync all", the sync overview the dashboard shows, and queueing
invoices that changed while sync was off. Delivery itself is in sheets_sync.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, literal, select, update

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import UTCDateTime, utcnow
from invoice_crm.models import DeliveryStatus, Invoice, OutboxMessage
from invoice_crm.services import idempotency
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

QUEUE_BATCH = 500
BATCH_PAUSE_SECONDS = 0.01


def queue_unsynced() -> int:
    """Queue every invoice never queued (sync was off when it last changed). Start-up chore.

    A transaction per batch: with years of invoices one transaction held the database's write
    lock for seconds (5–8 s at 100,000 on SQLite), and a sign-in or a save waited behind it.
    A batch marks its invoices PENDING, so a restart half-way queues only the rest."""
    if not get_settings().sheets_enabled:
        return 0
    queued, after = 0, 0
    while True:
        with write_session() as session:
            ids = list(session.execute(
                select(Invoice.id)
                .where(Invoice.sheet_sync_status == SHEET_OFF, Invoice.id > after)
                .order_by(Invoice.id)
                .limit(QUEUE_BATCH)
            ).scalars())
            enqueue_sheet_syncs(session, ids)
        if not ids:
            return queued
        queued, after = queued + len(ids), ids[-1]
        time.sleep(BATCH_PAUSE_SECONDS)  # SQLite's waiting writers poll: leave them a moment


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


def _queue_everything(now: datetime, idempotency_key: str | None = None) -> int | None:
    """One transaction: a message per invoice, all due now (backoffs reset), all PENDING.
    None: this key's resync was already queued (a repeated click queues nothing more)."""
    with write_session() as session:
        if idempotency_key is not None:
            if idempotency.previous_result(session, idempotency_key, "resync") is not None:
                return None
            idempotency.remember(session, idempotency_key, "resync", None)
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


def resync_all(
    progress: Callable[[int, int], None] | None = None, *, idempotency_key: str | None = None
) -> DeliveryReport:
    """Rewrite every invoice's row, in batches of SHEETS_BATCH_SIZE rows per write request.

    ``progress(done, total)`` is called after each batch. Waits for the write budget when it
    is spent; stops at the first failure (the worker retries the rest with backoff).
    """
    settings = get_settings()
    if not settings.sheets_enabled:
        return DeliveryReport(error="Google Sheets sync is off")
    # Every worker (in any process) waits, so every round here counts towards the progress.
    with lead(settings, wait=True):
        total = _queue_everything(utcnow(), idempotency_key)
        if total is None:
            return DeliveryReport()
        if progress:
            progress(0, total)
        return deliver_pending(
            wait_for_budget=True,
            after_round=(lambda so_far: progress(min(so_far.written, total), total)) if progress else None,
        )
