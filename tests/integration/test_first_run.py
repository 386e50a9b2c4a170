"""`make run`'s bootstrap: sample data only when LOAD_DEMO_DATA=true, otherwise the app asks."""

import pytest
from sqlalchemy import func, select

from invoice_crm import cli
from invoice_crm.db import read_session
from invoice_crm.models import Invoice
from invoice_crm.services import demo
from tests.conftest import reset_caches


def _invoices() -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(Invoice)).scalar_one()


def test_a_fresh_start_loads_nothing_and_asks(database, monkeypatch):
    monkeypatch.delenv("LOAD_DEMO_DATA", raising=False)
    reset_caches()
    cli.bootstrap()
    assert _invoices() == 0 and demo.needs_start_choice()
    monkeypatch.setenv("LOAD_DEMO_DATA", "false")
    reset_caches()
    cli.bootstrap()
    assert _invoices() == 0 and demo.needs_start_choice()


def test_load_demo_data_true_loads_the_sample_set_once_without_asking(database, monkeypatch):
    monkeypatch.setenv("LOAD_DEMO_DATA", "true")
    reset_caches()
    cli.bootstrap()
    assert _invoices() == 20 and demo.has_sample_data() and not demo.needs_start_choice()
    cli.bootstrap()  # a restart loads nothing more
    assert _invoices() == 20
    demo.remove_sample_data()
    cli.bootstrap()  # nor after the sample data was removed
    assert _invoices() == 0


def test_the_sample_data_check_reads_the_index_not_the_invoices(database):
    """The dashboard asks on every load whether sample data is there. With statistics saying
    every invoice is a real one (ANALYZE after the sample was removed), SQLite answers from the
    is_sample index alone: looked up through the table, the plan became a read of the whole
    table at 100,000 invoices (15 ms)."""
    from sqlalchemy import event, text

    from invoice_crm.db import get_engine, read_session, write_session
    from tests.integration.helpers import make_client, make_invoice

    client = make_client("Real", "real@example.com")
    for _ in range(30):
        make_invoice(client.id)
    with write_session() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("the plan's words are SQLite's")
        session.execute(text("ANALYZE"))
    seen: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, *args):
        if "from invoice" in statement.lower() and "is_sample" in statement:
            seen.append((statement, parameters))

    event.listen(get_engine(), "before_cursor_execute", record)
    try:
        assert not demo.has_sample_data()
    finally:
        event.remove(get_engine(), "before_cursor_execute", record)
    assert len(seen) == 1
    statement, parameters = seen[0]
    with read_session() as session:
        plan = " ".join(str(row) for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "COVERING INDEX ix_invoice_is_sample" in plan, plan


def test_a_sample_invoices_activity_happened_when_its_sent_and_paid_say(database):
    """QA (stop 24): a sample invoice read "Sent Nov 3, 2026, 9:00 AM" above an Activity whose
    Sent line was dated the moment the sample data was loaded."""
    from invoice_crm.models import InvoiceEvent

    demo.load_demo_data()
    with read_session() as s:
        sent = s.execute(select(Invoice).where(Invoice.sent_at.is_not(None))).scalars().all()
        assert sent
        for invoice in sent:
            moments = dict(s.execute(select(InvoiceEvent.kind, InvoiceEvent.created_at)
                                     .where(InvoiceEvent.invoice_id == invoice.id)).all())
            assert moments["sent"] == moments["created"] == invoice.sent_at, invoice.number
            if invoice.paid_at is not None:
                assert moments["paid"].date() == invoice.paid_at, invoice.number
