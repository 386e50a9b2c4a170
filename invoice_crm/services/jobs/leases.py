"""Leases in the database, so any number of processes share the background work and each job
is done once.

Three tools, one mechanism (a holder and an expiry written in the database):

- ``claim_rows``: take due rows of an outbox (sheet rows, emails, and later reminders) for
  this process. On PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED``: concurrent claimers take
  different rows without waiting on each other. On SQLite the same statement without the lock
  clause, inside the ``BEGIN IMMEDIATE`` write transaction that already admits one writer at a
  time. A claimed row gets ``claimed_by`` and ``lease_expires_at``; a process that dies keeps
  it only until then, and the next claimer takes it over.
- ``hold``/``release``: a leader lease on a named job (one holder at a time, renewed while
  it works, lost when it lapses).
- ``due_once``: a once-per-period claim on a named job: of all the processes that ask in one
  period, exactly one is told to run it.

The holder name is per process (host, pid and a random part), so a restarted process never
mistakes an old lease for its own.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from invoice_crm.db import insert_missing, read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.models import JobLease

_holder: tuple[int, str] | None = None


def worker_id() -> str:
    """This process's name in ``claimed_by`` (recomputed after a fork)."""
    global _holder
    pid = os.getpid()
    if _holder is None or _holder[0] != pid:
        _holder = (pid, f"{socket.gethostname()[:30]}:{pid}:{secrets.token_hex(4)}")
    return _holder[1]


# --- rows of an outbox -------------------------------------------------------------------------


def lease_is_free(model: Any, now: datetime):
    """Unclaimed, or its holder's lease has run out."""
    return or_(model.lease_expires_at.is_(None), model.lease_expires_at <= now)


def claim_rows(
    session: Session,
    model: Any,
    *,
    where: Any,
    order_by: Sequence[Any],
    limit: int | None,
    lease: timedelta,
    now: datetime,
    values: dict[str, Any] | None = None,
) -> list[Any]:
    """Claim up to ``limit`` rows of ``model`` matching ``where`` whose lease is free, in
    ``order_by`` order, for this process until ``now + lease``; ``values`` are set on them too.

    Runs in the caller's write transaction (commit it to publish the claim)."""
    query = select(model).where(where, lease_is_free(model, now)).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises claims
        query = query.with_for_update(skip_locked=True)
    rows = list(session.execute(query).scalars())
    me = worker_id()
    for row in rows:
        row.claimed_by = me
        row.lease_expires_at = now + lease
        for name, value in (values or {}).items():
            setattr(row, name, value(row) if callable(value) else value)
    session.flush()
    return rows


def mine(model: Any, now: datetime | None = None):
    """Rows this process still holds (its lease not taken over; unexpired when ``now`` is given)."""
    condition = model.claimed_by == worker_id()
    if now is not None:
        condition = and_(condition, model.lease_expires_at > now)
    return condition


RELEASED = {"claimed_by": None, "lease_expires_at": None}


# --- named jobs ------------------------------------------------------------------------------


def _ensure_row(session: Session, name: str) -> None:
    insert_missing(session, JobLease, [{"name": name, "runs": 0}], "name")


def hold(name: str, ttl: timedelta, now: datetime | None = None) -> bool:
    """Take or renew the leader lease on ``name`` until ``now + ttl``; False if another holds it."""
    now = now or utcnow()
    me = worker_id()
    with write_session() as session:
        _ensure_row(session, name)
        taken = session.execute(
            update(JobLease)
            .where(
                JobLease.name == name,
                or_(JobLease.holder.is_(None), JobLease.holder == me, JobLease.expires_at <= now),
            )
            .values(holder=me, expires_at=now + ttl)
        )
        return taken.rowcount == 1


def release(name: str) -> None:
    """Give the leader lease up (only if this process still holds it)."""
    with write_session() as session:
        session.execute(
            update(JobLease)
            .where(JobLease.name == name, JobLease.holder == worker_id())
            .values(holder=None, expires_at=None)
        )


@contextmanager
def held(name: str, ttl: timedelta) -> Iterator[bool]:
    """``with held("sheets", ttl) as mine:`` -- ``mine`` says whether this process leads;
    the lease is released at the end of the block when it was taken."""
    taken = hold(name, ttl)
    try:
        yield taken
    finally:
        if taken:
            release(name)


def due_once(name: str, period: timedelta, now: datetime | None = None) -> bool:
    """True for exactly one caller per ``period`` across every process: the first one past the
    job's ``next_run_at`` moves it on by ``period`` and runs the job; the others skip it."""
    now = now or utcnow()
    with read_session() as session:  # usually not yet: look before taking the write lock
        next_run = session.execute(select(JobLease.next_run_at).where(JobLease.name == name)).scalar()
    if next_run is not None and next_run > now:
        return False
    with write_session() as session:
        _ensure_row(session, name)
        won = session.execute(
            update(JobLease)
            .where(JobLease.name == name, or_(JobLease.next_run_at.is_(None), JobLease.next_run_at <= now))
            .values(next_run_at=now + period, last_run_by=worker_id(), last_run_at=now, runs=JobLease.runs + 1)
        )
        return won.rowcount == 1
