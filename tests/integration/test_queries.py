"""The dashboard's read model: one page of rows and SQL aggregates."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from invoice_crm.services import invoices, ledger, queries
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
    rows, total = queries.list_invoices(queries.InvoiceQuery(status="OVERDUE", sort="due_date", descending=True))
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
    assert summary["monthly"][-1]["amount"] == "$1,000.05"  # the chart's table, read by screen readers
    assert {m["amount"] for m in summary["monthly"][:-1]} == {"$0.00"}
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


def test_money_received_counts_part_payments_and_refunds_as_the_reports_do(database):
    """'Paid, last 30 days' and the chart are money received: a part payment counts when it
    comes, a removed payment does not, a refund takes back; the month agrees with Reports."""
    from invoice_crm.services import ledger, reports

    client = make_client()
    inv = make_invoice(client.id, lines=[{"description": "a", "quantity": "1", "unit_price": "950.00"}],
                       issue=TODAY - timedelta(days=40))
    invoices.send_invoice(inv.id)
    ledger.record_payment(inv.id, "300.00", TODAY - timedelta(days=35))  # before the 30 days
    ledger.record_payment(inv.id, "100.00", TODAY)
    summary = queries.dashboard_summary()
    assert summary["paid_30d"] == "$100.00" and summary["paid_30d_count"] == 1
    mistaken = ledger.record_payment(inv.id, "50.00", TODAY)
    ledger.remove_payment(_payment_of(mistaken.id, "50.00"), "Recorded twice")
    assert queries.dashboard_summary()["paid_30d"] == "$100.00"
    ledger.record_payment(inv.id, "", TODAY)  # the rest: 550.00, paid
    note = ledger.issue_credit_note(inv.id, amount="20.00")
    ledger.record_refund(note.id, "20.00", TODAY)
    summary = queries.dashboard_summary()
    assert summary["paid_30d"] == "$630.00" and summary["paid_30d_count"] == 1
    month_start = TODAY.replace(day=1)
    revenue = reports.revenue(month_start, TODAY)
    paid_this_month = sum((row[4] for row in revenue.rows if row[1] == "USD"), Decimal(0))
    assert Decimal(str(summary["monthly"][-1]["paid"])) == paid_this_month


def _payment_of(invoice_id: int, amount: str) -> int:
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.models import Payment

    with read_session() as s:
        return s.execute(
            select(Payment.id).where(Payment.invoice_id == invoice_id, Payment.amount == Decimal(amount))
        ).scalar_one()


def test_search_finds_company_email_and_an_exact_amount(database):
    from invoice_crm.services import clients

    studio = clients.create_client("Jo Doe", "jo@studio-mail.example", "Northwind Studio")
    mine = make_invoice(studio.id, lines=[{"description": "Site", "quantity": "1", "unit_price": "1200.00"}])
    other = make_client("Someone Else", "else@example.com")
    make_invoice(other.id, lines=[{"description": "Other", "quantity": "1", "unit_price": "120.00"}])
    for term in ("northwind", "studio-mail", "1200", "1,200.00", "$1,200", "1200.00"):
        rows, _ = queries.list_invoices(queries.InvoiceQuery(search=term))
        assert [r["id"] for r in rows] == [mine.id], term
    assert queries.list_invoices(queries.InvoiceQuery(search="1,2"))[1] == 0


def test_searches_of_one_shape_in_turn_each_find_their_own_invoices(database):
    """Terms of one kind share the list's statements, each read with its own values: going
    from one to another and back never finds the previous term's invoices."""
    acme, blue, made = _seed()
    by_client = {acme.id: "Acme", blue.id: "Blue Harbor"}
    for term, client in [("acme", acme), ("harbor", blue), ("acme", acme), ("arbo", blue)]:
        for sort in (queries.CURRENT, "amount"):
            rows, total = queries.list_invoices(queries.InvoiceQuery(search=term, sort=sort))
            assert total == 15 and {r["client"] for r in rows} == {by_client[client.id]}, (term, sort)
    for i in (3, 10, 3):  # an amount each: 103.10, 110.10
        rows, total = queries.list_invoices(queries.InvoiceQuery(search=f"{100 + i}.10"))
        assert [r["id"] for r in rows] == [made[i].id]
    for i in (4, 9):  # a draft's reference each
        rows, total = queries.list_invoices(queries.InvoiceQuery(search=f"D-{made[i].id:04d}"))
        assert [r["id"] for r in rows] == [made[i].id]


def test_percent_and_underscore_are_matched_literally(database):
    plain = make_client("Plain Client")
    odd = make_client("Odd 100% _client")
    make_invoice(plain.id)
    mine = make_invoice(odd.id)
    for term in ("%", "_", "100%", "% _c"):
        rows, _ = queries.list_invoices(queries.InvoiceQuery(search=term))
        assert [r["id"] for r in rows] == [mine.id], term


def test_default_order_is_current_work_first(database):
    _, _, made = _seed()
    for index in (20, 3, 11):
        invoices.send_invoice(made[index].id)
    invoices.sweep_overdue()
    rows, total = queries.list_invoices(queries.InvoiceQuery(page_size=10))
    numbers = [r["id"] for r in rows]
    # Open invoices by due date (made[3] is due first, and overdue) ...
    assert numbers[:3] == [made[3].id, made[11].id, made[20].id]
    # ... then the rest newest first.
    assert numbers[3:] == [made[i].id for i in (29, 28, 27, 26, 25, 24, 23)]
    page3, _ = queries.list_invoices(queries.InvoiceQuery(page=3, page_size=10))
    assert [r["id"] for r in page3] == [made[i].id for i in (10, 9, 8, 7, 6, 5, 4, 2, 1, 0)]
    seen = numbers + [r["id"] for r in queries.list_invoices(queries.InvoiceQuery(page=2, page_size=10))[0]]
    assert len(set(seen + [r["id"] for r in page3])) == 30 == total


def test_chart_months_read_in_full_and_other_currencies_are_named(database):
    client = make_client()
    usd = make_invoice(client.id, lines=[{"description": "a", "quantity": "1", "unit_price": "100.00"}])
    eur = make_invoice(client.id, lines=[{"description": "b", "quantity": "1", "unit_price": "300.00"}], currency="EUR")
    for inv in (usd, eur):
        invoices.send_invoice(inv.id)
        invoices.mark_paid(inv.id)
    summary = queries.dashboard_summary()
    assert summary["monthly"][-1]["month"] == TODAY.strftime("%b %Y")  # "Nov 2026", not "Nov 26"
    assert summary["monthly"][-1]["paid"] == 100.0
    assert summary["chart_note"] == "Shown in USD only; also paid in these months: €300.00."


class _Tomorrow(datetime):
    """datetime whose now() is a day later than the real one."""

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + timedelta(days=1)


@pytest.mark.parametrize("read", [queries.list_invoices, queries.list_page], ids=["list_invoices", "list_page"])
def test_a_list_read_again_shows_every_change_made_since(database, monkeypatch, read):
    """The list's statements and its rows' texts are remembered between reads, and
    ``list_page`` keeps whole pages while nothing changed: nothing a change touches may come
    back as it was (the client's name, a payment, the locale, the day)."""
    from invoice_crm.domain import lifecycle
    from invoice_crm.services import business_settings as biz
    from invoice_crm.services import clients

    acme, _, made = _seed()
    sent = invoices.send_invoice(made[1].id)  # Acme's, due 28 days ago

    def rows(**query):
        return read(queries.InvoiceQuery(page_size=50, **query))[0]

    def row(**query):
        return next(r for r in rows(**query) if r["id"] == sent.id)

    first = row()
    assert (first["client"], first["badge"], first["amount"], first["countdown"]) == ("Acme", "SENT", "$101.10", "28 days overdue")
    assert row(search="acme")["client"] == "Acme"
    assert sent.id not in {r["id"] for r in rows(search="101,10")}  # no amount under en_US

    clients.update_client(acme.id, "Acme Studio", acme.email)
    assert row()["client"] == row(search="acme")["client"] == "Acme Studio"

    assert first["balance"] == ""  # owed in full: the amount says it
    ledger.issue_credit_note(sent.id, amount="1.10")  # owed less, with no payment: the balance is said
    assert row()["balance"] == row(search="acme")["balance"] == "$100.00"

    invoices.mark_paid(sent.id)
    assert (row()["badge"], row(search="acme")["badge"]) == ("PAID", "PAID")
    assert row()["balance"] == ""
    assert row()["paid_at"] != ""

    biz.save_invoice_defaults({"currency": "USD", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
                               "locale": "de_DE", "timezone": "UTC"})
    assert row()["amount"] == "101,10\u00a0$"
    assert row(search="101,10")["amount"] == "101,10\u00a0$"  # the same search, now an amount

    other = invoices.send_invoice(made[3].id)  # due 24 days ago
    assert next(r for r in rows() if r["id"] == other.id)["countdown"] == "24 days overdue"
    monkeypatch.setattr(lifecycle, "datetime", _Tomorrow)
    assert next(r for r in rows() if r["id"] == other.id)["countdown"] == "25 days overdue"
