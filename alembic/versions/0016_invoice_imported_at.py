"""record when an imported invoice came into the app: its reminder steps before that never apply

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('invoice', sa.Column('imported_at', invoice_crm.db_types.UTCDateTime(), nullable=True))
    # Invoices imported before: the time of their "imported" activity entry (same column type).
    invoice = sa.table('invoice', sa.column('id'), sa.column('imported', sa.Boolean()), sa.column('imported_at'))
    event = sa.table('invoice_event', sa.column('invoice_id'), sa.column('kind'), sa.column('created_at'))
    first = (
        sa.select(sa.func.min(event.c.created_at))
        .where(event.c.invoice_id == invoice.c.id, event.c.kind == 'imported')
        .scalar_subquery()
    )
    op.execute(invoice.update().where(invoice.c.imported == sa.true()).values(imported_at=first))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not batch mode: a rebuilt table would lose
    # AUTOINCREMENT and the number search's triggers (migration 0015).
    op.drop_column('invoice', 'imported_at')
