"""Background work: the loops that run for the life of a process.

They run inside every web worker (Reflex lifespan tasks, see invoice_crm.py) unless
RUN_BACKGROUND_TASKS=false, and in ``python -m invoice_crm.worker``. Any number of processes
may run them at once: outbox rows are claimed with leases and periodic jobs run once per period
across all processes (``services.jobs.leases``).

Each worker runs its step in a thread (a user's click never waits on it), then sleeps until
its interval passes or a commit in this process that gave it work wakes it
(``services.wakeups``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from invoice_crm.services import email_sender as sender
from invoice_crm.services import recurring, recurring_issue, reminders, sheets_resync, sheets_sync, wakeups
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.services.jobs import leases
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 1.0  # another process holds the work: look again soon


async def _run_worker(
    name: str, step: Callable[[], float | None], interval: float, wakeup: wakeups.Wakeup | None = None
) -> None:
    """Run ``step`` now, then after every ``interval`` seconds (or the seconds ``step``
    returned), or on ``wakeup``, until cancelled."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    unsubscribe = wakeup.subscribe(lambda: loop.call_soon_threadsafe(wake.set)) if wakeup else (lambda: None)
    try:
        while True:
            wake.clear()
            wait = interval
            try:
                wait = await asyncio.to_thread(step) or interval
            except Exception:  # keep going; the work stays queued (e.g. a locked database) and is retried
                log.exception("%s failed", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=wait)
    finally:
        unsubscribe()


def sweep_step() -> None:
    """The overdue sweep, once per OVERDUE_SWEEP_SECONDS across every process."""
    period = timedelta(seconds=max(5, get_settings().overdue_sweep_seconds))
    if not leases.due_once("overdue-sweep", period):
        return
    changed = sweep_overdue()
    if changed:
        log.info("overdue sweep: %d invoice(s) now overdue", changed)


async def overdue_sweeper() -> None:
    """Sweep at start-up, then every OVERDUE_SWEEP_SECONDS (the date rolls over at midnight).
    Every process looks four times a period; one of them sweeps."""
    period = max(5, get_settings().overdue_sweep_seconds)
    await _run_worker("overdue sweep", sweep_step, max(1.0, period / 4))


def email_step() -> None:
    sent = sender.deliver_pending_emails()
    if sent:
        log.info("email sender: %d email(s) delivered", sent)


async def email_sender() -> None:
    """Deliver queued emails: at start-up, every EMAIL_POLL_SECONDS (retries fall due), and at
    once when a send, reminder or retry commits."""
    await _run_worker("email delivery", email_step, max(1, get_settings().email_poll_seconds), wakeups.EMAIL)


def sheets_step() -> float | None:
    """One delivery of the sheet outbox; prune delivered messages once an hour (any process)."""
    report = sheets_sync.deliver_pending()
    if report.written or report.cleared:
        log.info("sheet sync: %d row(s) written, %d cleared", report.written, report.cleared)
    if leases.due_once("sheets-prune", timedelta(hours=1)):
        sheets_sync.prune_delivered()
    return BUSY_RETRY_SECONDS if report.busy else None


async def sheets_sync_worker() -> None:
    """Deliver the sheet outbox: at start-up, after every commit that queued sheet work, and
    every SHEETS_SYNC_INTERVAL_SECONDS (retries come due)."""
    settings = get_settings()
    if not settings.sheets_enabled:
        log.info("Google Sheets sync is off (GOOGLE_SHEETS_ID / GOOGLE_APPLICATION_CREDENTIALS not set)")
        return
    queued = await asyncio.to_thread(sheets_resync.queue_unsynced)
    if queued:
        log.info("sheet sync: queued %d invoice(s) not yet in the sheet", queued)
    await _run_worker("sheet sync", sheets_step, max(0.5, settings.sheets_sync_interval_seconds), wakeups.SHEETS)


def reminder_step(now: datetime | None = None) -> None:
    """Scheduled reminders due ``now``, once per REMINDER_POLL_SECONDS across every process
    (the unique key per step keeps them once even if two processes ran it at the same time)."""
    period = timedelta(seconds=get_settings().reminder_poll_seconds)
    if not leases.due_once("reminders", period, now):
        return
    report = reminders.send_due_reminders(now)
    if report.sent or report.skipped:
        log.info("reminders: %d queued, %d skipped", report.sent, report.skipped)


async def reminder_worker() -> None:
    """Reminder steps that came due: at start-up (after downtime each due step once; too late
    ones skipped and logged), then every REMINDER_POLL_SECONDS. Every process looks four times
    a period; one of them sends."""
    period = get_settings().reminder_poll_seconds
    await _run_worker("reminders", reminder_step, max(1.0, period / 4))


def recurring_step() -> None:
    """Issue the recurring invoices that are due (profiles are claimed with leases, and each
    period's unique key keeps it once across every process)."""
    report = recurring_issue.issue_due()
    if report.issued:
        log.info("recurring: %d invoice(s) issued, %d emailed", len(report.issued), report.sent)


async def recurring_worker() -> None:
    """At start-up (periods missed while down), every RECURRING_POLL_SECONDS (the date rolls
    over), and at once when a profile is saved or resumed."""
    await _run_worker(
        "recurring invoices", recurring_step, max(5, get_settings().recurring_poll_seconds), recurring.RECURRING
    )


LOOPS = (overdue_sweeper, email_sender, sheets_sync_worker, reminder_worker, recurring_worker)
