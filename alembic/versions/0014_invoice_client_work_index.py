"""index a client's invoices with status and due date: a search matching a client is sorted from the index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 23:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # It starts with client_id, so it serves every read the client_id index served.
    op.create_index('ix_invoice_client_work', 'invoice', ['client_id', 'status', 'due_date'])
    op.drop_index('ix_invoice_client_id', table_name='invoice')


def downgrade() -> None:
    op.create_index('ix_invoice_client_id', 'invoice', ['client_id'])
    op.drop_index('ix_invoice_client_work', table_name='invoice')
