"""The invoice page left open in a second tab while the invoice changed in the first: each
refused action says why and reads the page again, so the tab shows the invoice's status now
and only the actions it allows. Driven through the app's own events (tests/support/events.py)."""

from __future__ import annotations

import asyncio

from invoice_crm.domain.numbering import draft_reference
from invoice_crm.services import invoices, ledger
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.helpers import make_client, make_invoice
from tests.integration.owner_events import invoice_page
from tests.support.events import EventRunner, form, run, sent_text


def _sent() -> int:
    return invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id).id


def test_actions_refused_in_a_tab_left_open_on_a_voided_invoice_show_it_void(app, mail):
    from invoice_crm.state.invoice_page import InvoicePageState as S
    from invoice_crm.state.send_dialog import DeliveryState

    invoice_id = _sent()
    page = f"/invoices/{invoice_id}"
    tabs = ("pay", "void", "credit", "reminder")
    # What each dialog's form sends with its confirm (a field not drawn comes as None).
    shown = form(invoice_id=str(invoice_id), **{"send-recipient": None})

    async def scenario():
        async with EventRunner(app) as runner:
            for tab in tabs:  # each opened while the invoice was still Sent
                assert (await invoice_page(runner, invoice_id, tab)).status == "SENT"
            ledger.void_invoice(invoice_id, "Wrong client")  # in the first tab

            said = {}
            await runner.send("pay", S.open_pay_dialog, page)
            said["pay"] = sent_text(await runner.send("pay", S.confirm_paid, page, form=shown))
            await runner.send("void", S.open_void, page)
            await runner.send("void", S.set_void_reason, page, value="again")
            said["void"] = sent_text(await runner.send("void", S.confirm_void, page, form=shown))
            await runner.send("credit", S.open_credit, page)
            await runner.send("credit", S.set_credit_amount, page, value="10.00")
            await runner.send("credit", S.set_credit_reason, page, value="Discount")
            said["credit"] = sent_text(await runner.send("credit", S.confirm_credit, page, form=shown))
            await runner.send("reminder", DeliveryState.open_reminder_dialog, page)
            said["reminder"] = sent_text(await runner.send("reminder", DeliveryState.submit_send, page, form=shown))

            states = {tab: await runner.state(tab, DeliveryState) for tab in tabs}
            assert runner.server_errors == []
            return said, states

    said, states = run(scenario())
    assert "This invoice is void; there is nothing to pay" in said["pay"]
    assert "This invoice is already void" in said["void"] and "Void to Void" not in said["void"]
    assert "Credit notes are for sent, overdue or paid invoices" in said["credit"]
    assert "Reminders are for sent or overdue invoices" in said["reminder"]
    for tab, state in states.items():
        # The tab reads the invoice again: Void, with its reason, and no money actions left.
        assert state.status == "VOID", tab
        assert state.invoice["void_reason"] == "Wrong client", tab
        assert not (state.can_mark_paid or state.can_void or state.can_credit), tab
        assert not (state.pay_dialog_open or state.void_open or state.credit_open or state.send_open), tab


def test_a_stale_payment_over_the_new_balance_shows_the_new_balance(app):
    """Record payment prefilled before a credit note in another tab: refused as an
    overpayment, and the page now shows the balance the message names."""
    from invoice_crm.state.invoice_page import InvoicePageState as S

    invoice_id = _sent()
    page = f"/invoices/{invoice_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            before = (await invoice_page(runner, invoice_id)).invoice["balance"]
            await runner.send("t", S.open_pay_dialog, page)  # prefilled with the whole balance
            shown = form(invoice_id=str(invoice_id))
            ledger.issue_credit_note(invoice_id, amount="10.00", reason="Discount")
            refused = sent_text(await runner.send("t", S.confirm_paid, page, form=shown))
            state = await runner.state("t", S)
            assert runner.server_errors == []
            return before, refused, state

    before, refused, state = run(scenario())
    assert "more than the balance due" in refused
    assert state.invoice["balance"] != before and state.invoice["balance"] in refused
    assert state.pay_dialog_open  # still payable: the dialog stays, with what was typed
    assert state.payment_amount_error


def test_void_and_duplicate_names_the_new_draft_by_its_reference(app):
    from invoice_crm.state.invoice_page import InvoicePageState as S

    invoice_id = _sent()
    page = f"/invoices/{invoice_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, invoice_id)
            await runner.send("t", S.open_void, page)
            await runner.send("t", S.set_void_reason, page, value="Re-issue")
            done = sent_text(await runner.send("t", S.void_and_duplicate, page, form={"invoice_id": str(invoice_id)}))
            assert runner.server_errors == []
            return done

    done = run(scenario())
    copy_id = invoice_id + 1
    assert f"Voided; Draft {draft_reference(copy_id)} created" in done
    assert "None" not in done and f"/invoices/{copy_id}/edit" in done


def _emails(kind: str) -> list:
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.models import EmailMessage

    with read_session() as s:
        return list(s.execute(select(EmailMessage).where(EmailMessage.kind == kind)).scalars())


def test_a_reminder_written_before_a_payment_is_not_sent_with_the_old_balance(app, mail):
    """QA: Send reminder opened on $100.00; another tab records 40.00; Send reminder: refused,
    the untouched message is written again with the $60.00 balance, and that one is sent."""
    from invoice_crm.state.send_dialog import DeliveryState as D

    invoice_id = _sent()
    page = f"/invoices/{invoice_id}"
    shown = form(invoice_id=str(invoice_id))

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, invoice_id)
            await runner.send("t", D.open_reminder_dialog, page)
            before = (await runner.state("t", D)).send_body
            ledger.record_payment(invoice_id, "40.00")  # in another tab
            refused = sent_text(await runner.send("t", D.submit_send, page, form=shown))
            state = await runner.state("t", D)
            rewritten, error, still_open = state.send_body, dict(state.send_errors), state.send_open
            queued_then = len(_emails("reminder"))
            await runner.send("t", D.submit_send, page, form=shown)
            assert runner.server_errors == []
            return before, refused, rewritten, error, still_open, queued_then

    before, refused, rewritten, error, still_open, queued_then = run(scenario())
    assert "$100.00" in before
    assert "The invoice changed since this message was written" in refused
    assert still_open and "now has the new amounts" in error["body"]
    assert "for $60.00" in rewritten and "Balance due: $60.00" in rewritten
    assert queued_then == 0
    [sent] = _emails("reminder")
    assert "for $60.00" in sent.body and "Paid: -$40.00" in sent.body and "for $100.00" not in sent.body
    assert "$100.00" not in sent.subject


def test_a_send_written_before_the_draft_was_edited_elsewhere_asks_to_check_an_edited_message(app, mail):
    """The Send dialog of a $100.00 draft; another tab saves it at $150.00. A message the
    freelancer did not touch is written again; one they edited is kept, said to be checked, and
    the next Send sends it as they wrote it."""
    from invoice_crm.state.send_dialog import DeliveryState as D
    from tests.integration.helpers import draft_input

    client = make_client("Acme", "billing@acme.example")
    draft = make_invoice(client.id)
    page = f"/invoices/{draft.id}"
    shown = form(invoice_id=str(draft.id), **{"send-recipient": None})

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, draft.id)
            await runner.send("t", D.open_send_dialog, page)
            typed = (await runner.state("t", D)).send_body + "\n\nThanks for the extra week!"
            await runner.send("t", D.set_send_body, page, value=typed)
            invoices.update_draft(draft.id, draft_input(
                client.id, lines=[{"description": "Work", "quantity": "3", "unit_price": "50.00"}]
            ))
            refused = sent_text(await runner.send("t", D.submit_send, page, form=shown))
            state = await runner.state("t", D)
            kept, error, queued_then = state.send_body, dict(state.send_errors), len(_emails("invoice"))
            await runner.send("t", D.submit_send, page, form=shown)  # checked: send as written
            assert runner.server_errors == []
            return typed, refused, kept, error, queued_then

    typed, refused, kept, error, queued_then = run(scenario())
    assert "The invoice changed since this message was written" in refused
    assert kept == typed and "check the amounts in your message" in error["body"]
    assert queued_then == 0
    [sent] = _emails("invoice")
    assert "Thanks for the extra week!" in sent.body


def test_a_credit_by_amount_from_a_tab_left_open_is_refused_with_the_balance_now(app):
    """QA: $100.00, 60.00 paid; two tabs open Credit note for 30.00; the first issues it
    (balance 10.00). The second is refused with the new balance instead of crediting 30.00
    more (20.00 to refund nobody meant); pressed again, it issues what is typed."""
    from invoice_crm.models import CreditNote
    from invoice_crm.state.invoice_page import InvoicePageState as S

    invoice_id = _sent()
    ledger.record_payment(invoice_id, "60.00")
    page = f"/invoices/{invoice_id}"
    shown = form(invoice_id=str(invoice_id))

    def notes() -> int:
        from sqlalchemy import func, select

        from invoice_crm.db import read_session

        with read_session() as s:
            return s.execute(select(func.count()).select_from(CreditNote)).scalar_one()

    async def scenario():
        async with EventRunner(app) as runner:
            for tab in ("a", "b"):
                await invoice_page(runner, invoice_id, tab)
                await runner.send(tab, S.open_credit, page)
                await runner.send(tab, S.set_credit_amount, page, value="30.00")
                await runner.send(tab, S.set_credit_reason, page, value="Discount")
            await runner.send("a", S.confirm_credit, page, form=shown)
            refused = sent_text(await runner.send("b", S.confirm_credit, page, form=shown))
            state = await runner.state("b", S)
            after_refusal = (notes(), state.credit_open, dict(state.credit_errors), state.invoice["balance"])
            await runner.send("b", S.confirm_credit, page, form=shown)  # seen now: issued
            assert runner.server_errors == []
            return refused, after_refusal, (await runner.state("b", S)).invoice["balance"]

    refused, (count, still_open, errors, balance), final = run(scenario())
    assert "The balance due is now $10.00" in refused
    assert count == 1 and still_open and balance == "$10.00"
    assert "Check the amount and issue again" in errors["credit_amount"]
    assert notes() == 2 and final == "$0.00"


def test_a_draft_page_left_open_after_it_was_sent_elsewhere_shows_it_sent(app, mail):
    """QA: Delete and Send (mark as sent) from a tab still showing the draft were refused by a
    toast while the tab went on showing "Draft" with Send, Edit and Delete, and the Send dialog
    stayed open offering "Mark as sent". Refused, the page is read again and the dialog closes."""
    from invoice_crm.state.invoice_page import InvoicePageState as S
    from invoice_crm.state.send_dialog import MARK_ONLY
    from invoice_crm.state.send_dialog import DeliveryState as D

    draft = make_invoice(make_client("Acme", "billing@acme.example").id)
    page = f"/invoices/{draft.id}"
    shown = form(invoice_id=str(draft.id), **{"send-recipient": None})

    async def scenario():
        async with EventRunner(app) as runner:
            for tab in ("delete", "send"):
                assert (await invoice_page(runner, draft.id, tab)).is_draft
            await runner.send("send", D.open_send_dialog, page)
            await runner.send("send", D.set_send_method, page, value=MARK_ONLY)
            await runner.send("delete", S.open_delete, page)
            invoices.send_invoice(draft.id)  # in another tab

            said = {"delete": sent_text(await runner.send("delete", S.delete, page, shown=shown))}
            said["send"] = sent_text(await runner.send("send", D.submit_send, page, form=shown))
            states = {tab: await runner.state(tab, D) for tab in ("delete", "send")}
            assert runner.server_errors == []
            return said, states

    said, states = run(scenario())
    assert "Only drafts can be deleted" in said["delete"]
    assert "already been sent" in said["send"]
    for tab, state in states.items():
        assert state.status == "SENT" and not state.is_draft, tab
        assert not state.send_open, tab


def test_a_refused_receipt_has_the_page_read_again(app, mail):
    """QA: the tab showed Paid and "Email receipt" after the payment was removed elsewhere: the
    refusal was right, but the page went on showing Paid. The refusal now has it read again."""
    from invoice_crm.components.receipt import ReceiptState
    from invoice_crm.state.invoice_page import InvoicePageState as S

    invoice_id = _sent()
    payment = ledger.record_payment(invoice_id, "")  # paid in full
    page = f"/invoices/{invoice_id}"

    async def scenario():
        async with EventRunner(app) as runner:
            assert (await invoice_page(runner, invoice_id)).has_receipt
            from sqlalchemy import select

            from invoice_crm.db import read_session
            from invoice_crm.models import Payment

            with read_session() as s:
                payment_id = s.execute(select(Payment.id).where(Payment.invoice_id == payment.id)).scalar_one()
            ledger.remove_payment(payment_id, "Bounced")  # in another tab
            updates = await runner.send("t", ReceiptState.email_receipt, page, key="k-1")
            for _ in range(50):  # the read it chains runs after it
                state = await runner.state("t", S)
                if not state.has_receipt:
                    break
                await asyncio.sleep(0.05)
            assert runner.server_errors == []
            return sent_text(updates), state

    said, state = run(scenario())
    assert said and not state.has_receipt and state.status == "SENT"
