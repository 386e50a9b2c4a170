"""invoice number search: a trigram index for "number contains" (invoice_crm/db_search.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 11:30:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from invoice_crm.db_search import SQLITE_DROP_TRIGGERS, SQLITE_TRIGGERS

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# SQLite: an FTS5 index over invoice.number that reads the numbers from invoice itself
# (external content), kept in step by three triggers (db_search.SQLITE_TRIGGERS, which 0015
# makes again after rebuilding invoice). FTS5 and its trigram tokenizer come with SQLite 3.34
# and later (Python's own builds have them); without them this fails here, loudly, rather
# than leave search reading the whole table.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE invoice_number_search USING fts5("
    "number, content='invoice', content_rowid='id', tokenize='trigram')",
    "INSERT INTO invoice_number_search(invoice_number_search) VALUES ('rebuild')",
    *SQLITE_TRIGGERS,
]
SQLITE_DOWN = [*SQLITE_DROP_TRIGGERS, "DROP TABLE IF EXISTS invoice_number_search"]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    if bind.dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Where
    # it is missing or refused, search works the same without the index, only slower.
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as err:
        log.warning("pg_trgm is not available (%s): invoice number search will read the whole table",
                    str(err.orig).strip().splitlines()[0])
        return
    op.execute("CREATE INDEX ix_invoice_number_trgm ON invoice USING gin (number gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_invoice_number_trgm")
