"""Reflex's start-up check "is the database schema the models'?", done as our migrations see it.

`reflex run` compares the models with the database through Alembic, but with its own options:
without ``db_search.include_object``, so the invoice-number search index that migration 0011
makes (an FTS5 table on SQLite, a pg_trgm index on PostgreSQL, neither declarable in a model)
looked like tables to drop, and every start printed "Detected database schema changes. Run
reflex db makemigrations..." on a database at the latest migration. Migrations here are
alembic/ (`make migrate`), never Reflex's. ``install()`` (from rxconfig.py) puts this check in
its place: the same comparison with the same filter as alembic/env.py, and a warning only for a
real difference, naming our commands.
"""

from __future__ import annotations

import sys


def differences(connection) -> list:
    """What Alembic's autogenerate would change to make the database match the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import invoice_crm.models  # noqa: F401  (registers every table on SQLModel.metadata)
    from invoice_crm.db_search import include_object

    context = MigrationContext.configure(
        connection, opts={"include_object": include_object, "compare_type": False, "render_as_batch": True}
    )
    return compare_metadata(context, SQLModel.metadata)


def check_schema_up_to_date() -> None:
    from invoice_crm.db import get_engine

    with get_engine().connect() as connection:
        found = differences(connection)
    if found:
        print(
            f"Warning: the database schema differs from the models ({len(found)} difference(s)): run "
            "`make migrate` (alembic upgrade head), or add a migration under alembic/versions.",
            file=sys.stderr,
        )


def install() -> None:
    from reflex.utils import prerequisites

    prerequisites.check_schema_up_to_date = check_schema_up_to_date
