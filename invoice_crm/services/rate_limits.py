"""Per-minute budgets kept in the database (so every worker counts the same uses): the
client's Pay button, per invoice and per client address."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from invoice_crm.db import insert_missing, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.numbers import count_of
from invoice_crm.models import RateLimit

WINDOW = timedelta(minutes=1)


def try_again_in(seconds: int) -> str:
    """The sentence every throttle ends with: ``Try again in 1 second.``, ``… 29 seconds.``"""
    return f"Try again in {count_of(seconds, 'second', 'seconds')}."


class RateLimited(ValidationError):
    """Too many uses of something in the last minute; ``retry_after`` seconds to wait."""

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def take(keys: list[str], limit: int, message: str) -> None:
    """Count one use against every key; raise RateLimited (counting nothing) when any key
    has used its ``limit`` in the current window.

    Several workers may count the same key at once: each key's row is made if missing
    (INSERT … ON CONFLICT DO NOTHING, so two first uses do not both insert it), then the rows
    are locked in one order (FOR UPDATE on PostgreSQL; SQLite's write transaction already
    runs alone), so every use is counted once and two takes cannot deadlock."""
    now = utcnow()
    keys = sorted({key[:200] for key in keys})
    with write_session() as session:
        insert_missing(session, RateLimit, [{"key": key, "window_start": now, "count": 0} for key in keys], "key")
        rows = session.execute(
            select(RateLimit).where(RateLimit.key.in_(keys)).order_by(RateLimit.key).with_for_update()
        ).scalars().all()
        for row in rows:
            if row.window_start <= now - WINDOW:
                row.window_start, row.count = now, 0
        full = [row for row in rows if row.count >= limit]
        if full:
            wait = max(int((row.window_start + WINDOW - now).total_seconds()) + 1 for row in full)
            raise RateLimited(f"{message} {try_again_in(wait)}", retry_after=wait)
        for row in rows:
            row.count += 1
        # Old keys go, except one another take holds locked (waiting for it could deadlock).
        stale = select(RateLimit.key).where(RateLimit.window_start < now - 10 * WINDOW).with_for_update(skip_locked=True)
        session.execute(delete(RateLimit).where(RateLimit.key.in_(stale.scalar_subquery())))
