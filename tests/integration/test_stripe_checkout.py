"""Checkout sessions for sent invoices, against the fake Stripe through stripe-python."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import IntegrationError, InvalidTransition, NotFound, ValidationError
from invoice_crm.models import Invoice
from invoice_crm.services import checkout, invoices
from invoice_crm.services.public_view import public_invoice
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.helpers import make_invoice
from tests.integration.stripe_helpers import paid_session, payments_of, sent_invoice, session_id_of, state_of


def _stored(invoice_id: int) -> Invoice:
    with read_session() as s:
        return s.get(Invoice, invoice_id)


def test_a_sent_invoice_gets_one_session_for_its_exact_total(stripe_api):
    inv = sent_invoice(lines=[
        {"description": "Design", "quantity": "4", "unit_price": "120.00"},
        {"description": "Hours", "quantity": "12.5", "unit_price": "95"},
        {"description": "Half cent", "quantity": "1", "unit_price": "0.01"},
    ])
    url = checkout.prepare_checkout(inv.id, "owner@example.com")

    [create] = stripe_api.session_creates()
    p = create.params
    item = p["line_items"][0]
    assert p["mode"] == "payment"
    assert item["price_data"] == {
        "currency": "usd", "product_data": {"name": f"Invoice #{inv.number}"}, "unit_amount": "166751",
    }
    assert item["quantity"] == "1"
    assert p["metadata"] == {"invoice_id": str(inv.id), "invoice_number": inv.number}
    assert p["client_reference_id"] == str(inv.id)
    assert p["customer_email"] == "billing@acme.example"
    pay_link = f"http://app.test/pay/{inv.public_token}"
    assert p["success_url"] == f"{pay_link}/paid?paid=true&session_id={{CHECKOUT_SESSION_ID}}"
    assert p["cancel_url"] == pay_link
    assert create.idempotency_key and str(inv.id) in create.idempotency_key

    stored = _stored(inv.id)
    session = stripe_api.get(session_id_of(url))
    assert (stored.stripe_link, stored.stripe_session_id) == (url, session["id"])
    assert stored.stripe_session_amount == Decimal("1667.51")
    assert int(stored.stripe_session_expires_at.timestamp()) == session["expires_at"]
    assert state_of(inv.id).events[-1] == "payment_link"
    assert state_of(inv.id).status == "SENT"


def test_double_clicks_and_repeats_make_one_session(stripe_api):
    inv = sent_invoice()
    with ThreadPoolExecutor(max_workers=6) as pool:
        urls = set(pool.map(lambda _: checkout.prepare_checkout(inv.id), range(6)))
    urls.add(checkout.prepare_checkout(inv.id))
    assert len(urls) == 1
    assert len(stripe_api.sessions_for(inv.id)) == 1
    assert state_of(inv.id).events.count("payment_link") == 1


@pytest.mark.parametrize(
    ("kind", "message", "tries"),
    [("500", "not available", 3), ("401", "API key", 1), ("drop", "Could not reach Stripe", 3)],
)
def test_stripe_failing_leaves_the_invoice_sent_without_a_link_and_a_retry_works(stripe_api, kind, message, tries):
    inv = sent_invoice()
    stripe_api.fail_next(10, kind)  # Stripe is down (or refuses the key) for a while
    with pytest.raises(IntegrationError) as err:
        checkout.prepare_checkout(inv.id)
    assert message in err.value.message
    # stripe-python retries network errors and 5xx twice (same idempotency key), never a 401.
    assert len(stripe_api.requests("POST", "/v1/checkout/sessions")) == tries
    assert stripe_api.api_key not in err.value.message and "sk_" not in err.value.message
    after = state_of(inv.id)
    assert (after.status, after.stripe_link, after.payments) == ("SENT", None, 0)
    assert "payment_link" not in after.events
    assert stripe_api.sessions_for(inv.id) == []

    stripe_api.clear_failures()  # Stripe is back: retrying works
    url = checkout.prepare_checkout(inv.id)
    assert len(stripe_api.sessions_for(inv.id)) == 1
    assert state_of(inv.id).stripe_link == url


def test_a_lost_answer_then_a_second_attempt_still_make_one_session(stripe_api):
    """Stripe made the session but every answer was lost: the idempotency key makes the
    client's retries and our second attempt get that same session back."""
    inv = sent_invoice()
    stripe_api.fail_next(3, "drop_after")
    with pytest.raises(IntegrationError):
        checkout.prepare_checkout(inv.id)
    assert state_of(inv.id).stripe_link is None
    assert len(stripe_api.requests("POST", "/v1/checkout/sessions")) == 3
    assert len(stripe_api.sessions_for(inv.id)) == 1

    url = checkout.prepare_checkout(inv.id)
    [session] = stripe_api.sessions_for(inv.id)
    assert url == session["url"]
    keys = {r.idempotency_key for r in stripe_api.requests("POST", "/v1/checkout/sessions")}
    assert len(keys) == 1


def test_without_a_key_sending_works_and_online_payment_is_off(database):
    inv = make_invoice()
    invoices.send_invoice(inv.id)
    with pytest.raises(IntegrationError, match="Online payment is off"):
        checkout.prepare_checkout(inv.id)
    view = public_invoice(inv.public_token)
    assert view["status"] == "SENT" and view["payable"] is False


def test_only_sent_invoices_get_a_session(stripe_api):
    draft = make_invoice()
    with pytest.raises(ValidationError, match="Send the invoice"):
        checkout.prepare_checkout(draft.id)
    with pytest.raises(NotFound):
        checkout.pay_now(draft.public_token)
    with pytest.raises(NotFound):
        checkout.pay_now("no-such-token")
    inv = sent_invoice("Paid Co")
    invoices.mark_paid(inv.id)
    with pytest.raises(InvalidTransition, match="already paid"):
        checkout.prepare_checkout(inv.id)
    assert checkout.pay_now(inv.public_token).paid
    assert stripe_api.requests() == []


def test_pay_reuses_an_open_session_and_replaces_an_expired_one(stripe_api):
    inv = sent_invoice()
    first = checkout.prepare_checkout(inv.id)
    assert checkout.pay_now(inv.public_token).url == first
    assert len(stripe_api.sessions_for(inv.id)) == 1

    stripe_api.expire(session_id_of(first))  # Stripe's side: 24 hours are over
    second = checkout.pay_now(inv.public_token).url
    assert second != first
    assert len(stripe_api.sessions_for(inv.id)) == 2
    assert _stored(inv.id).stripe_link == second
    assert checkout.pay_now(inv.public_token).url == second  # and that one is reused

    with write_session() as s:  # our record says it has expired: no need to ask
        s.get(Invoice, inv.id).stripe_session_expires_at = utcnow() - timedelta(minutes=1)
    third = checkout.prepare_checkout(inv.id)
    assert third not in (first, second)
    assert len(stripe_api.sessions_for(inv.id)) == 3


def test_pay_replaces_a_session_made_for_another_amount(stripe_api):
    inv = sent_invoice()
    first = checkout.prepare_checkout(inv.id)
    with write_session() as s:
        s.get(Invoice, inv.id).stripe_session_amount = Decimal("1.00")
    second = checkout.pay_now(inv.public_token).url
    assert second != first
    [new] = [s for s in stripe_api.sessions_for(inv.id) if s["url"] == second]
    assert new["amount_total"] == 10000


def test_pay_creates_the_session_on_demand_when_sending_could_not(stripe_api):
    inv = sent_invoice()
    stripe_api.fail_next(3, "500")
    with pytest.raises(IntegrationError):
        checkout.prepare_checkout(inv.id)
    assert state_of(inv.id).stripe_link is None
    step = checkout.pay_now(inv.public_token)
    assert step.url and step.url == state_of(inv.id).stripe_link


def test_pay_records_a_completed_session_whose_return_was_lost(stripe_api):
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)
    assert checkout.pay_now(inv.public_token).paid
    [payment] = payments_of(inv.id)
    assert payment.stripe_payment_intent_id == session["payment_intent"]
    assert state_of(inv.id).status == "PAID"
    assert len(stripe_api.sessions_for(inv.id)) == 1


def test_a_change_by_hand_to_the_balance_expires_the_open_checkout(stripe_api):
    """A client's Checkout tab left open for the old balance cannot be paid once a payment or a
    credit note is recorded by hand: the session is expired at Stripe, and the next Pay charges
    the new balance."""
    from invoice_crm.services import ledger

    inv = sent_invoice()  # 100.00
    first = session_id_of(checkout.prepare_checkout(inv.id))
    ledger.record_payment(inv.id, "30.00")
    [old] = [s for s in stripe_api.sessions_for(inv.id) if s["id"] == first]
    assert old["status"] == "expired"
    second = session_id_of(checkout.pay_now(inv.public_token).url)
    [new] = [s for s in stripe_api.sessions_for(inv.id) if s["id"] == second]
    assert (new["status"], new["amount_total"]) == ("open", 7000)

    ledger.issue_credit_note(inv.id, amount="10.00")
    assert [s["status"] for s in stripe_api.sessions_for(inv.id) if s["id"] == second] == ["expired"]
    third = session_id_of(checkout.pay_now(inv.public_token).url)
    assert [s["amount_total"] for s in stripe_api.sessions_for(inv.id) if s["id"] == third] == [6000]
    ledger.record_payment(inv.id, "")  # the rest, by hand: nothing stays payable at Stripe
    assert [s["status"] for s in stripe_api.sessions_for(inv.id) if s["id"] == third] == ["expired"]

