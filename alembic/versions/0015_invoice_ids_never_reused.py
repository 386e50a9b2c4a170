"""invoice ids are never given twice: on SQLite the table is rebuilt with AUTOINCREMENT

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op
from invoice_crm.db_search import SQLITE_TRIGGERS

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Without AUTOINCREMENT SQLite gives a new row max(id) + 1, so deleting the newest draft
# freed its id for the next invoice: a tab still open on the deleted draft (/invoices/<id>)
# then saved, sent or deleted that new, unrelated invoice. With it, SQLite keeps the highest
# id ever given in sqlite_sequence (set from the rows copied here) and never goes below it.
# PostgreSQL's sequence never gave an id twice: nothing to do there.


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Batch mode copies invoice with its ids into a new table, drops the old one and renames
    # the copy, making its indexes again. Dropping invoice with foreign keys on would delete its
    # lines and events (ON DELETE CASCADE): alembic/env.py turns them off for migrations.
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("Rebuilding invoice needs foreign keys off (alembic/env.py does it)")
    with op.batch_alter_table("invoice", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    # The number search's triggers went with the old table; its index still holds every
    # invoice under the same ids, so it needs no rebuild.
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
