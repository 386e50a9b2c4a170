"""The client's view behind a pay link shows a sent invoice and nothing of a draft."""

from invoice_crm.services import invoices
from invoice_crm.services.public_view import public_invoice
from tests.integration.helpers import make_invoice


def test_drafts_and_unknown_tokens_show_nothing(database):
    draft = make_invoice()
    assert public_invoice(draft.public_token) is None
    assert public_invoice("not-a-token") is None
    assert public_invoice("") is None
    assert public_invoice("x" * 500) is None


def test_a_sent_invoice_shows_its_lines_total_and_due_date(database):
    inv = make_invoice(lines=[
        {"description": "Design", "quantity": "2.5", "unit_price": "80"},
        {"description": "Hosting", "quantity": "1", "unit_price": "19.99"},
    ])
    inv = invoices.send_invoice(inv.id)
    view = public_invoice(inv.public_token)
    assert view["number"] == inv.number and view["client"] == "Acme"
    assert (view["status"], view["total"], view["due_date"]) == ("SENT", "$219.99", f"{inv.due_date:%b} {inv.due_date.day}, {inv.due_date.year}")
    assert view["countdown"] == "due in 14 days"
    assert [(li["description"], li["quantity"], li["total"]) for li in view["lines"]] == [
        ("Design", "2.5", "$200.00"), ("Hosting", "1", "$19.99"),
    ]
    assert "id" not in view and "public_token" not in view

    invoices.mark_paid(inv.id)
    paid = public_invoice(inv.public_token)
    assert paid["status"] == "PAID" and paid["paid_at"] and paid["payable"] is False


def test_the_pay_page_names_the_clients_company_as_the_pdf_does(database):
    from invoice_crm.services import clients, invoices
    from tests.integration.helpers import make_invoice

    client = clients.create_client("Ada Lovelace", "ada@example.com", "Analytical Engines Ltd")
    inv = invoices.send_invoice(make_invoice(client.id).id)
    view = public_invoice(inv.public_token)
    assert (view["client"], view["client_company"]) == ("Ada Lovelace", "Analytical Engines Ltd")
