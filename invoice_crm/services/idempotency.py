"""Once per user intent: a form makes a key when it opens; the change it submits is stored
with that key, in the same transaction, under a unique constraint.

A repeated submission of the same form (a double click, a replayed websocket event, a retry
after a lost answer) finds the key and gets the first result back instead of doing it again.
On SQLite the writing transactions are serialised (``BEGIN IMMEDIATE``), so the look-up sees
any earlier commit; elsewhere two racing inserts of one key make the second transaction fail
on the primary key, and ``run_once`` then answers with the winner's result.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import IdempotencyKey

T = TypeVar("T")
KEEP = timedelta(days=30)


class AlreadyDone(Exception):
    """Raised inside a transaction whose key was used before: carries the first result."""

    def __init__(self, result_id: int | None) -> None:
        super().__init__(f"already done (result {result_id})")
        self.result_id = result_id


def new_key() -> str:
    """A key for a form that has just opened (128 random bits)."""
    return secrets.token_hex(16)


def _check(key: str) -> str:
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        raise ValidationError("This form has expired; reload the page and try again", field="form")
    return key


def previous_result(session: Session, key: str, action: str) -> IdempotencyKey | None:
    row = session.get(IdempotencyKey, _check(key))
    if row is not None and row.action != action:
        raise ValidationError("This form was already used for something else; reload the page", field="form")
    return row


def claim(session: Session, key: str | None, action: str) -> None:
    """Inside the change's transaction, before the change: raise ``AlreadyDone`` if the key
    was used. No key (a service called by code, not by a form): nothing is checked."""
    if key is None:
        return
    row = previous_result(session, key, action)
    if row is not None:
        raise AlreadyDone(row.result_id)


def remember(session: Session, key: str | None, action: str, result_id: int | None) -> None:
    """Inside the change's transaction, after the change: store the key and its result."""
    if key is None:
        return
    session.add(IdempotencyKey(key=_check(key), action=action, result_id=result_id, created_at=utcnow()))
    session.flush()


def run_once(
    key: str | None,
    action: str,
    work: Callable[[Session], T],
    result_id: Callable[[T], int | None],
    replay: Callable[[int | None], T],
) -> T:
    """Run ``work`` in one transaction with the key claimed and remembered; a repeat of the
    key (found, or lost on the unique constraint to a racing transaction) returns ``replay``
    of the first result."""
    try:
        with write_session() as session:
            claim(session, key, action)
            value = work(session)
            remember(session, key, action, result_id(value))
            return value
    except AlreadyDone as done:
        return replay(done.result_id)
    except IntegrityError:
        if key is None:
            raise
        with read_session() as session:
            row = previous_result(session, key, action)
        if row is None:
            raise
        return replay(row.result_id)


def was_used(key: str, action: str) -> bool:
    with read_session() as session:
        return previous_result(session, key, action) is not None


def prune(now=None) -> int:
    """Forget keys older than a month (no form stays open that long)."""
    cutoff = (now or utcnow()) - KEEP
    with write_session() as session:
        return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount or 0
