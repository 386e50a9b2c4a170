"""`make run`'s bootstrap: sample data only when LOAD_DEMO_DATA=true, otherwise the app asks."""

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
