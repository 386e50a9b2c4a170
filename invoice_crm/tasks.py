"""Background work that runs for the life of the app process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

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
