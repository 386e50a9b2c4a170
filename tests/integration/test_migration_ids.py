"""Migration 0015 rebuilds invoice on SQLite with AUTOINCREMENT: a database at 0014 with
invoices and every kind of row that hangs off them comes out the same, row for row, with its
indexes, its number search and its foreign keys whole, and deleted ids are never given again.
Downgraded, it is rebuilt without AUTOINCREMENT, losing nothing either."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateTable
from sqlmodel import SQLModel

import invoice_crm.models  # noqa: F401  (every table on the metadata)
from alembic import command
from invoice_crm.db import write_session
from invoice_crm.domain import reminders as rules
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Invoice
from invoice_crm.services import (
    delivery,
    demo,
    invoices,
    ledger,
    queries,
    recurring,
    recurring_issue,
    reminders,
)
from invoice_crm.services import reminder_schedules as schedules
from tests.conftest import alembic_config, reset_caches
from tests.integration.helpers import make_client, make_invoice

NEWER = {"stripe_checkout_session"}  # made after 0015 (0018): not there for 0015 to carry over
DEPENDENTS = sorted(
    t.name for t in SQLModel.metadata.sorted_tables
    if any(fk.column.table.name == "invoice" for fk in t.foreign_keys) and t.name not in NEWER
)


def _seed() -> dict[str, int]:
    """The sample set (drafts, sent, overdue and paid invoices with lines, payments and events),
    and one of each other kind of row that names an invoice."""
    demo.load_demo_data()
    client = make_client("Old Client", "old@old.example")
    paid = invoices.send_invoice(make_invoice(client.id).id)
    invoices.mark_paid(paid.id)
    note = ledger.issue_credit_note(paid.id, amount="10.00", reason="Goodwill")
    ledger.record_refund(note.id)
    open_ = invoices.send_invoice(make_invoice(client.id).id)
    schedules.set_invoice_reminders(open_.id, rules.MODE_CUSTOM, [{"offset_days": "1", "enabled": True}])
    other = invoices.send_invoice(make_invoice(client.id).id)
    reminders.skip_step(other.id, 0, "me@example.com")
    with write_session() as session:
        invoice = session.get(Invoice, other.id)
        delivery.queue_email(session, invoice, "invoice", delivery.EmailDraft("old@old.example", "Invoice", "Hello"), "me")
        session.execute(text("UPDATE invoice SET number = 'IMPORTED-4711' WHERE id = :i"), {"i": paid.id})
    today = date.today()
    recurring.save_profile(
        recurring.ProfileInput(
            client_id=client.id, start_date=today,
            lines=[{"description": "Retainer", "quantity": "1", "unit_price": "1000.00"}],
        ),
        today=today,
    )
    recurring_issue.issue_due(today)
    return {"paid": paid.id, "open": open_.id}


def _rows(conn) -> dict[str, list]:
    """Every row of every table (the search's own tables too), in a stable order."""
    names = conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "AND name NOT IN ('sqlite_sequence', 'alembic_version')"
    )).scalars()
    return {name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr) for name in names}


def _invoice_indexes(conn) -> set[tuple]:
    """The invoice table's indexes and triggers: name (not for the UNIQUE constraints' own,
    which SQLite numbers), columns, uniqueness, origin, partial or not, and the SQL."""
    found = set()
    for _, name, unique, origin, partial in conn.execute(text("PRAGMA index_list('invoice')")):
        columns = tuple(row[2] for row in conn.execute(text(f"PRAGMA index_info('{name}')")))
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar()
        found.add(("" if name.startswith("sqlite_autoindex") else name, columns, unique, origin, partial, sql))
    triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'invoice'"))
    return found | {("trigger", *row) for row in triggers}


def _snapshot(url: str) -> tuple[dict, set, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows, indexes = _rows(conn), _invoice_indexes(conn)
        table_sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'invoice'")).scalar_one()
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        # The external-content search index agrees with the invoice numbers it indexes.
        conn.execute(text("INSERT INTO invoice_number_search(invoice_number_search, rank) VALUES ('integrity-check', 1)"))
        if "AUTOINCREMENT" in table_sql:  # the next id is above every id the table holds
            sequence = conn.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'invoice'")).scalar()
            assert sequence == conn.execute(text("SELECT max(id) FROM invoice")).scalar()
    engine.dispose()
    return rows, indexes, table_sql


def _found(term: str) -> set[int]:
    rows, total = queries.list_invoices(queries.InvoiceQuery(search=term, page_size=100))
    assert total == len(rows)
    return {int(row["id"]) for row in rows}


def test_0015_rebuilds_invoice_with_autoincrement_and_keeps_every_row_index_and_search(sqlite_at_head):
    """Seeded by today's services (at head), then taken down to 0014: a database as 0014 made
    it (no AUTOINCREMENT), which 0015 must carry over row for row."""
    url = sqlite_at_head
    ids = _seed()
    reset_caches()
    command.downgrade(alembic_config(url), "0014")
    rows, indexes, table_sql = _snapshot(url)
    assert all(rows[name] for name in DEPENDENTS), [name for name in DEPENDENTS if not rows[name]]
    assert {"ix_invoice_client_work", "ix_invoice_open_figures"} <= {index[0] for index in indexes}
    assert "AUTOINCREMENT" not in table_sql

    command.upgrade(alembic_config(url), "0015")
    upgraded, upgraded_indexes, upgraded_sql = _snapshot(url)
    assert upgraded == rows and upgraded_indexes == indexes
    assert "AUTOINCREMENT" in upgraded_sql
    # A database made from the models (no code path does today) would agree.
    assert "AUTOINCREMENT" in str(CreateTable(Invoice.__table__).compile(dialect=sqlite.dialect()))

    command.upgrade(alembic_config(url), "head")
    reset_caches()
    assert _found("IMPORTED-47") == {ids["paid"]}  # an invoice from before, by its number
    sent = invoices.send_invoice(make_invoice(make_client("New Client", "new@new.example").id).id)
    assert _found(sent.number) == {sent.id}  # a new one: the triggers are back
    newest = make_invoice()
    invoices.delete_draft(newest.id)
    assert make_invoice().id > newest.id  # the deleted newest draft's id is not given again
    assert invoices.mark_paid(ids["open"]).status is InvoiceStatus.PAID  # dependent rows still work
    reset_caches()

    command.downgrade(alembic_config(url), "0015")
    before_down, _, _ = _snapshot(url)
    command.downgrade(alembic_config(url), "0014")
    downgraded, downgraded_indexes, downgraded_sql = _snapshot(url)
    assert downgraded == before_down and downgraded_indexes == indexes
    assert "AUTOINCREMENT" not in downgraded_sql
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text("invoice"))).scalar_one() == len(rows["invoice"]) + 2
        found = conn.execute(text(
            "SELECT rowid FROM invoice_number_search WHERE invoice_number_search MATCH :term"), {"term": f'"{sent.number}"'}
        ).scalars().all()
        assert found == [sent.id]  # the number search's triggers came through the rebuild
    engine.dispose()
