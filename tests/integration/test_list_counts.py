"""Another page of the same list reuses its counts (Next/Previous read no count again) and
shows exactly the rows a fresh read shows, in the "current work" order across the boundary
between open and other invoices too."""

from datetime import timedelta

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


def _counts_read(fn):
    return statements_run(fn, "count(")


def test_another_page_with_known_counts_shows_the_same_rows_without_counting(database):
    _seed()
    for sort in (queries.CURRENT, "amount"):
        first, counts = queries.list_page(queries.InvoiceQuery(sort=sort, page=1))
        assert counts.total == 40 and len(first) == 25
        fresh, _ = queries.list_page(queries.InvoiceQuery(sort=sort, page=2))
        query = queries.InvoiceQuery(sort=sort, page=2)
        (reused, again), reads = _counts_read(lambda q=query, c=counts: queries.list_page(q, c))
        assert reused == fresh and len(reused) == 15
        assert again == counts
        assert reads == 0
