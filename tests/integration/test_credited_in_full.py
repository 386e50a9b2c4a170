"""An invoice a credit note cancels in full, with nothing received, is said "Credited" where
people read it (the list, the invoice page, the client page, the pay page, the PDF), offers and
sends no receipt, and stays out of the client's "usually pays in N days"; one partly paid and
credited for the rest is paid for what came in, with its receipt for that amount."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from invoice_crm.db import write_session
from invoice_crm.domain.errors import InvalidTransition, NotFound
from invoice_crm.models import Invoice
from invoice_crm.services import client_accounts, expected_pay, invoices, ledger, queries, receipts
from invoice_crm.services.documents import render_public_receipt_pdf, render_receipt_pdf
from invoice_crm.services.pdf import render_invoice_pdf
from invoice_crm.services.public_view import public_invoice
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import make_client, make_invoice
from tests.integration.owner_events import invoice_page
from tests.support.events import EventRunner, run

LINES = [
    {"description": "Design", "quantity": "1", "unit_price": "1500.00"},
    {"description": "Build", "quantity": "1", "unit_price": "592.50"},
]


def _sent(client_id: int | None = None, on: date | None = None) -> int:
    """Sent ``on`` that day (issued and sent then), or today."""
    client_id = client_id or make_client("Acme", "billing@acme.example").id
    extra = {"issue": on, "due": on + timedelta(days=30)} if on else {}
    invoice_id = invoices.send_invoice(make_invoice(client_id, lines=LINES, **extra).id).id
    if on:
        with write_session() as s:
            s.execute(update(Invoice).where(Invoice.id == invoice_id).values(
                sent_at=datetime.combine(on, datetime.min.time(), UTC) + timedelta(hours=10)))
    return invoice_id


def _credited_in_full(client_id: int | None = None, on: date | None = None) -> int:
    """A sent $2,092.50 invoice, nothing received, both lines credited: "Project cancelled"."""
    invoice_id = _sent(client_id, on)
    ledger.issue_credit_note(invoice_id, line_positions=[0, 1], reason="Project cancelled")
    return invoice_id


def _number(invoice_id: int) -> str:
    return queries.invoice_detail(invoice_id)["invoice"].number


def test_the_list_and_the_client_page_say_credited_and_the_paid_filter_still_finds_it(database):
    invoice_id = _credited_in_full()
    detail = queries.invoice_detail(invoice_id)
    assert detail["invoice"].status.value == "PAID"  # settled: it owes nothing, as the money model says
    client_id = detail["client"].id

    [row] = [r for r in queries.list_invoices(queries.InvoiceQuery())[0] if r["id"] == invoice_id]
    assert row["badge"] == "CREDITED"
    paid_filter = queries.list_invoices(queries.InvoiceQuery(status="PAID"))[0]
    assert [r["badge"] for r in paid_filter if r["id"] == invoice_id] == ["CREDITED"]

    [client_row] = client_accounts.client_account(client_id).rows
    assert client_row["badge"] == "CREDITED"


def test_the_invoice_page_says_credited_and_offers_no_receipt(app):
    invoice_id = _credited_in_full()

    async def scenario():
        async with EventRunner(app) as runner:
            state = await invoice_page(runner, invoice_id)
            assert runner.server_errors == []
            return state

    state = run(scenario())
    assert state.invoice["badge"] == "CREDITED" and state.invoice["credited"] == "yes"
    assert not state.has_receipt  # no Email receipt button
    assert state.reminder_inactive == "The invoice is credited in full: no more reminders."


def test_no_receipt_is_made_or_emailed_when_nothing_was_received(database):
    invoice_id = _credited_in_full()
    token = queries.invoice_detail(invoice_id)["invoice"].public_token
    with pytest.raises(NotFound):
        render_receipt_pdf(invoice_id)
    with pytest.raises(NotFound):
        render_public_receipt_pdf(token)
    with pytest.raises(InvalidTransition):
        receipts.send_receipt(invoice_id)


def test_the_pdf_is_stamped_credited_and_not_paid(database):
    invoice_id = _credited_in_full()
    text = pdf_text(render_invoice_pdf(invoice_id)[1])
    assert "CREDITED" in text and "Credited in full - nothing to pay." in text
    assert "Status: Credited in full on" in text
    assert "PAID" not in text and "Paid in full" not in text and "Paid on" not in text


def test_the_pay_page_says_credited_in_full_and_nothing_to_pay(app):
    from invoice_crm.state.pay import PayState

    invoice_id = _credited_in_full()
    token = queries.invoice_detail(invoice_id)["invoice"].public_token
    view = public_invoice(token)
    assert (view["badge"], view["credited"], view["payable"]) == ("CREDITED", "yes", False)

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("client", PayState.on_load, f"/pay/{token}")
            state = await runner.state("client", PayState)
            assert runner.server_errors == []
            return state

    state = run(scenario())
    assert state.is_credited and not state.has_receipt  # no Download receipt


def test_partly_paid_then_credited_for_the_rest_is_paid_with_a_receipt_for_what_came_in(app):
    invoice_id = _sent()
    ledger.record_payment(invoice_id, "500.00")
    ledger.issue_credit_note(invoice_id, amount="1592.50", reason="Scope reduced")
    detail = queries.invoice_detail(invoice_id)
    assert detail["invoice"].status.value == "PAID"
    [row] = [r for r in queries.list_invoices(queries.InvoiceQuery())[0] if r["id"] == invoice_id]
    assert row["badge"] == "PAID"
    receipt = pdf_text(render_receipt_pdf(invoice_id)[1])
    assert "Received with thanks: $500.00" in receipt
    invoice_pdf = pdf_text(render_invoice_pdf(invoice_id)[1])
    assert "PAID" in invoice_pdf and "CREDITED" not in invoice_pdf

    async def scenario():
        async with EventRunner(app) as runner:
            return await invoice_page(runner, invoice_id)

    state = run(scenario())
    assert state.invoice["badge"] == "PAID" and state.has_receipt


def test_an_invoice_credited_in_full_says_nothing_of_how_the_client_pays(database):
    client = make_client("Regular", "r@example.com")
    start = date.today() - timedelta(days=200)
    for offset in (0, 30, 60):
        on = start + timedelta(days=offset)
        ledger.record_payment(_sent(client.id, on), "", on + timedelta(days=10))
    assert expected_pay.habit_text(client.id) == "Usually pays 10 days after sending (based on 3 invoices)"
    # Sent 200 days ago and credited in full today: not a 200-day payment.
    _credited_in_full(client.id, start)
    assert expected_pay.habit_text(client.id) == "Usually pays 10 days after sending (based on 3 invoices)"
