"""Once per intent, nothing lost, a clean start.

- ``idempotency_key``: the key a form made when it opened, stored with the change it made.
- ``invoice.version``: optimistic concurrency for drafts.
- ``invoice.number`` becomes nullable: an invoice is numbered when it is sent. Existing drafts
  give their numbers back (they never reached a client), and each year's counter returns to
  the highest number a sent invoice holds, so the next send continues the sequence without a gap.
- ``invoice.lead_id``: the lead an invoice bills (backfilled with the client's latest lead,
  which is what the old rule used).
- ``is_sample`` on clients, projects, leads and invoices; ``app_flag`` for the first-run choice.

Revision ID: 0002
Revises: 0001
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import invoice_crm.db_types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sample_column() -> sa.Column:
    return sa.Column('is_sample', sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade() -> None:
    # SQLite: batch mode rebuilds the invoice table (it cannot change a column's nullability);
    # alembic/env.py turns foreign keys off while migrating, so the rebuild cascades nothing.
    op.create_table(
        'idempotency_key',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=True),
        sa.Column('created_at', invoice_crm.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)
    op.create_table(
        'app_flag',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    for table in ('client', 'project', 'lead'):
        # A plain ADD COLUMN (no table rebuild); the server default fills the existing rows.
        op.add_column(table, _sample_column())
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('lead_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(_sample_column())
        batch_op.create_index(batch_op.f('ix_invoice_lead_id'), ['lead_id'], unique=False)
        batch_op.create_foreign_key('fk_invoice_lead_id_lead', 'lead', ['lead_id'], ['id'])
    _renumber_drafts()
    _tie_invoices_to_leads()


def _renumber_drafts() -> None:
    """Drafts give back their numbers; each counter returns to its highest sent number."""
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE invoice SET number = NULL WHERE status = 'DRAFT'"))
    numbers = [row[0] for row in conn.execute(sa.text("SELECT number FROM invoice WHERE number IS NOT NULL"))]
    for key, last_value in conn.execute(sa.text("SELECT key, last_value FROM invoice_counter")).all():
        highest = 0
        for number in numbers:
            if key != 'all' and key not in number:
                continue
            digits = re.findall(r'\d+', number.replace(key, '', 1) if key != 'all' else number)
            if digits:
                highest = max(highest, int(digits[-1]))
        if highest < last_value:
            conn.execute(
                sa.text("UPDATE invoice_counter SET last_value = :v WHERE key = :k"), {"v": highest, "k": key}
            )


def _tie_invoices_to_leads() -> None:
    op.get_bind().execute(
        sa.text(
            "UPDATE invoice SET lead_id = (SELECT MAX(lead.id) FROM lead WHERE lead.client_id = invoice.client_id)"
        )
    )


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE invoice SET number = 'DRAFT-' || id WHERE number IS NULL"))
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invoice_lead_id_lead', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_lead_id'))
        batch_op.drop_column('is_sample')
        batch_op.drop_column('version')
        batch_op.drop_column('lead_id')
        batch_op.alter_column('number', existing_type=sa.String(length=64), nullable=False)
    for table in ('lead', 'project', 'client'):
        op.drop_column(table, 'is_sample')
    op.drop_table('app_flag')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))
    op.drop_table('idempotency_key')
