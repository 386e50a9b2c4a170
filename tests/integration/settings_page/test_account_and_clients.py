"""The owner's account (password, other sessions) and a client's account (balances, statement,
receipt, archive, delete)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from invoice_crm.domain.errors import NotFound, ValidationError
from invoice_crm.services import account, auth, client_accounts, documents, invoices, queries
from invoice_crm.services import business_settings as biz
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import TODAY, make_client, make_invoice


def test_changing_the_password_needs_the_current_one_and_signs_out_other_sessions(database):
    auth.create_user("owner@example.com", "first-password")
    mine = auth.sign_in("owner@example.com", "first-password")
    other = auth.sign_in("owner@example.com", "first-password")
    with pytest.raises(ValidationError) as caught:
        account.change_password(mine, "wrong-password", "second-password", "second-password")
    assert caught.value.field == "current_password"
    with pytest.raises(ValidationError):
        account.change_password(mine, "first-password", "second-password", "different")
    assert auth.user_for_token(other) == "owner@example.com"  # nothing changed yet
    assert account.change_password(mine, "first-password", "second-password", "second-password") == 1
    with pytest.raises(ValidationError):
        auth.sign_in("owner@example.com", "first-password")
    assert auth.sign_in("owner@example.com", "second-password")
    assert auth.user_for_token(other) is None
    assert auth.user_for_token(mine) == "owner@example.com"


def test_sign_out_all_other_sessions_keeps_this_one(database):
    auth.create_user("owner@example.com", "first-password")
    tokens = [auth.sign_in("owner@example.com", "first-password") for _ in range(3)]
    assert account.sign_out_other_sessions(tokens[0]) == 2
    assert [auth.user_for_token(t) for t in tokens] == ["owner@example.com", None, None]


def _client_with_history():
    client = make_client("Statement Co", "ap@statement.example")
    old = TODAY - timedelta(days=60)
    paid = make_invoice(client.id, issue=old, due=old + timedelta(days=10),
                        lines=[{"description": "A", "quantity": "1", "unit_price": "300.00"}])
    paid = invoices.send_invoice(paid.id)  # numbered when sent
    invoices.mark_paid(paid.id, old + timedelta(days=5), reference="BANK-1")
    overdue = make_invoice(client.id, issue=old, due=old + timedelta(days=10),
                           lines=[{"description": "B", "quantity": "2", "unit_price": "62.50"}])
    invoices.send_invoice(overdue.id)
    sent = make_invoice(client.id, lines=[{"description": "C", "quantity": "1", "unit_price": "99.99"}])
    invoices.send_invoice(sent.id)
    make_invoice(client.id)  # a draft owes nothing
    invoices.sweep_overdue()
    return client, paid


def test_the_client_pages_rows_name_a_part_paid_invoice_as_the_list_does(database):
    """The client page said "Overdue" where the list, the invoice page and the sheet said
    "Partially paid"."""
    from invoice_crm.services import ledger

    client = make_client("Part Payer", "part@example.com")
    inv = invoices.send_invoice(make_invoice(client.id, lines=[{"description": "A", "quantity": "1", "unit_price": "100"}]).id)
    ledger.record_payment(inv.id, "40.00", TODAY.isoformat())
    row = client_accounts.client_account(client.id).rows[0]
    listed, _ = queries.list_invoices(queries.InvoiceQuery(search="Part Payer", page_size=10))
    assert row["badge"] == "PARTIAL" == listed[0]["badge"]
    assert row["status"] == "SENT"  # the countdown's colour still follows the status


def test_client_figures_equal_the_dashboards_and_the_statement_closes_on_the_outstanding(database):
    client, _ = _client_with_history()
    make_invoice(make_client("Someone Else", "else@example.com").id)
    acc = client_accounts.client_account(client.id)
    assert acc.outstanding == {"USD": Decimal("224.99")}
    assert acc.overdue == {"USD": Decimal("125.00")}
    # The dashboard's list for this client, open and overdue rows, adds up to the same.
    rows, _ = queries.list_invoices(queries.InvoiceQuery(search="Statement Co", page_size=100))
    open_rows = [r for r in rows if r["status"] in ("SENT", "OVERDUE")]
    assert client_accounts.money_text(acc.outstanding, "USD") == "$224.99"
    assert sum(Decimal(r["amount"].strip("$").replace(",", "")) for r in open_rows) == Decimal("224.99")
    assert sum(Decimal(r["amount"].strip("$")) for r in open_rows if r["status"] == "OVERDUE") == Decimal("125.00")
    statement = client_accounts.statement(client.id, None, None)
    assert statement.closing == acc.outstanding["USD"]
    text = pdf_text(documents.render_statement_pdf(client.id)[1])
    assert "Closing balance: $224.99" in text and "Opening balance: $0.00" in text


def test_statement_over_a_range_carries_the_opening_balance(database):
    client, _ = _client_with_history()
    statement = client_accounts.statement(client.id, TODAY - timedelta(days=10), TODAY)
    assert statement.opening == Decimal("125.00")  # 300 + 125 invoiced, 300 paid before the range
    assert statement.closing == Decimal("224.99")
    with pytest.raises(ValidationError):
        client_accounts.statement(client.id, TODAY, TODAY - timedelta(days=1))


def test_receipt_pdf_for_a_paid_invoice_only(database):
    biz.save_profile({"business_name": "Northwind Studio", "country": "GB", "tax_number": "GB980780684"})
    client, paid = _client_with_history()
    text = pdf_text(documents.render_receipt_pdf(paid.id)[1])
    for expected in ("RECEIPT", "Northwind Studio", "Tax number: GB980780684", paid.number, "$300.00", "BANK-1"):
        assert expected in text, expected
    public_name, _ = documents.render_public_receipt_pdf(paid.public_token)
    assert public_name.startswith("receipt-")
    unpaid = make_invoice(client.id)
    with pytest.raises(NotFound):
        documents.render_receipt_pdf(unpaid.id)


def test_archived_clients_leave_the_pickers_and_only_clients_without_invoices_can_be_deleted(database):
    client, _ = _client_with_history()
    client_accounts.set_archived(client.id, True)
    assert all(o["name"] != "Statement Co" for o in queries.client_options())
    assert client_accounts.client_account(client.id).rows  # kept with their invoices
    with pytest.raises(ValidationError):
        client_accounts.delete_client(client.id)
    empty = make_client("Nobody", "nobody@example.com")
    client_accounts.delete_client(empty.id)
    with pytest.raises(NotFound):
        client_accounts.client_account(empty.id)


def test_a_second_client_with_the_same_name_or_email_is_found(database):
    make_client("Acme", "billing@acme.example")
    assert client_accounts.find_duplicate("acme ", "") == "Acme"
    assert client_accounts.find_duplicate("Other", "BILLING@acme.example") == "Acme"
    assert client_accounts.find_duplicate("Other", "other@example.com") == ""


def _statement_of(client_id: int) -> list[tuple[str, Decimal]]:
    """(kind, running balance) of each row, as the statement PDF adds them up."""
    st = client_accounts.statement(client_id, TODAY, TODAY)
    running, rows = st.opening, []
    for entry in st.entries:
        running += entry.charge - entry.credit
        rows.append((entry.kind, running))
    return rows


def test_a_statements_rows_of_one_day_are_in_the_order_they_were_recorded(database):
    """Within a day: the invoice, then its payments, credit notes and refunds as they were
    recorded, so the running balance only shows states the account was in (a credit note
    sorted before the payment it followed showed a balance that never was)."""
    from invoice_crm.services import ledger

    def sent(name: str):
        client = make_client(name, f"{name.lower()}@example.com")
        inv = invoices.send_invoice(make_invoice(
            client.id, lines=[{"description": "Work", "quantity": "1", "unit_price": "100.00"}],
        ).id)
        return client, inv

    paid_first, inv = sent("Paidfirst")
    ledger.record_payment(inv.id, "60.00", TODAY.isoformat(), reference="A-1")
    ledger.issue_credit_note(inv.id, amount="40.00", reason="Rest waived")
    assert _statement_of(paid_first.id) == [
        ("Invoice", Decimal("100.00")), ("Payment", Decimal("40.00")), ("Credit note", Decimal("0.00")),
    ]

    credited_first, inv = sent("Creditedfirst")
    ledger.issue_credit_note(inv.id, amount="40.00", reason="Part waived")
    ledger.record_payment(inv.id, "60.00", TODAY.isoformat(), reference="A-2")
    assert _statement_of(credited_first.id) == [
        ("Invoice", Decimal("100.00")), ("Credit note", Decimal("60.00")), ("Payment", Decimal("0.00")),
    ]

    refunded, inv = sent("Refunded")
    ledger.record_payment(inv.id, "", TODAY.isoformat(), reference="A-3")
    note = ledger.issue_credit_note(inv.id, amount="30.00", reason="Overcharged")
    ledger.record_refund(note.id, "", TODAY.isoformat())
    assert _statement_of(refunded.id) == [
        ("Invoice", Decimal("100.00")), ("Payment", Decimal("0.00")),
        ("Credit note", Decimal("-30.00")), ("Refund", Decimal("0.00")),
    ]
