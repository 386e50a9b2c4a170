"""Job leases: claimed_by / lease_expires_at on the outboxes (sheet rows, emails) and the
job_lease table for leader leases and once-per-period jobs, so several processes can share
the background work and each job is done once.

Revision ID: 0005
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0005'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOXES = ('outbox_message', 'email_message')


def upgrade() -> None:
    op.create_table('job_lease',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=True),
    sa.Column('expires_at', invoice_crm.db_types.UTCDateTime(), nullable=True),
    sa.Column('next_run_at', invoice_crm.db_types.UTCDateTime(), nullable=True),
    sa.Column('last_run_by', sa.String(length=64), nullable=True),
    sa.Column('last_run_at', invoice_crm.db_types.UTCDateTime(), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    for table in OUTBOXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('lease_expires_at', invoice_crm.db_types.UTCDateTime(), nullable=True))
    # Emails being sent under the old scheme kept their lease in next_attempt_at: carry it over,
    # so an interrupted one is still found and flagged (never re-sent on its own).
    op.execute("UPDATE email_message SET lease_expires_at = next_attempt_at WHERE status = 'SENDING'")


def downgrade() -> None:
    for table in OUTBOXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('lease_expires_at')
            batch_op.drop_column('claimed_by')
    op.drop_table('job_lease')
