"""The invoice page's money dialogs and Email receipt, driven through the app's own events
(tests/support/events.py) as a signed-in tab: one receipt per intent, amounts prefilled in
the business locale that save as they are, required dates, errors beside their fields, and
a by-line credit note's amounts shown before it is issued."""

from __future__ import annotations

from decimal import Decimal

from invoice_crm.domain import numbers
from invoice_crm.models import Refund
from invoice_crm.services import business_settings as biz
from invoice_crm.services import invoices, ledger
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.email_helpers import emails
from tests.integration.helpers import TODAY, make_client, make_invoice
from tests.integration.owner_events import invoice_page, owner_app
from tests.support.events import EventRunner, form, run, sent_text

FRENCH = {"currency": "USD", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14", "locale": "fr_FR"}


def _receipts(invoice_id: int) -> int:
    return [e.kind for e in emails(invoice_id)].count("receipt")


def test_a_double_clicked_email_receipt_sends_one_and_a_later_click_another(mail):
    from invoice_crm.components.receipt import ReceiptState

    app = owner_app()
    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    invoices.mark_paid(inv.id, TODAY)
    page = f"/invoices/{inv.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, inv.id)
            await runner.send("t", ReceiptState.check, page)
            key = (await runner.state("t", ReceiptState)).receipt_key
            # Both clicks of a double click (or a replayed event) carry the key the button had.
            await runner.send("t", ReceiptState.email_receipt, page, key=key)
            await runner.send("t", ReceiptState.email_receipt, page, key=key)
            after_first = _receipts(inv.id)
            later = (await runner.state("t", ReceiptState)).receipt_key
            await runner.send("t", ReceiptState.email_receipt, page, key=later)  # a new intent
            assert runner.server_errors == []
            return key, later, after_first

    key, later, after_first = run(scenario())
    assert after_first == 1
    assert later != key and _receipts(inv.id) == 2


def _paid_and_credited(amount: str) -> tuple[int, int]:
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=[{"description": "Conseil", "quantity": "1", "unit_price": "100,00"}]).id)
    invoices.mark_paid(inv.id, TODAY)
    note = ledger.issue_credit_note(inv.id, amount=amount)
    return inv.id, note.id


def test_the_refund_dialog_prefills_in_the_business_locale_and_saves_it_unchanged(app):
    biz.save_invoice_defaults(FRENCH)
    try:
        invoice_id, note_id = _paid_and_credited("42,50")
        page = f"/invoices/{invoice_id}"

        async def scenario():
            from invoice_crm.state.invoice_page import InvoicePageState

            async with EventRunner(app) as runner:
                state = await invoice_page(runner, invoice_id)
                [note] = state.credit_notes
                await runner.send("t", InvoicePageState.open_refund, page, note_id=note["id"], left=note["refund_left"])
                prefilled = (await runner.state("t", InvoicePageState)).refund_amount
                # Too much: the refusal is beside Refund amount, not at the foot of the dialog.
                await runner.send("t", InvoicePageState.set_refund_amount, page, value="50,00")
                shown = form(invoice_id=str(invoice_id), note_id=note["id"])  # what the dialog is about
                await runner.send("t", InvoicePageState.confirm_refund, page, form=shown)
                refused = await runner.state("t", InvoicePageState)
                errors, general = dict(refused.refund_errors), refused.refund_error
                await runner.send("t", InvoicePageState.set_refund_amount, page, value=prefilled)
                await runner.send("t", InvoicePageState.confirm_refund, page, form=shown)
                done = await runner.state("t", InvoicePageState)
                assert runner.server_errors == []
                return prefilled, errors, general, done.refund_open, dict(done.refund_errors)

        prefilled, errors, general, still_open, after = run(scenario())
    finally:
        numbers.use_business_locale(numbers.DEFAULT_LOCALE)
    assert prefilled == "42,50"
    assert set(errors) == {"refund_amount"} and "at most" in errors["refund_amount"] and general == ""
    assert not still_open and after == {}
    from invoice_crm.db import read_session

    with read_session() as session:
        [refund] = session.query(Refund).all()
    assert refund.amount == Decimal("42.50") and refund.credit_note_id == note_id


def test_an_emptied_payment_or_refund_date_is_required_beside_its_field(app):
    from invoice_crm.state.invoice_page import InvoicePageState

    inv = invoices.send_invoice(make_invoice(make_client().id).id)
    page = f"/invoices/{inv.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, inv.id)
            await runner.send("t", InvoicePageState.open_pay_dialog, page)
            await runner.send("t", InvoicePageState.set_paid_on, page, value="")
            await runner.send("t", InvoicePageState.confirm_paid, page, form=form(invoice_id=str(inv.id)))
            pay = await runner.state("t", InvoicePageState)
            pay_seen = (pay.paid_on_error, pay.pay_error, pay.pay_dialog_open)
            paid_before = invoices.load_invoice(inv.id).amount_paid
            # Put right, it is saved, and the refusal's toast is taken away with the success.
            await runner.send("t", InvoicePageState.set_paid_on, page, value=TODAY.isoformat())
            saved = await runner.send("t", InvoicePageState.confirm_paid, page, form=form(invoice_id=str(inv.id)))
            assert runner.server_errors == []
            return pay_seen, paid_before, sent_text(saved)

    (paid_on_error, pay_error, still_open), paid_before, saved = run(scenario())
    assert (paid_on_error, pay_error, still_open) == ("Payment date is required", "", True)
    assert paid_before == 0  # nothing saved
    assert ".dismiss()" in saved and saved.index(".dismiss()") < saved.rindex("is paid")  # then the success toast
    note = ledger.issue_credit_note(inv.id, amount="10.00")

    async def refund():
        async with EventRunner(app) as runner:
            await invoice_page(runner, inv.id)
            await runner.send("t", InvoicePageState.open_refund, page, note_id=str(note.id), left="10.00")
            await runner.send("t", InvoicePageState.set_refund_date, page, value="")
            await runner.send("t", InvoicePageState.confirm_refund, page, form=form(invoice_id=str(inv.id), note_id=str(note.id)))
            state = await runner.state("t", InvoicePageState)
            return dict(state.refund_errors), state.refund_open

    errors, still_open = run(refund())
    assert errors == {"refunded_on": "Refund date is required"} and still_open


def test_the_credit_note_dialog_shows_each_line_and_the_total_that_issuing_credits(app):
    from invoice_crm.state.invoice_page import InvoicePageState

    lines = [
        {"description": "Design", "quantity": "1", "unit_price": "100.00"},
        {"description": "Build", "quantity": "3", "unit_price": "33.33"},
        {"description": "Hosting", "quantity": "1", "unit_price": "0.01"},
    ]
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=lines, discount_kind="percent", discount_value="10").id)
    page = f"/invoices/{inv.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, inv.id)
            await runner.send("t", InvoicePageState.open_credit, page)
            opened = await runner.state("t", InvoicePageState)
            per_line, before = list(opened.credit_line_amounts), opened.credit_total
            await runner.send("t", InvoicePageState.toggle_credit_line, page, position="1", checked=True)
            await runner.send("t", InvoicePageState.toggle_credit_line, page, position="2", checked=True)
            ticked = (await runner.state("t", InvoicePageState)).credit_total
            await runner.send("t", InvoicePageState.confirm_credit, page, form=form(invoice_id=str(inv.id), credit_total=ticked))
            # Every line again: two of them are credited already, refused beside the lines (the
            # amount field is not shown when crediting by line).
            await runner.send("t", InvoicePageState.open_credit, page)
            assert (await runner.state("t", InvoicePageState)).credit_line_done == [False, True, True]
            for position in ("0", "1", "2"):  # a stale tab's ticks
                await runner.send("t", InvoicePageState.toggle_credit_line, page, position=position, checked=True)
            every = (await runner.state("t", InvoicePageState)).credit_total
            await runner.send("t", InvoicePageState.confirm_credit, page, form=form(invoice_id=str(inv.id), credit_total=every))
            again = await runner.state("t", InvoicePageState)
            assert runner.server_errors == []
            return per_line, before, ticked, dict(again.credit_errors)

    per_line, before, ticked, errors = run(scenario())
    assert before == "" and len(per_line) == 3 and all(per_line)
    [note] = ledger_notes(inv.id)
    assert errors == {"credit_lines": f"Already credited: Build ({note.number}), Hosting ({note.number}). "
                                      "Untick them to credit the rest"}
    from invoice_crm.domain.money import format_money

    assert ticked == format_money(note.amount, "USD")  # exactly what issuing credited
    after = ledger.credit_by_lines(inv.id, []).per_line
    assert after == [per_line[0], f"Credited ({note.number})", f"Credited ({note.number})"]


def ledger_notes(invoice_id: int):
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.models import CreditNote

    with read_session() as session:
        return list(session.execute(select(CreditNote).where(CreditNote.invoice_id == invoice_id)).scalars())


def test_the_credit_note_dialog_says_before_issuing_what_a_note_leaves_to_refund(app):
    """QA (stop 24): a credit note of €348.21 on an invoice with €200.12 due said nothing before
    issuing; "To refund €148.09" only appeared afterwards."""
    from invoice_crm.state.invoice_page import InvoicePageState

    lines = [{"description": "Design", "quantity": "1", "unit_price": "300.00"},
             {"description": "Hosting", "quantity": "1", "unit_price": "100.00"}]
    inv = invoices.send_invoice(make_invoice(make_client().id, lines=lines).id)
    ledger.record_payment(inv.id, "250.00")  # $150.00 due
    page = f"/invoices/{inv.id}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, inv.id)
            await runner.send("t", InvoicePageState.open_credit, page)
            said = []
            for value in ("100", "150.00", "200,5", "400.01", "180.50"):  # within, all, unreadable, too much, beyond
                await runner.send("t", InvoicePageState.set_credit_amount, page, value=value)
                said.append((await runner.state("t", InvoicePageState)).credit_refund_hint)
            await runner.send("t", InvoicePageState.toggle_credit_line, page, position="0", checked=True)
            said.append((await runner.state("t", InvoicePageState)).credit_refund_hint)  # by line: $300.00
            await runner.send("t", InvoicePageState.toggle_credit_line, page, position="0", checked=False)
            said.append((await runner.state("t", InvoicePageState)).credit_refund_hint)  # the amount again
            assert runner.server_errors == []
            return said

    beyond = "more than the balance due ($150.00): issued, it is owed back to the client, to refund"
    assert run(scenario()) == ["", "", "", "", f"$30.50 {beyond}", f"$150.00 {beyond}", f"$30.50 {beyond}"]
