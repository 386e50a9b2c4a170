"""The dashboard's read model: one page of rows and SQL aggregates."""

from datetime import datetime, timedelta
from decimal import Decimal

from invoice_crm.services import invoices, queries
from tests.integration.helpers import TODAY, make_client, make_invoice


def _seed():
    acme, blue = make_client("Acme"), make_client("Blue Harbor", "b@blue.example")
    made = []
    for i in range(30):
        client = acme if i % 2 else blue
        inv = make_invoice(
            client.id,
            lines=[{"description": "Work", "quantity": "1", "unit_price": f"{100 + i}.10"}],
            issue=TODAY - timedelta(days=60),
            due=TODAY - timedelta(days=30 - i * 2),
        )
        made.append(inv)
    return acme, blue, made


def test_pages_of_25_with_total_count(database):
    _seed()
    rows, total = queries.list_invoices(queries.InvoiceQuery(page=1))
    assert total == 30 and len(rows) == 25
    rows2, _ = queries.list_invoices(queries.InvoiceQuery(page=2))
    assert len(rows2) == 5
    assert not {r["id"] for r in rows} & {r["id"] for r in rows2}


def test_search_by_number_or_client_and_filter_by_status(database):
    _, _, made = _seed()
    rows, total = queries.list_invoices(queries.InvoiceQuery(search="harbor"))
    assert total == 15 and all(r["client"] == "Blue Harbor" for r in rows)
    made[7] = invoices.send_invoice(made[7].id)
    rows, total = queries.list_invoices(queries.InvoiceQuery(search=made[7].number))
    assert total == 1 and rows[0]["number"] == made[7].number
    rows, total = queries.list_invoices(queries.InvoiceQuery(search=f"D-{made[8].id:04d}"))  # a draft's reference
    assert total == 1 and rows[0]["number"] == f"Draft D-{made[8].id:04d}"
    made[0] = invoices.send_invoice(made[0].id)
    made[29] = invoices.send_invoice(made[29].id)
    invoices.sweep_overdue()
    rows, total = queries.list_invoices(queries.InvoiceQuery(status="OVERDUE"))
    assert [r["number"] for r in rows] == [made[7].number, made[0].number]  # latest due first
    rows, total = queries.list_invoices(queries.InvoiceQuery(status="SENT"))
    assert [r["number"] for r in rows] == [made[29].number]
    assert rows[0]["countdown"].startswith("due in")


def test_sorting(database):
    _seed()
    rows, _ = queries.list_invoices(queries.InvoiceQuery(sort="amount", descending=True))
    amounts = [Decimal(r["amount"].replace("$", "").replace(",", "")) for r in rows]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == Decimal("129.10")
    rows, _ = queries.list_invoices(queries.InvoiceQuery(sort="due_date", descending=False))
    dues = [datetime.strptime(r["due_date"], "%b %d, %Y").date() for r in rows]  # shown in en_US
    assert dues == sorted(dues)
    rows, _ = queries.list_invoices(queries.InvoiceQuery(sort="number", descending=False))
    assert [r["number"] for r in rows] == sorted(r["number"] for r in rows)


def test_summary_figures_are_exact_sql_aggregates(database):
    client = make_client()
    a = make_invoice(client.id, lines=[{"description": "a", "quantity": "3", "unit_price": "0.10"}])
    b = make_invoice(client.id, lines=[{"description": "b", "quantity": "1", "unit_price": "0.20"}],
                     issue=TODAY - timedelta(days=20), due=TODAY - timedelta(days=1))
    c = make_invoice(client.id, lines=[{"description": "c", "quantity": "1", "unit_price": "1000.05"}])
    make_invoice(client.id)  # a draft counts nowhere
    for inv in (a, b, c):
        invoices.send_invoice(inv.id)
    invoices.sweep_overdue()
    invoices.mark_paid(c.id)
    summary = queries.dashboard_summary()
    assert summary["outstanding"] == "$0.50" and summary["outstanding_count"] == 2
    assert summary["overdue"] == "$0.20" and summary["overdue_count"] == 1
    assert summary["paid_30d"] == "$1,000.05" and summary["paid_30d_count"] == 1
    assert summary["monthly"][-1]["paid"] == 1000.05
    assert len(summary["monthly"]) == 13


def test_paid_figures_follow_every_new_payment(database):
    client = make_client()
    first = make_invoice(client.id, lines=[{"description": "a", "quantity": "1", "unit_price": "10.00"}])
    second = make_invoice(client.id, lines=[{"description": "b", "quantity": "1", "unit_price": "5.55"}],
                          issue=TODAY - timedelta(days=5))
    for inv in (first, second):
        invoices.send_invoice(inv.id)
    assert queries.dashboard_summary()["paid_30d"] == "$0.00"
    invoices.mark_paid(first.id)
    assert queries.dashboard_summary()["paid_30d"] == "$10.00"
    invoices.mark_paid(second.id, (TODAY - timedelta(days=3)).isoformat())
    summary = queries.dashboard_summary()
    assert summary["paid_30d"] == "$15.55" and summary["paid_30d_count"] == 2
    assert summary["outstanding"] == "$0.00"
