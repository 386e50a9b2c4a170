"""`alembic upgrade head` on an empty database creates exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import invoice_crm.models  # noqa: F401


def test_upgrade_head_matches_the_models(database):
    engine = create_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert set(SQLModel.metadata.tables) <= tables


def test_money_is_stored_exactly_not_as_float(database):
    from decimal import Decimal

    from sqlalchemy import text

    from invoice_crm.db import read_session
    from tests.integration.helpers import make_invoice

    inv = make_invoice(lines=[{"description": "x", "quantity": "3", "unit_price": "0.10"}])
    with read_session() as s:
        raw = s.execute(text("select amount, typeof(amount) from invoice where id=:i"), {"i": inv.id}).one()
    assert raw == (30, "integer")  # integer cents on SQLite
    assert inv.amount == Decimal("0.30")
