"""Per-minute budgets kept in the database (so every worker counts the same uses): the
client's Pay button, per invoice and per client address."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from invoice_crm.db import write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import RateLimit

WINDOW = timedelta(minutes=1)


class RateLimited(ValidationError):
    """Too many uses of something in the last minute; ``retry_after`` seconds to wait."""

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


def take(keys: list[str], limit: int, message: str) -> None:
    """Count one use against every key; raise RateLimited (counting nothing) when any key
    has used its ``limit`` in the current window."""
    now = utcnow()
    with write_session() as session:
        rows = []
        for key in keys:
            row = session.get(RateLimit, key[:200])
            if row is None or row.window_start <= now - WINDOW:
                row = row or RateLimit(key=key[:200], window_start=now, count=0)
                row.window_start, row.count = now, 0
            rows.append(row)
        full = [row for row in rows if row.count >= limit]
        if full:
            wait = max(int((row.window_start + WINDOW - now).total_seconds()) + 1 for row in full)
            raise RateLimited(f"{message} Try again in {wait} seconds.", retry_after=wait)
        for row in rows:
            row.count += 1
            session.add(row)
        session.execute(delete(RateLimit).where(RateLimit.window_start < now - 10 * WINDOW))
