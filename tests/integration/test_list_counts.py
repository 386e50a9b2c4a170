"""A page of a list is kept while the database has not changed: another page of the same list
reads no count again, the same page reads nothing, and any commit (of this process or
another) makes the next read a real one. What is kept is exactly what a fresh read shows, in
the "current work" order across the boundary between open and other invoices too."""

import subprocess
import sys
from datetime import timedelta

from invoice_crm.db import data_version
from invoice_crm.services import invoices, queries
from tests.integration.helpers import TODAY, make_client, make_invoice, statements_run


def _seed() -> None:
    client = make_client("Acme")
    for i in range(40):
        inv = make_invoice(
            client.id,
            lines=[{"description": "Work", "quantity": "1", "unit_price": f"{100 + i}.00"}],
            issue=TODAY - timedelta(days=60),
            due=TODAY + timedelta(days=i - 10),
        )
        if i % 3 == 0:
            invoices.send_invoice(inv.id)
    invoices.sweep_overdue()


def _in_another_process(url: str, sql: str) -> None:
    """``sql`` committed by a process of its own, as a second worker or `make worker` would."""
    script = (
        "import sys; from sqlalchemy import create_engine, text\n"
        "with create_engine(sys.argv[1]).begin() as c: c.execute(text(sys.argv[2]))\n"
    )
    subprocess.run([sys.executable, "-c", script, url, sql], check=True, timeout=60)


def test_another_page_of_an_unchanged_list_reads_no_count_and_shows_what_a_fresh_read_shows(database):
    _seed()
    for sort in (queries.CURRENT, "amount"):
        first, counts = queries.list_page(queries.InvoiceQuery(sort=sort, page=1))
        assert counts.total == 40 and len(first) == 25
        (second, again), counted = statements_run(lambda s=sort: queries.list_page(queries.InvoiceQuery(sort=s, page=2)), "count(")
        fresh, total = queries.list_invoices(queries.InvoiceQuery(sort=sort, page=2))
        assert list(second) == fresh and len(second) == 15
        assert again.total == total == 40 and counted == 0
        (back, _), read = statements_run(lambda s=sort: queries.list_page(queries.InvoiceQuery(sort=s, page=1)), "from invoice")
        assert back == first and read == 0


def test_a_commit_by_another_process_is_seen_by_the_next_read(database):
    _seed()
    query = queries.InvoiceQuery(page=1, page_size=50)
    rows, counts = queries.list_page(query)
    assert {row["client"] for row in rows} == {"Acme"} and counts.total == 40
    before = data_version()
    assert data_version() == before  # nothing committed: the kept page is the answer

    _in_another_process(database, "UPDATE client SET name = 'Acme Studio'")
    assert data_version() != before
    rows, counts = queries.list_page(query)
    assert {row["client"] for row in rows} == {"Acme Studio"} and counts.total == 40

    drafts = queries.InvoiceQuery(status="DRAFT", page=1, page_size=50)
    _, counts = queries.list_page(drafts)
    _in_another_process(database, "UPDATE invoice SET status = 'VOID' WHERE id = (SELECT max(id) FROM invoice WHERE status = 'DRAFT')")
    rows, counts_after = queries.list_page(drafts)
    assert counts_after.total == len(rows) == counts.total - 1


def test_a_commit_of_this_process_is_seen_by_the_next_read(database):
    _seed()
    query = queries.InvoiceQuery(status="DRAFT", page=1)
    rows, counts = queries.list_page(query)
    draft = rows[0]
    invoices.send_invoice(draft["id"])
    rows_after, counts_after = queries.list_page(query)
    assert counts_after.total == counts.total - 1
    assert draft["id"] not in {row["id"] for row in rows_after}
