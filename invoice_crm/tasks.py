"""Background work that runs for the life of the app process.

Each worker runs its step in a thread (a user's click never waits on it), then sleeps until
its interval passes or a commit that gave it work wakes it (``services.wakeups``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from invoice_crm.services import email_sender as sender
from invoice_crm.services import sheets_resync, sheets_sync, wakeups
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)


async def _run_worker(name: str, step: Callable[[], None], interval: float, wakeup: wakeups.Wakeup | None = None) -> None:
    """Run ``step`` now, then after every ``interval`` seconds or ``wakeup``, until cancelled."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    unsubscribe = wakeup.subscribe(lambda: loop.call_soon_threadsafe(wake.set)) if wakeup else (lambda: None)
    try:
        while True:
            wake.clear()
            try:
                await asyncio.to_thread(step)
            except Exception:  # keep going; the work stays queued (e.g. a locked database) and is retried
                log.exception("%s failed", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=interval)
    finally:
        unsubscribe()


def _sweep() -> None:
    changed = sweep_overdue()
    if changed:
        log.info("overdue sweep: %d invoice(s) now overdue", changed)


async def overdue_sweeper() -> None:
    """Sweep at start-up, then every OVERDUE_SWEEP_SECONDS (the date rolls over at midnight)."""
    await _run_worker("overdue sweep", _sweep, max(5, get_settings().overdue_sweep_seconds))


def _deliver_emails() -> None:
    sent = sender.deliver_pending_emails()
    if sent:
        log.info("email sender: %d email(s) delivered", sent)


async def email_sender() -> None:
    """Deliver queued emails: at start-up, every EMAIL_POLL_SECONDS (retries fall due), and at
    once when a send, reminder or retry commits."""
    await _run_worker("email delivery", _deliver_emails, max(1, get_settings().email_poll_seconds), wakeups.EMAIL)


async def sheets_sync_worker() -> None:
    """Deliver the sheet outbox: at start-up, after every commit that queued sheet work, and
    every SHEETS_SYNC_INTERVAL_SECONDS (retries come due)."""
    settings = get_settings()
    if not settings.sheets_enabled:
        log.info("Google Sheets sync is off (GOOGLE_SHEETS_ID / GOOGLE_APPLICATION_CREDENTIALS not set)")
        return
    pruned_at = 0.0

    def deliver() -> None:
        nonlocal pruned_at
        report = sheets_sync.deliver_pending()
        if report.written or report.cleared:
            log.info("sheet sync: %d row(s) written, %d cleared", report.written, report.cleared)
        if time.monotonic() - pruned_at > 3600:
            sheets_sync.prune_delivered()
            pruned_at = time.monotonic()

    queued = await asyncio.to_thread(sheets_resync.queue_unsynced)
    if queued:
        log.info("sheet sync: queued %d invoice(s) not yet in the sheet", queued)
    await _run_worker("sheet sync", deliver, max(0.5, settings.sheets_sync_interval_seconds), wakeups.SHEETS)
