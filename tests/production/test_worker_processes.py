"""Several worker processes on one PostgreSQL database: every job done once, a worker killed
with SIGKILL mid-batch is replaced after its lease expires, nothing duplicated or lost, and the
periodic sweep runs once per period across all of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import DeliveryStatus, EmailMessage, Invoice, JobLease, OutboxMessage
from invoice_crm.services import delivery, invoices, queries
from invoice_crm.services.sheets_sync import LEADER
from tests.conftest import reset_caches
from tests.fakes.fake_smtp import FakeSMTPServer
from tests.fakes.sheets_fixture import start_fake_sheets
from tests.fakes.smtp_fixture import SMTP_PASSWORD, SMTP_USERNAME, smtp_env
from tests.integration.helpers import TODAY, make_client, make_invoice
from tests.integration.sheets.support import assert_sheet_equals_database

INVOICES = 24
EMAILS = 6


def _wait(condition, timeout: float, what: str, workers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{workers.output() if workers else ''}")


def _count(model, *where) -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _leader() -> JobLease | None:
    with read_session() as s:
        return s.get(JobLease, LEADER)


def _mid_batch_holder() -> str | None:
    """A process holding sheet messages right now (claimed, not yet written)."""
    with read_session() as s:
        return s.execute(
            select(OutboxMessage.claimed_by).where(
                OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.claimed_by.is_not(None)
            ).limit(1)
        ).scalar()


def test_three_workers_one_killed_mid_batch_deliver_everything_exactly_once(pg_database, tmp_path, monkeypatch, workers):
    fake, sheets_env = start_fake_sheets(tmp_path)
    smtp = FakeSMTPServer(username=SMTP_USERNAME, password=SMTP_PASSWORD).start()
    try:
        env = {
            **sheets_env,
            **smtp_env(smtp),
            "DATABASE_URL": pg_database,
            "SHEETS_TIMEOUT_SECONDS": "1",  # leases of 4 x 1 + 10 = 14 s
            "SHEETS_BATCH_SIZE": "4",
            "SHEETS_MAX_WRITES_PER_MINUTE": "600",
            "SHEETS_SYNC_INTERVAL_SECONDS": "0.5",
            "EMAIL_POLL_SECONDS": "1",
            "OVERDUE_SWEEP_SECONDS": "5",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        reset_caches()
        client = make_client("Acme Robotics", "billing@acme.example")
        made = [make_invoice(client.id) for _ in range(INVOICES)]
        for inv in made[:EMAILS]:  # emailed: SENT, one email each
            draft = delivery.compose_invoice_email(inv.id)
            delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body, "me@example.com")
        overdue = make_invoice(client.id, issue=TODAY - timedelta(days=20), due=TODAY - timedelta(days=5))
        invoices.send_invoice(overdue.id)
        fake.response_delay = 0.3  # a slow sheet: each round takes a second or so

        group = workers(env)
        started = time.monotonic()
        group.start(3)

        # Every email goes out exactly once, whichever worker takes it.
        _wait(lambda: _count(EmailMessage, EmailMessage.status == DeliveryStatus.DONE) == EMAILS, 60, "emails", group)
        ids = [m.message["Message-ID"] for m in smtp.messages]
        assert len(ids) == EMAILS and len(set(ids)) == EMAILS

        # Mid-batch: the sheet is partly written and a worker holds claimed messages. Kill it.
        _wait(lambda: len(fake.data_rows()) >= 4 and _mid_batch_holder(), 60, "a batch in flight", group)
        holder = _mid_batch_holder()
        pid = int(holder.split(":")[1])
        victim = group.by_pid(pid)
        os.kill(pid, signal.SIGKILL)
        victim.wait(timeout=10)
        killed_at = time.monotonic()
        stranded = _count(OutboxMessage, OutboxMessage.claimed_by == holder, OutboxMessage.status == DeliveryStatus.PENDING)
        assert stranded > 0 and len(fake.data_rows()) < INVOICES + 1

        # The others wait out the lease, then finish the batch and the rest.
        _wait(lambda: _count(OutboxMessage, OutboxMessage.status != DeliveryStatus.DONE) == 0, 90, "the outbox to drain", group)
        assert time.monotonic() - killed_at >= 10  # not before the dead worker's lease ran out
        assert _count(OutboxMessage, OutboxMessage.claimed_by.is_not(None)) == 0  # nothing left claimed
        assert _count(EmailMessage, EmailMessage.claimed_by.is_not(None)) == 0
        leader = _leader()
        assert leader.holder != holder
        assert_sheet_equals_database(fake)  # every invoice once: no row duplicated or lost
        assert len(fake.data_rows()) == INVOICES + 1

        # The overdue sweep ran once per 5-second period across the three workers, not per worker.
        elapsed = time.monotonic() - started
        with read_session() as s:
            sweep = s.get(JobLease, "overdue-sweep")
            assert s.get(Invoice, overdue.id).status is InvoiceStatus.OVERDUE
        assert 1 <= sweep.runs <= elapsed / 5 + 1, (sweep.runs, elapsed)
        assert [p.poll() for p in group.procs if p is not victim] == [None, None]
    finally:
        smtp.stop()
        fake.stop()


def test_the_dashboard_shows_a_payment_another_process_recorded(pg_database):
    client = make_client()
    inv = make_invoice(client.id, lines=[{"description": "Work", "quantity": "1", "unit_price": "1234.50"}])
    invoices.send_invoice(inv.id)
    before = queries.dashboard_summary()
    assert before["paid_30d_count"] == 0
    subprocess.run(  # another worker process records the payment
        [sys.executable, "-c", f"from invoice_crm.services.invoices import mark_paid; mark_paid({inv.id})"],
        check=True, env=os.environ.copy(),
    )
    after = queries.dashboard_summary()
    assert after["paid_30d_count"] == 1 and "1,234.50" in after["paid_30d"]
    assert after["outstanding_count"] == before["outstanding_count"] - 1
