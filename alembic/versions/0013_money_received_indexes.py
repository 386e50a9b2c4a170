"""index payment and refund by date: the dashboard's money received from the indexes alone

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_payment_received', 'payment', ['paid_on', 'currency', 'amount', 'invoice_id', 'removed_at'])
    op.create_index('ix_refund_given', 'refund', ['refunded_on', 'currency', 'amount'])


def downgrade() -> None:
    op.drop_index('ix_refund_given', table_name='refund')
    op.drop_index('ix_payment_received', table_name='payment')
