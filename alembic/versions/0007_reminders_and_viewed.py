"""reminder schedules, reminder steps done, and viewed tracking on invoices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'reminder_schedule',
        sa.Column('key', sa.String(length=24), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=True),
        sa.Column('mode', sa.String(length=8), nullable=False),
        sa.Column('send_hour', sa.Integer(), nullable=False),
        sa.Column('updated_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key'),
        sa.UniqueConstraint('invoice_id'),
    )
    op.create_table(
        'reminder_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('schedule_key', sa.String(length=24), nullable=False),
        sa.Column('offset_days', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('subject', sa.String(length=300), server_default='', nullable=False),
        sa.Column('body', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['schedule_key'], ['reminder_schedule.key'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('schedule_key', 'offset_days', name='uq_reminder_step_offset'),
    )
    op.create_index(op.f('ix_reminder_step_schedule_key'), 'reminder_step', ['schedule_key'], unique=False)
    op.create_table(
        'reminder_send',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('offset_days', sa.Integer(), nullable=False),
        sa.Column('step_date', sa.Date(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('email_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('invoice_id', 'step_date', name='uq_reminder_send_step'),
    )
    op.create_index(op.f('ix_reminder_send_created_at'), 'reminder_send', ['created_at'], unique=False)
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('first_viewed_at', invoice_crm.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_viewed_at', invoice_crm.db_types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('last_viewed_at')
        batch_op.drop_column('first_viewed_at')
        batch_op.drop_column('view_count')
    op.drop_index(op.f('ix_reminder_send_created_at'), table_name='reminder_send')
    op.drop_table('reminder_send')
    op.drop_index(op.f('ix_reminder_step_schedule_key'), table_name='reminder_step')
    op.drop_table('reminder_step')
    op.drop_table('reminder_schedule')
