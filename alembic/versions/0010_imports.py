"""imported invoices and import fingerprints

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-26 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'import_fingerprint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('natural_key', sa.String(length=300), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'natural_key', name='uq_import_fingerprint_key'),
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('imported')
    op.drop_table('import_fingerprint')
