"""Background work that runs for the life of the app process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from invoice_crm.services import activity, sheets_resync, sheets_sync
from invoice_crm.services import email_sender as sender
from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)


async def overdue_sweeper() -> None:
    """Sweep at start-up, then every OVERDUE_SWEEP_SECONDS (the date rolls over at midnight)."""
    interval = max(5, get_settings().overdue_sweep_seconds)
    while True:
        try:
            changed = await asyncio.to_thread(sweep_overdue)
            if changed:
                log.info("overdue sweep: %d invoice(s) now overdue", changed)
        except Exception:  # keep sweeping; one failed run (e.g. a locked database) is retried
            log.exception("overdue sweep failed")
        await asyncio.sleep(interval)


async def email_sender() -> None:
    """Deliver queued emails: at start-up, every EMAIL_POLL_SECONDS (retries fall due), and at
    once when a send, reminder or retry commits (``sender.nudge``). SMTP runs in a thread."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    sender.set_waker(lambda: loop.call_soon_threadsafe(wake.set))
    interval = max(1, get_settings().email_poll_seconds)
    try:
        while True:
            wake.clear()
            try:
                sent = await asyncio.to_thread(sender.deliver_pending_emails)
                if sent:
                    log.info("email sender: %d email(s) delivered", sent)
            except Exception:  # keep going; the rows stay queued and are tried again
                log.exception("email delivery run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=interval)
    finally:
        sender.set_waker(None)


async def sheets_sync_worker() -> None:
    """Deliver the sheet outbox: at start-up, after every commit that queued sheet work, and
    every SHEETS_SYNC_INTERVAL_SECONDS (retries come due). Rounds run in a thread."""
    settings = get_settings()
    if not settings.sheets_enabled:
        log.info("Google Sheets sync is off (GOOGLE_SHEETS_ID / GOOGLE_APPLICATION_CREDENTIALS not set)")
        return
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    unsubscribe = activity.on_sheet_work(lambda: loop.call_soon_threadsafe(wake.set))
    pruned_at = 0.0
    try:
        queued = await asyncio.to_thread(sheets_resync.queue_unsynced)
        if queued:
            log.info("sheet sync: queued %d invoice(s) not yet in the sheet", queued)
        while True:
            wake.clear()
            try:
                report = await asyncio.to_thread(sheets_sync.deliver_pending)
                if report.written or report.cleared:
                    log.info("sheet sync: %d row(s) written, %d cleared", report.written, report.cleared)
                if time.monotonic() - pruned_at > 3600:
                    await asyncio.to_thread(sheets_sync.prune_delivered)
                    pruned_at = time.monotonic()
            except Exception:  # keep delivering; e.g. a locked database is retried next wake
                log.exception("sheet sync round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=max(0.5, settings.sheets_sync_interval_seconds))
    finally:
        unsubscribe()
