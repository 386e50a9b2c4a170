"""Taxes, discounts, partial payments, void, credit notes and refunds.

The tax rate catalogue; line discounts and up to two taxes per line (copied from the
catalogue); the invoice discount and tax-inclusive switch; the stored figures of the one
total function (tax, paid, credited, balance due); payment removal; void; credit notes
and refunds. Existing invoices have no tax or discount: their total is unchanged, and
their balance is their total, or zero once paid.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = invoice_crm.db_types.ScaledDecimal(places=2, precision=14)
RATE = invoice_crm.db_types.ScaledDecimal(places=4, precision=14)
OPEN = sa.text("status IN ('SENT', 'OVERDUE')")


def upgrade() -> None:
    op.create_table('tax_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('rate', RATE, nullable=False),
    sa.Column('registration_number', sa.String(length=64), server_default='', nullable=False),
    sa.Column('compound', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lines_text', sa.Text(), nullable=False),
    sa.Column('refund_due', MONEY, nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('stripe_refund_id')
    )
    op.create_index(op.f('ix_credit_note_invoice_id'), 'credit_note', ['invoice_id'], unique=False)
    op.create_table('refund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('credit_note_id', sa.Integer(), nullable=True),
    sa.Column('amount', MONEY, nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('refunded_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('BANK_TRANSFER', 'CASH', 'CHEQUE', 'CARD', 'OTHER', 'STRIPE', 'MANUAL', name='paymentmethod', native_enum=False, length=16, create_constraint=False), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credit_note_id'], ['credit_note.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stripe_refund_id')
    )
    op.create_index(op.f('ix_refund_credit_note_id'), 'refund', ['credit_note_id'], unique=False)
    op.create_index(op.f('ix_refund_invoice_id'), 'refund', ['invoice_id'], unique=False)

    # Plain ADD COLUMN (constant defaults): no table rebuild, so rows referenced by
    # foreign keys stay where they are.
    op.add_column('invoice', sa.Column('tax_total', MONEY, server_default='0', nullable=False))
    op.add_column('invoice', sa.Column('amount_paid', MONEY, server_default='0', nullable=False))
    op.add_column('invoice', sa.Column('amount_credited', MONEY, server_default='0', nullable=False))
    op.add_column('invoice', sa.Column('balance_due', MONEY, server_default='0', nullable=False))
    op.add_column('invoice', sa.Column('discount_kind', sa.String(length=8), server_default='', nullable=False))
    op.add_column('invoice', sa.Column('discount_value', MONEY, server_default='0', nullable=False))
    op.add_column('invoice', sa.Column('tax_inclusive', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('invoice', sa.Column('tax_rounding', sa.String(length=8), server_default='document', nullable=False))
    op.add_column('invoice', sa.Column('voided_at', invoice_crm.db_types.UTCDateTime(), nullable=True))
    op.add_column('invoice', sa.Column('void_reason', sa.Text(), server_default='', nullable=False))
    op.add_column('line_item', sa.Column('discount_kind', sa.String(length=8), server_default='', nullable=False))
    op.add_column('line_item', sa.Column('discount_value', MONEY, server_default='0', nullable=False))
    op.add_column('line_item', sa.Column('tax1_id', sa.Integer(), nullable=True))
    op.add_column('line_item', sa.Column('tax1_name', sa.String(length=64), server_default='', nullable=False))
    op.add_column('line_item', sa.Column('tax1_rate', RATE, nullable=True))
    op.add_column('line_item', sa.Column('tax2_id', sa.Integer(), nullable=True))
    op.add_column('line_item', sa.Column('tax2_name', sa.String(length=64), server_default='', nullable=False))
    op.add_column('line_item', sa.Column('tax2_rate', RATE, nullable=True))
    op.add_column('line_item', sa.Column('tax2_compound', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('payment', sa.Column('removed_at', invoice_crm.db_types.UTCDateTime(), nullable=True))
    op.add_column('payment', sa.Column('removed_reason', sa.Text(), server_default='', nullable=False))

    # Existing invoices: no tax, no discount, paid in full or not at all.
    op.execute("UPDATE invoice SET amount_paid = amount, balance_due = 0 WHERE status = 'PAID'")
    op.execute("UPDATE invoice SET amount_paid = 0, balance_due = amount WHERE status <> 'PAID'")

    # The outstanding figures are sums of balances now.
    op.drop_index('ix_invoice_open_figures', table_name='invoice')
    op.create_index(
        'ix_invoice_open_figures', 'invoice', ['status', 'currency', 'balance_due'], unique=False,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index('ix_invoice_open_figures', table_name='invoice')
    op.create_index(
        'ix_invoice_open_figures', 'invoice', ['status', 'currency', 'amount'], unique=False,
        sqlite_where=OPEN, postgresql_where=OPEN,
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('removed_reason')
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('line_item', schema=None) as batch_op:
        for name in ('tax2_compound', 'tax2_rate', 'tax2_name', 'tax2_id', 'tax1_rate', 'tax1_name',
                     'tax1_id', 'discount_value', 'discount_kind'):
            batch_op.drop_column(name)
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        for name in ('void_reason', 'voided_at', 'tax_rounding', 'tax_inclusive', 'discount_value', 'discount_kind',
                     'balance_due', 'amount_credited', 'amount_paid', 'tax_total'):
            batch_op.drop_column(name)
    op.drop_index(op.f('ix_refund_invoice_id'), table_name='refund')
    op.drop_index(op.f('ix_refund_credit_note_id'), table_name='refund')
    op.drop_table('refund')
    op.drop_index(op.f('ix_credit_note_invoice_id'), table_name='credit_note')
    op.drop_table('credit_note')
    op.drop_table('tax_rate')
