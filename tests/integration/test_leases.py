"""The lease machinery (services/jobs/leases.py) on the test's database -- SQLite, and
PostgreSQL in the ``--db postgresql`` run: claims never overlap, a dead holder's lease is taken
over after it expires, a leader lease has one holder, a periodic job runs once per period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.models import DeliveryStatus, JobLease, OutboxMessage
from invoice_crm.services.jobs import leases
from tests.integration.helpers import at_once

LEASE = timedelta(seconds=30)


def _queue(count: int) -> None:
    with write_session() as s:
        for i in range(count):
            s.add(OutboxMessage(topic="test", invoice_id=i + 1, payload="{}"))


def _claim(now, limit=5) -> list[int]:
    with write_session() as s:
        rows = leases.claim_rows(
            s, OutboxMessage, where=OutboxMessage.status == DeliveryStatus.PENDING,
            order_by=(OutboxMessage.id,), limit=limit, lease=LEASE, now=now,
        )
        return [r.id for r in rows]


def _as_other_process(monkeypatch, name: str) -> None:
    monkeypatch.setattr(leases, "_holder", (leases.os.getpid(), name))


def test_concurrent_claimers_take_different_rows(database):
    _queue(40)
    now = utcnow()

    def claimer() -> list[int]:
        return [i for _ in range(4) for i in _claim(now)]

    ids = [i for claimed in at_once(claimer, 4) for i in claimed]
    assert sorted(ids) == list(range(1, 41))  # every row once, none twice
    with read_session() as s:
        rows = s.execute(select(OutboxMessage)).scalars().all()
    assert {r.claimed_by for r in rows} == {leases.worker_id()}
    assert all(r.lease_expires_at == now + LEASE for r in rows)


def test_a_dead_holders_rows_are_taken_over_after_the_lease(database, monkeypatch):
    _queue(3)
    now = utcnow()
    _as_other_process(monkeypatch, "dead-host:1:aaaa")
    assert _claim(now) == [1, 2, 3]
    _as_other_process(monkeypatch, "live-host:2:bbbb")
    assert _claim(now + LEASE - timedelta(seconds=1)) == []  # still leased
    assert _claim(now + LEASE) == [1, 2, 3]
    with read_session() as s:
        assert set(s.execute(select(OutboxMessage.claimed_by)).scalars()) == {"live-host:2:bbbb"}


def test_a_leader_lease_has_one_holder_until_it_lapses_or_is_released(database, monkeypatch):
    now = utcnow()
    _as_other_process(monkeypatch, "a:1:x")
    assert leases.hold("job", LEASE, now)
    assert leases.hold("job", LEASE, now + timedelta(seconds=5))  # renewal by the holder
    _as_other_process(monkeypatch, "b:2:y")
    assert not leases.hold("job", LEASE, now + timedelta(seconds=10))
    assert leases.hold("job", LEASE, now + timedelta(seconds=5) + LEASE)  # a's lease lapsed
    leases.release("job")
    _as_other_process(monkeypatch, "a:1:x")
    assert leases.hold("job", LEASE, now + timedelta(seconds=36))


def test_a_periodic_job_runs_once_per_period_whoever_asks(database):
    now = utcnow()
    period = timedelta(seconds=60)
    wins = at_once(lambda: leases.due_once("sweep", period, now), 6)
    assert wins.count(True) == 1
    assert not leases.due_once("sweep", period, now + timedelta(seconds=59))
    assert leases.due_once("sweep", period, now + period)
    with read_session() as s:
        job = s.get(JobLease, "sweep")
    assert job.runs == 2 and job.last_run_by == leases.worker_id()
