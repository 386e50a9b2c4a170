"""Outbox delivery to the Google Sheet: claim, write, record — round after round.

A round claims the due outbox messages (a lease: their next attempt moves past the round's
longest possible duration, so a crash leaves them to be retried, never lost), coalesces them
per invoice, reads those invoices as they are now (one query), reads column A to find their
rows, then writes everything in at most two requests — one values.batchUpdate for rows that
exist (and rows of deleted drafts, blanked), one values.append for rows that do not (with the
header first when the tab is empty). Success marks the messages DONE and the invoices SYNCED;
failure backs the messages off exponentially and marks the invoices FAILED with the reason.
Rewriting a row is harmless, and rows are found by number before any append, so a retry after
a write whose answer was lost writes nothing twice.

Several processes: one delivers at a time. A delivery holds the leader lease ``sheets``
(``services.jobs.leases``, renewed every round; within a process also ``DELIVERY_LOCK``), so
an empty tab gets one header and one invoice's row is never written by two processes at once
(the write budget is still counted per process). Its messages are claimed with row
leases (``claimed_by``, ``lease_expires_at``): a process killed mid-round loses both leases
when they expire, and the next process delivers the same messages -- finding the rows first,
so nothing is appended twice. The worker in ``tasks.py`` runs rounds in a thread, so a user's
click never waits on Google. "Resync all" is in sheets_resync.py.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select, update

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_timestamp
from invoice_crm.domain.sheet_rows import SheetInvoice, parse_row_hint, plan_writes
from invoice_crm.integrations.google_sheets import GoogleSheetsClient, SheetsConfig, SheetsError
from invoice_crm.models import Client, DeliveryStatus, Invoice, OutboxMessage
from invoice_crm.services.activity import SHEET_CLEAR_TOPIC, SHEET_FAILED, SHEET_SYNCED, SHEET_TOPIC
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.services.jobs import leases
from invoice_crm.settings import Settings, get_settings

log = logging.getLogger(__name__)

# One delivery at a time in this process; re-entrant so resync can hold it across its steps.
DELIVERY_LOCK = threading.RLock()
LEADER = "sheets"  # the leader lease: one delivering process at a time
_leading = 0  # nesting depth of lead() in this process (guarded by DELIVERY_LOCK)
WRITES_PER_ROUND = 2  # one batchUpdate + one append at most
KEEP_DELIVERED = timedelta(days=7)


@dataclass
class DeliveryReport:
    """What deliveries did: invoice rows written, rows blanked, write requests, the last error."""

    written: int = 0
    cleared: int = 0
    write_requests: int = 0
    failed: int = 0
    error: str = ""
    throttled: bool = False
    rounds: int = 0
    busy: bool = False  # another process is delivering (it holds the leader lease)

    def add(self, other: DeliveryReport) -> None:
        self.written += other.written
        self.cleared += other.cleared
        self.write_requests += other.write_requests
        self.failed += other.failed
        self.error = other.error or self.error
        self.throttled = other.throttled
        self.rounds += other.rounds


@dataclass
class _Claim:
    message_ids: list[int]
    invoices: list[SheetInvoice]
    cleared_numbers: list[str]
    attempts: int
    invoice_ids: list[int] = field(default_factory=list)


# --- configuration ---------------------------------------------------------------------------


def sheets_config(settings: Settings) -> SheetsConfig:
    return SheetsConfig(
        spreadsheet_id=settings.google_sheets_id,
        tab=settings.google_sheets_tab,
        credentials_file=settings.google_application_credentials,
        api_endpoint=settings.google_sheets_api_endpoint,
        timeout_seconds=settings.sheets_timeout_seconds,
    )


@lru_cache(maxsize=4)
def _client(config: SheetsConfig) -> GoogleSheetsClient:
    return GoogleSheetsClient(config)


def _lease(settings: Settings) -> timedelta:
    """Longer than any round can take: three requests (read, write, append) and a token fetch."""
    return timedelta(seconds=4 * settings.sheets_timeout_seconds + 10)


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base ... capped at the maximum."""
    seconds = settings.sheets_retry_base_seconds * 2 ** min(max(0, attempts - 1), 30)
    return timedelta(seconds=min(seconds, settings.sheets_retry_max_seconds))


# --- the write budget ------------------------------------------------------------------------


class WriteBudget:
    """Write requests sent in the last minute, kept under SHEETS_MAX_WRITES_PER_MINUTE."""

    def __init__(self) -> None:
        self._sent: list[datetime] = []

    def _window(self, now: datetime) -> list[datetime]:
        self._sent = [t for t in self._sent if now - timedelta(minutes=1) < t <= now]
        return self._sent

    def record(self, now: datetime) -> None:
        self._sent.append(now)

    def wait_seconds(self, now: datetime, limit: int) -> float:
        """Seconds until a round's writes fit (0: go ahead)."""
        window = self._window(now)
        if len(window) + WRITES_PER_ROUND <= limit:
            return 0.0
        return max(0.1, (min(window) + timedelta(minutes=1) - now).total_seconds())


_budget = WriteBudget()


# --- claiming and recording ------------------------------------------------------------------


def _due(now: datetime):
    return (
        (OutboxMessage.status == DeliveryStatus.PENDING)
        & (OutboxMessage.next_attempt_at <= now)
        & leases.lease_is_free(OutboxMessage, now)
    )


def _leased(now: datetime):
    """Invoices with a message some process holds right now: not claimable piecemeal."""
    return select(OutboxMessage.invoice_id).where(
        OutboxMessage.status == DeliveryStatus.PENDING,
        OutboxMessage.lease_expires_at > now,
        OutboxMessage.invoice_id.is_not(None),
    )


def _anything_due(now: datetime) -> bool:
    with read_session() as session:
        return session.execute(select(OutboxMessage.id).where(_due(now)).limit(1)).first() is not None


@contextmanager
def lead(settings: Settings, *, wait: bool = False) -> Iterator[bool]:
    """Hold the right to deliver: this process's DELIVERY_LOCK and the ``sheets`` leader lease.
    Yields False (at once) when another process holds it, unless ``wait``. Re-entrant."""
    global _leading
    with DELIVERY_LOCK:
        if _leading:
            _leading += 1
            try:
                yield True
            finally:
                _leading -= 1
            return
        while not leases.hold(LEADER, _lease(settings)):
            if not wait:
                yield False
                return
            time.sleep(0.5)
        _leading = 1
        try:
            yield True
        finally:
            _leading = 0
            leases.release(LEADER)


def _claim(now: datetime, settings: Settings) -> _Claim | None:
    batch = settings.sheets_batch_size
    with write_session() as session:
        invoice_ids = list(
            session.execute(
                select(OutboxMessage.invoice_id)
                .where(OutboxMessage.topic == SHEET_TOPIC, _due(now), OutboxMessage.invoice_id.not_in(_leased(now)))
                .group_by(OutboxMessage.invoice_id)
                .order_by(func.min(OutboxMessage.id))
                .limit(batch)
            ).scalars()
        )
        clear_ids = list(
            session.execute(
                select(OutboxMessage.id)
                .where(OutboxMessage.topic == SHEET_CLEAR_TOPIC, _due(now))
                .order_by(OutboxMessage.id)
                .limit(batch)
            ).scalars()
        )
        if not invoice_ids and not clear_ids:
            return None
        # Every due message of those invoices, under a lease. Their next attempt moves to the
        # lease's end too, so a change queued meanwhile joins them (activity.enqueue_sheet_syncs).
        lease_ends = now + _lease(settings)
        claimed = leases.claim_rows(
            session,
            OutboxMessage,
            where=(
                (OutboxMessage.status == DeliveryStatus.PENDING)
                & (OutboxMessage.next_attempt_at <= now)
                & (
                    (OutboxMessage.topic == SHEET_TOPIC) & OutboxMessage.invoice_id.in_(invoice_ids)
                    | OutboxMessage.id.in_(clear_ids)
                )
            ),
            order_by=(OutboxMessage.id,),
            limit=None,
            lease=_lease(settings),
            now=now,
            values={"next_attempt_at": lease_ends, "attempts": lambda m: m.attempts + 1},
        )
        if not claimed:
            return None
        claimed_invoices = sorted({m.invoice_id for m in claimed if m.topic == SHEET_TOPIC})
        numbers = [json.loads(m.payload).get("number", "") for m in claimed if m.topic == SHEET_CLEAR_TOPIC]
        return _Claim(
            message_ids=[m.id for m in claimed],
            invoices=_load_invoices(session, claimed_invoices),
            cleared_numbers=[n for n in numbers if n],
            attempts=max(m.attempts for m in claimed),
            invoice_ids=claimed_invoices,
        )


def _load_invoices(session, invoice_ids: list[int]) -> list[SheetInvoice]:
    """The invoices as they are now, in one query (deleted ones are simply absent)."""
    if not invoice_ids:
        return []
    rows = session.execute(
        select(
            Invoice.id, Invoice.number, Client.name, Invoice.amount, Invoice.status,
            Invoice.due_date, Invoice.paid_at, Invoice.sheets_row_id,
            Invoice.amount_paid,
        )
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.id.in_(invoice_ids))
        .order_by(Invoice.id)
    ).all()
    return [
        SheetInvoice(
            invoice_id=i, number=display_number(number, i), client=client, amount=amount, status=status,
            due_date=due, paid_date=paid, row_hint=parse_row_hint(hint),
            amount_paid=paid_amount,
            previous=display_number(None, i) if number else "",
        )
        for i, number, client, amount, status, due, paid, hint, paid_amount in rows
    ]


def _record_success(claim: _Claim, rows: dict[int, int], now: datetime) -> None:
    with write_session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(claim.message_ids), leases.mine(OutboxMessage))
            .values(status=DeliveryStatus.DONE, processed_at=now, last_error="", **leases.RELEASED)
        )
        # Changes queued while this round ran waited for it; they are due now, and their
        # invoices stay PENDING until the next round writes them.
        newer = set(
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.topic == SHEET_TOPIC,
                    OutboxMessage.status == DeliveryStatus.PENDING,
                    OutboxMessage.invoice_id.in_(claim.invoice_ids),
                )
                .values(next_attempt_at=now)
                .returning(OutboxMessage.invoice_id)
            ).scalars()
        )
        synced = [
            {"id": i, "sheets_row_id": str(row), "sheet_sync_status": SHEET_SYNCED,
             "sheet_sync_error": "", "sheet_synced_at": now}
            for i, row in rows.items() if i not in newer
        ]
        moved = [{"id": i, "sheets_row_id": str(row)} for i, row in rows.items() if i in newer]
        for batch in (synced, moved):
            if batch:
                session.execute(update(Invoice), batch)


def _record_failure(claim: _Claim, error: SheetsError, now: datetime, settings: Settings) -> datetime:
    delay = retry_delay(claim.attempts, settings) if error.retryable else timedelta(
        seconds=settings.sheets_retry_max_seconds
    )
    next_at = now + delay
    # Shown on the invoice page: the business's clock and locale, like every time people read.
    reason = f"{error.message}; retrying at {format_timestamp(next_at, business_timezone())} (attempt {claim.attempts})"
    with write_session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(claim.message_ids), leases.mine(OutboxMessage))
            .values(next_attempt_at=next_at, last_error=error.message, **leases.RELEASED)
        )
        session.execute(  # changes queued meanwhile wait with them
            update(OutboxMessage)
            .where(
                OutboxMessage.topic == SHEET_TOPIC,
                OutboxMessage.status == DeliveryStatus.PENDING,
                OutboxMessage.claimed_by.is_(None),
                OutboxMessage.invoice_id.in_(claim.invoice_ids),
            )
            .values(next_attempt_at=next_at, last_error=error.message)
        )
        if claim.invoice_ids:
            session.execute(
                update(Invoice)
                .where(Invoice.id.in_(claim.invoice_ids))
                .values(sheet_sync_status=SHEET_FAILED, sheet_sync_error=reason)
            )
    return next_at


# --- delivery --------------------------------------------------------------------------------


def _write(claim: _Claim, client: GoogleSheetsClient, report: DeliveryReport, now: datetime) -> dict[int, int]:
    """Find the rows and write them; returns invoice id -> row for every invoice written."""
    plan = plan_writes(client.read_column_a(), claim.invoices, claim.cleared_numbers)
    rows = dict(plan.rows)
    if plan.updates:
        _budget.record(now)
        report.write_requests += 1
        client.write_rows(plan.updates)
    if plan.appends:
        _budget.record(now)
        report.write_requests += 1
        rows.update(plan.appended_rows(client.append_rows(plan.append_values())))
    report.cleared = len(plan.updates) - len(plan.rows)
    return rows


def _deliver_round(now: datetime, settings: Settings) -> tuple[DeliveryReport, bool]:
    """One claim-write-record round. Returns the report and whether anything was claimed."""
    report = DeliveryReport()
    if _budget.wait_seconds(now, settings.sheets_max_writes_per_minute):
        report.throttled = True
        return report, False
    claim = _claim(now, settings)
    if claim is None:
        return report, False
    report.rounds = 1
    try:
        rows = _write(claim, _client(sheets_config(settings)), report, now)
    except SheetsError as err:
        next_at = _record_failure(claim, err, now, settings)
        report.failed = len(claim.invoice_ids)
        report.error = err.message
        log.warning("sheet sync failed for %d invoice(s): %s; next try %s", report.failed, err.message, next_at)
        return report, True
    _record_success(claim, rows, now)
    report.written = len(rows)
    return report, True


def deliver_pending(
    now: datetime | None = None,
    *,
    wait_for_budget: bool = False,
    wait_for_lease: bool = False,
    after_round: Callable[[DeliveryReport], None] | None = None,
) -> DeliveryReport:
    """Deliver every due outbox message, round after round, until none is due or a round
    fails (the rest waits for its backoff). When the per-minute write budget is spent it stops,
    or with ``wait_for_budget`` sleeps until the budget allows the next round. While another
    process delivers it returns at once (``busy``), or with ``wait_for_lease`` waits its turn.
    ``after_round`` receives the running totals after each round."""
    settings = get_settings()
    report = DeliveryReport()
    if not settings.sheets_enabled or not _anything_due(now or utcnow()):
        return report  # the usual case: no lease taken, no write transaction
    with lead(settings, wait=wait_for_lease) as leading:
        if not leading:
            report.busy = True
            return report
        while True:
            round_now = now or utcnow()
            wait = _budget.wait_seconds(round_now, settings.sheets_max_writes_per_minute)
            if wait and wait_for_budget and now is None:
                time.sleep(wait)
                continue
            if not leases.hold(LEADER, _lease(settings)):  # renew for this round
                report.busy = True
                return report
            result, claimed = _deliver_round(round_now, settings)
            report.add(result)
            if after_round and claimed:
                after_round(report)
            if not claimed or result.error:
                return report


def prune_delivered(now: datetime | None = None) -> int:
    """Forget sheet messages delivered more than a week ago (the outbox stays small)."""
    cutoff = (now or utcnow()) - KEEP_DELIVERED
    with write_session() as session:
        result = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.topic.in_((SHEET_TOPIC, SHEET_CLEAR_TOPIC)),
                OutboxMessage.status == DeliveryStatus.DONE,
                OutboxMessage.processed_at < cutoff,
            )
        )
        return result.rowcount or 0
