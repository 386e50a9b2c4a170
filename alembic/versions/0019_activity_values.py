"""invoice_event.details: amounts and dates kept as values, written when the Activity is read

Lines written before were finished text in the locale of that moment, so a later change of
locale left one timeline in two formats. Each line's amounts in its invoice's currency and its
dates, where the text is exactly what the business locale saved now writes, become values
(domain.activity.marked_values); anything else stays as written. Downgrade writes the values
out again in the saved locale and timezone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from invoice_crm.domain import numbers
from invoice_crm.domain.activity import activity_text, marked_values

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
events = sa.table("invoice_event", sa.column("id", sa.Integer), sa.column("invoice_id", sa.Integer),
                  sa.column("details", sa.Text))
invoices = sa.table("invoice", sa.column("id", sa.Integer), sa.column("currency", sa.String))


def _saved(connection, column: str, fallback: str) -> str:
    """The business's saved locale or timezone (Settings), else the environment's, else ours."""
    value = connection.execute(sa.text(f"select {column} from business_settings order by id limit 1")).scalar()
    return value or fallback


def _fallback_locale() -> str:
    import os

    try:
        return numbers.check_locale(os.environ.get("BUSINESS_LOCALE") or numbers.DEFAULT_LOCALE)
    except ValueError:
        return numbers.DEFAULT_LOCALE


def _rewrite(change) -> None:
    """``change(details, currency)`` for every line, in batches by id; only changed lines written."""
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.details, invoices.c.currency)
            .join(invoices, invoices.c.id == events.c.invoice_id)
            .where(events.c.id > after).order_by(events.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        changed = [{"row_id": r.id, "text": new} for r in rows if (new := change(r.details or "", r.currency or "USD")) != r.details]
        if changed:
            connection.execute(
                events.update().where(events.c.id == sa.bindparam("row_id")).values(details=sa.bindparam("text")),
                changed,
            )


def upgrade() -> None:
    locale = numbers.check_locale(_saved(op.get_bind(), "locale", _fallback_locale()))
    _rewrite(lambda details, currency: marked_values(details, currency, locale))


def downgrade() -> None:
    connection = op.get_bind()
    locale = numbers.check_locale(_saved(connection, "locale", _fallback_locale()))
    zone = _saved(connection, "timezone", "UTC")
    _rewrite(lambda details, currency: activity_text(details, zone, locale))
