"""`alembic upgrade head` on an empty database creates exactly the models' schema -- on SQLite
and, with ``--db postgresql``, on PostgreSQL."""

from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import invoice_crm.models  # noqa: F401
from alembic import command
from invoice_crm.db import read_session
from tests.conftest import alembic_config
from tests.integration.helpers import make_invoice


def _schema(url: str) -> tuple[list, set[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    return diff, tables


def test_upgrade_head_matches_the_models(database):
    diff, tables = _schema(database)
    assert diff == []
    assert set(SQLModel.metadata.tables) <= tables


def test_every_migration_downgrades_and_upgrades_again(database):
    cfg = alembic_config(database)
    command.downgrade(cfg, "base")
    _, tables = _schema(database)
    assert tables <= {"alembic_version"}
    command.upgrade(cfg, "head")
    diff, tables = _schema(database)
    assert diff == []
    assert set(SQLModel.metadata.tables) <= tables


def test_money_is_stored_exactly_not_as_float(database):
    inv = make_invoice(lines=[{"description": "x", "quantity": "3", "unit_price": "0.10"}])
    with read_session() as s:
        if s.get_bind().dialect.name == "postgresql":  # NUMERIC(14, 2)
            raw = s.execute(text("select amount, pg_typeof(amount)::text from invoice where id=:i"), {"i": inv.id}).one()
            assert raw == (Decimal("0.30"), "numeric")
            total = s.execute(text("select sum(amount) * 10 from invoice")).scalar_one()
            assert total == Decimal("3.00")  # exact arithmetic in SQL too
        else:
            raw = s.execute(text("select amount, typeof(amount) from invoice where id=:i"), {"i": inv.id}).one()
            assert raw == (30, "integer")  # integer cents on SQLite
    assert inv.amount == Decimal("0.30")
