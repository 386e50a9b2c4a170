"""stripe_checkout_session: the amount and currency each Checkout session was made for, as data

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stripe_checkout_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=255), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', invoice_crm.db_types.ScaledDecimal(places=2, precision=14), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    op.create_index(op.f('ix_stripe_checkout_session_invoice_id'), 'stripe_checkout_session', ['invoice_id'], unique=False)
    # Each invoice's current session was stored with the amount it was made for (same column
    # types, copied as stored). Sessions it replaced are known only from their Activity row:
    # services.payments reads that text for a session with no row here.
    op.execute(
        sa.text(
            "insert into stripe_checkout_session (session_id, invoice_id, amount, currency, created_at) "
            "select stripe_session_id, id, stripe_session_amount, currency, updated_at from invoice "
            "where stripe_session_id is not null and stripe_session_amount is not null"
        )
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_stripe_checkout_session_invoice_id'), table_name='stripe_checkout_session')
    op.drop_table('stripe_checkout_session')
