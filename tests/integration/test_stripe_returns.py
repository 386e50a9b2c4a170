"""Returns from Checkout: recorded only when Stripe confirms; forged ones change nothing."""

from datetime import date

import pytest

from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import NotFound
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.integrations.stripe_gateway import retrieve_checkout_session
from invoice_crm.models import PaymentMethod
from invoice_crm.services import checkout, invoices
from invoice_crm.services.payments import confirm_checkout_return, fulfil_checkout
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.helpers import make_invoice
from tests.integration.stripe_helpers import paid_session, payments_of, sent_invoice, session_id_of, state_of


def test_a_confirmed_return_records_the_payment_once(stripe_api):
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)

    first = confirm_checkout_return(session["id"], public_token=inv.public_token)
    assert (first.paid, first.recorded, first.message) == (True, True, "Payment received")
    again = confirm_checkout_return(session["id"], invoice_id=inv.id)  # the freelancer's return, a reload
    assert (again.paid, again.recorded) == (True, False)

    [payment] = payments_of(inv.id)
    assert payment.method is PaymentMethod.STRIPE
    assert payment.reference == payment.stripe_payment_intent_id == session["payment_intent"]
    assert payment.stripe_session_id == session["id"]
    assert payment.amount == inv.amount
    assert payment.paid_on == business_today("UTC")
    after = state_of(inv.id)
    assert (after.status, after.paid_at, after.lead) == ("PAID", payment.paid_on, "PAID")
    assert after.events.count("paid") == 1


def _forged_session_ids(fake, inv, other):
    """Session ids a forged or premature return could carry, each one a reason to refuse."""
    unpaid = session_id_of(checkout.prepare_checkout(inv.id))
    others_paid = paid_session(fake, other.id)["id"]
    return {
        "no session id": None,
        "empty session id": "",
        "unpaid session": unpaid,
        "another invoice's paid session": others_paid,
        "unknown session": "cs_test_doesnotexist",
        "not a session id": "../v1/customers",
    }


@pytest.mark.parametrize(
    "case",
    ["no session id", "empty session id", "unpaid session", "another invoice's paid session", "unknown session", "not a session id"],
)
@pytest.mark.parametrize("by", ["public_token", "invoice_id"])
def test_forged_returns_change_nothing(stripe_api, case, by):
    inv = sent_invoice("Target")
    other = sent_invoice("Other")
    session_id = _forged_session_ids(stripe_api, inv, other)[case]
    before = state_of(inv.id)

    where = {"public_token": inv.public_token} if by == "public_token" else {"invoice_id": inv.id}
    result = confirm_checkout_return(session_id, **where)

    assert result.paid is False and result.recorded is False
    assert result.message.startswith("Payment not confirmed yet")
    assert state_of(inv.id) == before
    assert state_of(inv.id).status == "SENT" and payments_of(inv.id) == []


def test_a_session_paid_for_a_different_amount_is_refused(stripe_api):
    inv = sent_invoice()
    session_id = session_id_of(checkout.prepare_checkout(inv.id))
    stripe_api.set_field(session_id, amount_total=1)
    stripe_api.pay(session_id)
    result = confirm_checkout_return(session_id, invoice_id=inv.id)
    assert not result.paid and result.taken and "Your payment of $0.01 is not the amount due" in result.message
    assert state_of(inv.id).status == "SENT"


def test_stripe_down_during_the_return_says_not_confirmed_and_a_reload_confirms(stripe_api):
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)
    stripe_api.fail_next(10, "drop")
    result = confirm_checkout_return(session["id"], public_token=inv.public_token)
    assert not result.paid and "Could not reach Stripe" in result.message
    assert state_of(inv.id).status == "SENT"
    stripe_api.clear_failures()
    assert confirm_checkout_return(session["id"], public_token=inv.public_token).recorded
    assert state_of(inv.id).status == "PAID"


def test_drafts_and_unknown_invoices_are_not_available(stripe_api):
    draft = make_invoice()
    for where in ({"public_token": draft.public_token}, {"public_token": "nope"}, {"invoice_id": 99999}):
        with pytest.raises(NotFound):
            confirm_checkout_return("cs_test_x", **where)
    assert stripe_api.requests() == []


def test_a_stripe_payment_after_a_manual_one_is_noted_not_recorded(stripe_api):
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)
    invoices.mark_paid(inv.id, date.today().isoformat(), "BANK-1")
    stripe_session = retrieve_checkout_session(session["id"])
    for _ in range(2):
        outcome = fulfil_checkout(stripe_session, paid_at=utcnow())
        assert outcome.outcome == "already_paid"
    assert [p.method for p in payments_of(inv.id)] == [PaymentMethod.MANUAL]
    assert state_of(inv.id).events.count("extra_payment") == 1


def test_a_stripe_payment_for_an_older_balance_is_noted_not_recorded(stripe_api):
    """Paid at Stripe for the whole total after a part was recorded by hand (the tab was open
    before): not recorded, as its amount is not the balance, but the invoice says so, once."""
    from invoice_crm.services import ledger

    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # 100.00, paid at Stripe
    ledger.record_payment(inv.id, "30.00")
    stripe_session = retrieve_checkout_session(session["id"])
    for _ in range(2):
        assert fulfil_checkout(stripe_session, paid_at=utcnow()).outcome == "rejected"
    assert [p.method for p in payments_of(inv.id)] == [PaymentMethod.BANK_TRANSFER]
    assert state_of(inv.id).status == "SENT" and state_of(inv.id).events.count("extra_payment") == 1
    # The app made that session for $100.00, the balance then: an earlier balance, truly. More
    # than the $70.00 now due, so it cannot be recorded by hand either.
    assert _notes(inv.id) == [
        f"Stripe payment {session['payment_intent']} of $100.00 was for an earlier balance of the invoice "
        "(balance due $70.00) and is not recorded: refund it in Stripe"
    ]


def test_a_stripe_payment_of_an_amount_the_invoice_never_asked_is_said_not_to_match(stripe_api):
    """QA: a confirmed session for this invoice whose amount was never its balance was called
    "for an older balance". It does not match the invoice: said so, once."""
    inv = sent_invoice()
    session_id = session_id_of(checkout.prepare_checkout(inv.id))  # made for $100.00
    stripe_api.set_field(session_id, amount_total=4000)
    session = stripe_api.pay(session_id)
    for _ in range(2):
        assert fulfil_checkout(retrieve_checkout_session(session_id), paid_at=utcnow()).outcome == "rejected"
    assert payments_of(inv.id) == [] and state_of(inv.id).status == "SENT"
    assert _notes(inv.id) == [
        f"Stripe payment {session['payment_intent']} of $40.00 does not match the invoice (balance due $100.00) "
        "and is not recorded: refund it in Stripe, or record it by hand if you keep it"
    ]


def test_a_stripe_payment_in_another_currency_is_noted_once_and_logged(stripe_api, caplog):
    """QA: the same event in another currency was refused with no Activity line and no log
    line: money Stripe took would go unnoticed."""
    inv = sent_invoice()
    session_id = session_id_of(checkout.prepare_checkout(inv.id))
    stripe_api.set_field(session_id, currency="eur")
    session = stripe_api.pay(session_id)
    with caplog.at_level("WARNING", logger="invoice_crm.services.payments"):
        outcomes = [fulfil_checkout(retrieve_checkout_session(session_id), paid_at=utcnow()) for _ in range(2)]
    assert {(o.outcome, o.message) for o in outcomes} == {("rejected", "This payment is in another currency")}
    assert payments_of(inv.id) == [] and state_of(inv.id).status == "SENT"
    note = (
        f"Stripe payment {session['payment_intent']} of €100.00 is in EUR, not in the invoice's currency (USD), "
        "and is not recorded: refund it in Stripe"
    )
    assert _notes(inv.id) == [note]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"Invoice {inv.id}: {note}"]
    assert "sk_" not in warnings[0] and "whsec" not in warnings[0]


def test_a_stripe_payment_of_another_amount_after_the_invoice_was_paid_is_noted(stripe_api):
    """Not recorded (the invoice is paid), and not silently dropped either."""
    from invoice_crm.services import ledger

    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # $100.00 at Stripe, a tab left open
    ledger.record_payment(inv.id, "30.00")
    ledger.record_payment(inv.id, "")  # the rest by hand
    stripe_api.set_field(session["id"], amount_total=7000)
    assert fulfil_checkout(retrieve_checkout_session(session["id"]), paid_at=utcnow()).outcome == "rejected"
    assert [n.split(" arrived after ")[1] for n in _notes(inv.id)] == [
        "the invoice was already paid; refund it in Stripe if it was not meant"
    ]


def _notes(invoice_id: int) -> list[str]:
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.domain.activity import activity_text
    from invoice_crm.models import InvoiceEvent

    with read_session() as s:
        return [activity_text(d, "UTC") for d in s.execute(
            select(InvoiceEvent.details).where(InvoiceEvent.invoice_id == invoice_id, InvoiceEvent.kind == "extra_payment")
        ).scalars()]


def test_a_stripe_payment_for_a_voided_invoice_is_noted_once_and_the_return_says_so(stripe_api, caplog):
    """Paid at Stripe, then voided (Void cannot expire a completed session): the money was taken
    for a cancelled invoice. Not recorded, but the invoice's Activity says so once, a warning
    is logged once, and the client's return says the payment will be refunded, never "paid"."""
    from invoice_crm.services import ledger

    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # $100.00, completed at Stripe
    assert ledger.void_invoice(inv.id, "Wrong client").expired_session is False
    stripe_session = retrieve_checkout_session(session["id"])

    with caplog.at_level("WARNING", logger="invoice_crm.services.payments"):
        outcomes = [fulfil_checkout(stripe_session, paid_at=utcnow()) for _ in range(2)]  # the webhook, retried
        returns = [confirm_checkout_return(session["id"], public_token=inv.public_token) for _ in range(2)]

    assert {(o.outcome, o.paid) for o in outcomes} == {("rejected", False)}
    assert {(r.paid, r.recorded, r.message) for r in returns} == {(
        False, False,
        "This invoice was cancelled before your payment reached it, so the payment is not recorded; it will be refunded",
    )}
    assert payments_of(inv.id) == [] and state_of(inv.id).status == "VOID"
    note = f"Stripe payment {session['payment_intent']} of $100.00 arrived after the invoice was voided and is not recorded: refund it in Stripe"
    assert _notes(inv.id) == [note]
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "voided" in r.getMessage()]
    assert len(warnings) == 1 and session["payment_intent"] in warnings[0].getMessage()


def test_a_return_to_a_voided_invoice_without_a_payment_says_it_was_cancelled(stripe_api):
    """Not "Payment not confirmed yet", which a void invoice would say forever."""
    from invoice_crm.services import ledger

    inv = sent_invoice()
    unpaid = session_id_of(checkout.prepare_checkout(inv.id))
    ledger.void_invoice(inv.id, "Wrong client")
    for session_id in (unpaid, None, "cs_test_doesnotexist"):
        result = confirm_checkout_return(session_id, public_token=inv.public_token)
        assert (result.paid, result.message) == (False, "This invoice was cancelled; there is nothing to pay")
    assert _notes(inv.id) == [] and payments_of(inv.id) == []


def test_an_amount_that_only_begins_like_an_earlier_balance_does_not_match(stripe_api):
    """QA's yen invoice: the app made its session for ¥4,520; a payment of ¥4 is not that
    balance, though "¥4" begins "¥4,520" in the Payment link row."""
    from invoice_crm.services import clients

    client = clients.create_client("Yen Payer", "billing@yen.example")
    inv = invoices.send_invoice(make_invoice(
        client.id, currency="JPY", lines=[{"description": "Work", "quantity": "1", "unit_price": "4520"}],
    ).id)
    session_id = session_id_of(checkout.prepare_checkout(inv.id))
    stripe_api.set_field(session_id, amount_total=4)
    session = stripe_api.pay(session_id)
    assert fulfil_checkout(retrieve_checkout_session(session_id), paid_at=utcnow()).outcome == "rejected"
    assert _notes(inv.id) == [
        f"Stripe payment {session['payment_intent']} of ¥4 does not match the invoice (balance due ¥4,520) "
        "and is not recorded: refund it in Stripe, or record it by hand if you keep it"
    ]


def test_a_session_made_under_one_locale_is_known_for_its_amount_under_another(stripe_api, locale):
    """The amount each Checkout session was made for is stored as data: a session made for
    $100.00 under en_US, paid after BUSINESS_LOCALE became de_DE (and a part recorded by hand
    meanwhile), is still known as this app's session for an earlier balance, not as an amount
    the invoice never asked (the Activity row of the session reads "$100.00", the payment now
    "100,00 $")."""
    import json

    from invoice_crm.services import ledger
    from invoice_crm.services.payments import receive_stripe_webhook
    from tests.fakes.fake_stripe import sign

    locale("en_US")
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # made for $100.00, paid at Stripe
    locale("de_DE")
    ledger.record_payment(inv.id, "30,00")
    payload = json.dumps(stripe_api.event_for(session["id"]))
    assert receive_stripe_webhook(payload.encode(), sign(payload, stripe_api.webhook_secret)) == "rejected"
    assert [p.method for p in payments_of(inv.id)] == [PaymentMethod.BANK_TRANSFER]
    assert _notes(inv.id) == [
        f"Stripe payment {session['payment_intent']} of 100,00\xa0$ was for an earlier balance of the invoice "
        "(balance due 70,00\xa0$) and is not recorded: refund it in Stripe"
    ]


def test_an_invoice_credited_in_full_is_not_called_paid(stripe_api):
    """QA: a Stripe payment reaching an invoice credited in full with nothing received was
    noted as arriving "after the invoice was already paid" (nothing was), the client's return
    said "Payment received", and a payment recorded by hand was refused as "already paid"."""
    from invoice_crm.domain.errors import DomainError
    from invoice_crm.services import ledger

    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # 100.00 taken at Stripe, not yet reported
    ledger.issue_credit_note(inv.id, amount="100.00", reason="Cancelled")
    back = confirm_checkout_return(session["id"], invoice_id=inv.id)
    assert not back.paid and back.taken
    assert back.message == (
        "Your payment of $100.00 reached us after the invoice was credited in full, so it was not recorded "
        "automatically; it will be refunded"
    )
    assert _notes(inv.id) == [
        f"Stripe payment {session['payment_intent']} of $100.00 arrived after the invoice was credited in full "
        "and is not recorded: refund it in Stripe"
    ]
    assert payments_of(inv.id) == []
    with pytest.raises(DomainError, match="credited in full; there is nothing to pay"):
        ledger.record_payment(inv.id, "10.00")
