"""``python -m invoice_crm.worker``: the background work without the web app.

The same loops the web workers run (tasks.LOOPS: overdue sweep, email sender, sheet sync, reminders, recurring invoices), for
a deployment that sets RUN_BACKGROUND_TASKS=false on the web workers, or simply wants more of
them; the leases keep every job done once with any number of these and of web workers."""

from __future__ import annotations

import asyncio
import logging
import signal

from invoice_crm import startup, tasks
from invoice_crm.services.business_settings import follow_saved_locale
from invoice_crm.services.jobs import leases


async def run() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    follow_saved_locale()  # emails and PDFs in the locale saved in Settings
    running = [asyncio.create_task(job()) for job in tasks.LOOPS]
    logging.getLogger(__name__).info("background worker %s started", leases.worker_id())
    await stop.wait()
    for job in running:
        job.cancel()
    await asyncio.gather(*running, return_exceptions=True)


def main() -> None:
    startup.check_database()  # a wrong setting or DATABASE_URL: one line, before any loop starts
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    asyncio.run(run())


if __name__ == "__main__":
    main()
