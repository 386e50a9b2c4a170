"""A dialog acts on the invoice it was opened on, and only there. Opening an invoice page
(a link, Back, a reload, an address typed in the same tab) shows no dialog left open on the
last invoice, and forgets what it loaded; a confirm that names another invoice, or a payment
or credit note that is not the page's, is refused with a message and the page read again.
Driven through the app's own events (tests/support/events.py) as one signed-in tab."""

from __future__ import annotations

from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.models import CreditNote, EmailMessage, Invoice, Payment, Refund
from invoice_crm.services import invoices, ledger
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.helpers import TODAY, make_client, make_invoice
from tests.integration.owner_events import invoice_page, signed_in
from tests.support.events import EventRunner, form, run, sent_text

REFUSED = "Nothing was done: that dialog was for another invoice"
# What else a dialog's form sends, as the browser does: a checkbox's bool, None for a field
# that is not drawn (the email fields when only marking as sent).
DRAWN = {"pay-email-receipt": True, "send-recipient": None}


def _sent(client_id: int, price: str = "100.00") -> int:
    lines = [{"description": "Work", "quantity": "1", "unit_price": price}]
    return invoices.send_invoice(make_invoice(client_id, lines=lines).id).id


def _snapshot() -> dict:
    """Everything a carried dialog could have changed, over every invoice."""
    with read_session() as s:
        return {
            "invoices": sorted((i.id, i.status, i.due_date, i.void_reason) for i in s.scalars(select(Invoice))),
            "payments": sorted((p.id, p.invoice_id, p.amount, p.removed_at) for p in s.scalars(select(Payment))),
            "credit_notes": s.scalar(select(func.count()).select_from(CreditNote)),
            "refunds": s.scalar(select(func.count()).select_from(Refund)),
            "emails": s.scalar(select(func.count()).select_from(EmailMessage)),
        }


def _payment_of(invoice_id: int) -> str:
    with read_session() as s:
        return str(s.scalars(select(Payment.id).where(Payment.invoice_id == invoice_id)).one())


def test_a_dialog_left_open_on_one_invoice_is_closed_on_the_next_and_its_confirm_does_nothing(app, mail):
    from invoice_crm.state.invoice_page import InvoicePageState as S
    from invoice_crm.state.send_dialog import DeliveryState as D

    acme = make_client("Acme", "billing@acme.example").id
    harbor = make_client("Blue Harbor", "accounts@harbor.example").id
    sent_a, sent_b = _sent(acme), _sent(harbor, "200.00")
    paid_a = _sent(acme, "300.00")
    invoices.mark_paid(paid_a, TODAY)
    note_a = ledger.issue_credit_note(paid_a, amount="10.00").id  # 10.00 to refund
    draft_a = make_invoice(acme).id
    draft_b = make_invoice(harbor, lines=[{"description": "Other", "quantity": "1", "unit_price": "50.00"}]).id
    payment_a = _payment_of(paid_a)
    # Per dialog: the invoice it is opened on, what opens and fills it, its confirm, the
    # invoice visited next, and what its form sends with the confirm besides the invoice.
    cases = {
        "pay": (sent_a, [(S.open_pay_dialog, {}), (S.set_payment_amount, {"value": "5.00"})], S.confirm_paid, sent_b, {}),
        "void": (sent_a, [(S.open_void, {}), (S.set_void_reason, {"value": "Typed on A"})], S.confirm_void, sent_b, {}),
        "credit": (sent_a, [(S.open_credit, {}), (S.set_credit_amount, {"value": "12.34"}),
                            (S.set_credit_reason, {"value": "Typed on A"})], S.confirm_credit, sent_b, {}),
        "reminder": (sent_a, [(D.open_reminder_dialog, {})], D.submit_send, sent_b, {}),
        "send": (draft_a, [(D.open_send_dialog, {})], D.submit_send, draft_b, {}),
        "remove": (paid_a, [(S.open_remove, {"payment_id": payment_a}), (S.set_remove_reason, {"value": "test"})],
                   S.confirm_remove, sent_b, {"payment_id": payment_a}),
        "refund": (paid_a, [(S.open_refund, {"note_id": str(note_a), "left": "10.00"})], S.confirm_refund, sent_b,
                   {"note_id": str(note_a)}),
    }
    flags = {"pay": "pay_dialog_open", "void": "void_open", "credit": "credit_open", "reminder": "send_open",
             "send": "send_open", "remove": "remove_open", "refund": "refund_open"}
    before = _snapshot()

    async def scenario():
        seen = {}
        async with EventRunner(app) as runner:
            for tab, (first, opening, confirm, second, extra) in cases.items():
                await invoice_page(runner, first, tab)
                for handler, payload in opening:
                    await runner.send(tab, handler, f"/invoices/{first}", **payload)
                opened = await runner.state(tab, D)
                assert getattr(opened, flags[tab]), tab  # the dialog did open on the first invoice
                page = f"/invoices/{second}"
                await runner.send(tab, S.on_load, page)  # Back and another invoice, a reload, an address
                shown = await runner.state(tab, D)
                seen[tab] = {
                    "open": [f for f in set(flags.values()) | {"pay_dialog_open"} if getattr(shown, f)],
                    "keys": [k for k in ("pay_key", "void_key", "credit_key", "remove_key", "refund_key", "send_key",
                                         "delete_key") if getattr(shown, k)],
                    "carried": [v for v in (shown.void_reason, shown.credit_amount, shown.credit_reason, shown.send_to,
                                            shown.send_body, shown.payment_amount, shown.remove_reason,
                                            shown.refund_amount) if v],
                    "invoice": shown.invoice["id"],
                }
                # Enter pressed in a dialog still drawn there (as the next invoice's, or the first's).
                await runner.send(tab, confirm, page, form=form(invoice_id=str(second), **extra, **DRAWN))
                shown = form(invoice_id=str(first), **extra, **DRAWN)
                seen[tab]["stale"] = sent_text(await runner.send(tab, confirm, page, form=shown))
            assert runner.server_errors == []
        return seen

    seen = run(scenario())
    for tab, (_, _, _, second, _) in cases.items():
        assert seen[tab]["open"] == [], tab
        assert seen[tab]["keys"] == [], tab
        assert seen[tab]["carried"] == [], tab
        assert seen[tab]["invoice"] == str(second), tab
        assert REFUSED in seen[tab]["stale"], tab
    assert _snapshot() == before  # nothing happened to either invoice


def test_a_confirm_naming_another_invoice_or_its_payment_is_refused_and_the_page_read_again(app):
    """The tab's page is on B with B's own dialog open, but the confirm comes from a dialog
    still drawn for A (a tab left behind): refused; and a payment or credit note of another
    invoice is neither opened nor removed/refunded from B's page."""
    from invoice_crm.state.invoice_page import InvoicePageState as S

    paid_a = _sent(make_client("Acme", "billing@acme.example").id, "300.00")
    invoices.mark_paid(paid_a, TODAY)
    note_a = ledger.issue_credit_note(paid_a, amount="10.00").id
    paid_b = _sent(make_client("Blue Harbor", "accounts@harbor.example").id, "200.00")
    invoices.mark_paid(paid_b, TODAY)
    payment_a, payment_b = _payment_of(paid_a), _payment_of(paid_b)
    page = f"/invoices/{paid_b}"
    before = _snapshot()

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, paid_b)
            await runner.send("t", S.open_credit, page)
            await runner.send("t", S.set_credit_amount, page, value="20.00")
            await runner.send("t", S.set_credit_reason, page, value="Typed on B")
            stale = sent_text(await runner.send("t", S.confirm_credit, page, form=form(invoice_id=str(paid_a))))
            after_stale = await runner.state("t", S)
            closed, shows = after_stale.credit_open, after_stale.invoice["id"]
            # A payment or credit note that is not B's: not offered, so neither removed nor refunded.
            not_mine = sent_text(await runner.send("t", S.open_remove, page, payment_id=payment_a))
            removing = (await runner.state("t", S)).remove_open
            await runner.send("t", S.confirm_remove, page, form=form(invoice_id=str(paid_b), payment_id=payment_a))
            no_note = sent_text(await runner.send("t", S.open_refund, page, note_id=str(note_a), left="10.00"))
            refunding = (await runner.state("t", S)).refund_open
            await runner.send("t", S.confirm_refund, page, form=form(invoice_id=str(paid_b), note_id=str(note_a)))
            # B's own payment, its dialog drawn for another payment: refused.
            await runner.send("t", S.open_remove, page, payment_id=payment_b)
            other = sent_text(await runner.send("t", S.confirm_remove, page,
                                                form=form(invoice_id=str(paid_b), payment_id=payment_a)))
            assert runner.server_errors == []
            return stale, closed, shows, not_mine, removing, no_note, refunding, other

    stale, closed, shows, not_mine, removing, no_note, refunding, other = run(scenario())
    assert REFUSED in stale and not closed and shows == str(paid_b)
    assert "not one of this invoice's" in not_mine and not removing
    assert "not one of this invoice's" in no_note and not refunding
    assert REFUSED in other
    assert _snapshot() == before


def test_the_edit_client_dialog_left_open_does_not_reopen_on_the_next_visit(app):
    from invoice_crm.services import clients as client_service
    from invoice_crm.state.directory import ClientsState

    client = client_service.create_client("Acme Robotics", "billing@acme.example")

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, ClientsState.on_load, "/clients")
            await runner.send(tab, ClientsState.start_edit, "/clients",
                              client={"id": str(client.id), "name": "Acme Robotics", "email": "billing@acme.example"})
            opened = (await runner.state(tab, ClientsState)).edit_open
            await runner.send(tab, ClientsState.on_load, "/clients")  # Back, then Clients in the nav
            state = await runner.state(tab, ClientsState)
            assert runner.server_errors == []
            return opened, state.edit_open, state.editing_id, dict(state.form)

    opened, still_open, editing_id, typed = run(scenario())
    assert opened and not still_open and editing_id == 0 and typed == {}


def test_a_part_payment_does_not_warn_that_the_client_cannot_pay_online(app, stripe_api):
    """A payment by hand drops the Checkout session made for the old balance; the pay page's
    Pay makes one for the new balance, so the page does not warn (a neutral line says so).
    With no session ever made (Stripe failed when sending), the warning stays."""
    from invoice_crm.services import checkout
    from invoice_crm.state.invoice_page import InvoicePageState as S

    client = make_client("Acme", "billing@acme.example").id
    with_link, never = _sent(client), _sent(client)
    checkout.prepare_checkout(with_link)
    page = f"/invoices/{with_link}"

    async def scenario():
        async with EventRunner(app) as runner:
            fresh = await invoice_page(runner, with_link)
            seen = [(fresh.needs_payment_link, fresh.link_made_at_pay)]
            await runner.send("t", S.open_pay_dialog, page)
            await runner.send("t", S.set_payment_amount, page, value="30.00")
            await runner.send("t", S.confirm_paid, page, form=form(invoice_id=str(with_link)))
            paid = await runner.state("t", S)
            seen.append((paid.invoice["status"], paid.invoice["stripe_link"], paid.needs_payment_link, paid.link_made_at_pay))
            none = await invoice_page(runner, never)
            seen.append((none.needs_payment_link, none.link_made_at_pay))
            assert runner.server_errors == []
            return seen

    fresh, paid, never_made = run(scenario())
    assert fresh == (False, False)
    assert paid == ("SENT", "", False, True)  # the link was dropped with the old balance: no warning
    assert never_made == (True, False)
    assert checkout.pay_now(invoices.load_invoice(with_link).public_token).url  # Pay opens Checkout


def test_another_invoices_email_or_credit_note_is_neither_retried_nor_downloaded_from_this_page(app, mail):
    """A Retry or Download button drawn for another invoice (a tab left behind, a replayed
    event) names an email or credit note that is not this page's: refused, nothing queued,
    nothing downloaded."""
    from invoice_crm.services import delivery, email_sender
    from invoice_crm.state.invoice_page import InvoicePageState as L
    from invoice_crm.state.send_dialog import DeliveryState as D

    acme = make_client("Acme", "billing@acme.example").id
    mail.refuse()
    sent_a = make_invoice(acme).id
    draft = delivery.compose_invoice_email(sent_a)
    delivery.send_invoice_by_email(sent_a, draft.recipient, draft.subject, draft.body, "me@example.com")
    assert email_sender.deliver_pending_emails() == 0
    with read_session() as s:
        email_a = s.scalars(select(EmailMessage).where(EmailMessage.invoice_id == sent_a)).one()
    invoices.mark_paid(sent_a, TODAY)
    note_a = ledger.issue_credit_note(sent_a, amount="10.00").id
    mail.accept()
    sent_b = _sent(make_client("Blue Harbor", "accounts@harbor.example").id, "200.00")
    page = f"/invoices/{sent_b}"

    async def scenario():
        async with EventRunner(app) as runner:
            await invoice_page(runner, sent_b)
            retried = sent_text(await runner.send("t", D.retry_email, page, email_id=str(email_a.id)))
            downloaded = await runner.send("t", L.download_credit_note, page, note_id=str(note_a))
            assert runner.server_errors == []
            return retried, sent_text(downloaded), str(downloaded)

    retried, refused_text, downloaded = run(scenario())
    assert "not one of this invoice's" in retried
    assert "not one of this invoice's" in refused_text and "application/pdf" not in downloaded
    with read_session() as s:
        assert s.get(EmailMessage, email_a.id).next_attempt_at == email_a.next_attempt_at  # not queued again
    assert mail.messages == []
