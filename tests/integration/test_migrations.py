"""`alembic upgrade head` on an empty database creates exactly the models' schema -- on SQLite
and, with ``--db postgresql``, on PostgreSQL."""

from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlmodel import SQLModel

import invoice_crm.models  # noqa: F401
from alembic import command
from invoice_crm.db import read_session
from invoice_crm.db_search import include_object
from tests.conftest import alembic_config
from tests.integration.helpers import make_invoice


def _schema(url: str) -> tuple[list, set[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
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


def test_0002_takes_numbers_back_from_drafts_and_continues_the_sent_sequence(tmp_path, monkeypatch):
    """Existing numbered drafts give their numbers back; the next send follows the last sent one."""
    from sqlalchemy import text

    from alembic import command
    from invoice_crm.db import read_session
    from invoice_crm.domain.lifecycle import business_today
    from invoice_crm.models import Invoice
    from invoice_crm.services import invoices
    from tests.conftest import alembic_config, reset_caches

    year = business_today("UTC").year
    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO client (id, name, email, company, address, created_at) VALUES (1, 'Acme', '', '', '', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO lead (id, client_id, title, status, created_at, updated_at) VALUES (1, 1, 'Site', 'INVOICED', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        for i, (number, status) in enumerate([(f"INV-{year}-0001", "SENT"), (f"INV-{year}-0002", "DRAFT"), (f"INV-{year}-0003", "DRAFT")], 1):
            conn.execute(text(
                "INSERT INTO invoice (id, number, client_id, amount, currency, status, issue_date, due_date, notes, public_token, "
                "sheet_sync_status, sheet_sync_error, created_at, updated_at) VALUES "
                f"({i}, '{number}', 1, 1000, 'USD', '{status}', '2026-01-01', '2099-01-01', '', 'tok{i}', 'OFF', '', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ))
            conn.execute(text(f"INSERT INTO line_item (invoice_id, position, description, quantity, unit_price) VALUES ({i}, 0, 'x', 1000, 1000)"))
        conn.execute(text(f"INSERT INTO invoice_counter (key, last_value) VALUES ('{year}', 3)"))
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    with read_session() as s:
        rows = {inv.id: inv for inv in s.execute(select(Invoice)).scalars()}
    assert [rows[i].number for i in (1, 2, 3)] == [f"INV-{year}-0001", None, None]
    assert {inv.lead_id for inv in rows.values()} == {1} and {inv.version for inv in rows.values()} == {1}
    assert invoices.send_invoice(3).number == f"INV-{year}-0002"  # its lines survived the rebuild too
    reset_caches()


def test_0016_dates_invoices_imported_before_it_from_their_import_entry(database):
    """Invoices imported before 0016 get their imported_at from their "imported" activity
    entry; other invoices keep none."""
    from invoice_crm.models import Invoice, InvoiceEvent
    from invoice_crm.services import imports

    content = (
        b"Invoice number,Client name,Client email,Issue date,Due date,Currency,Description,Quantity,Unit price\n"
        b"OLD-1,Ada Lovelace,ada@example.com,2026-01-05,2026-02-04,USD,Design,1,500.00\n"
    )
    imports.run_import("invoices", content, imports.read("invoices", content)[1], only_valid=False)
    made_here = make_invoice()
    with read_session() as s:
        imported = s.execute(select(Invoice).where(Invoice.number == "OLD-1")).scalar_one()
        entry = s.execute(select(InvoiceEvent.created_at).where(
            InvoiceEvent.invoice_id == imported.id, InvoiceEvent.kind == "imported")).scalar_one()
    assert imported.imported_at is not None and imported.imported_at > imported.sent_at

    cfg = alembic_config(database)
    command.downgrade(cfg, "0015")
    command.upgrade(cfg, "head")
    with read_session() as s:
        assert s.get(Invoice, imported.id).imported_at == entry
        assert s.get(Invoice, made_here.id).imported_at is None


def test_the_database_is_made_readable_by_its_owner_only(tmp_path):
    """QA: `make migrate` under the usual umask 022 made the database, its WAL and its shared
    memory -rw-r--r--: any local user could read the password and session hashes and every pay
    token. The migration makes them owner-only; an older install's files are made so at start."""
    import os
    import stat
    import subprocess
    import sys

    from invoice_crm import privacy

    db = tmp_path / "app.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    script = "import os, sys; os.umask(0o022); from alembic.config import main; main(argv=['upgrade', 'head'])"
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=os.getcwd(), capture_output=True)
    made = [p for p in tmp_path.iterdir() if p.name.startswith("app.db")]
    assert db in made
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name

    older = tmp_path / "old.db"
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"old.db{suffix}").write_bytes(b"")
        os.chmod(tmp_path / f"old.db{suffix}", 0o644)
    previous = os.umask(0o022)
    try:
        privacy.private_database(f"sqlite:///{older}")
    finally:
        os.umask(previous)
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE((tmp_path / f"old.db{suffix}").stat().st_mode) == 0o600, suffix
