"""Background work that runs for the life of the app process."""

from __future__ import annotations

import asyncio
import logging

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
