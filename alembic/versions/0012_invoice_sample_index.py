"""index invoice.is_sample: "is there sample data?" without reading every invoice

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_invoice_is_sample', 'invoice', ['is_sample'])


def downgrade() -> None:
    op.drop_index('ix_invoice_is_sample', table_name='invoice')
