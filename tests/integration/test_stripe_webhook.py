"""POST /api/stripe/webhook served by Granian (as in production) on a real port, with
events signed like Stripe's, delivered by the fake Stripe."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from invoice_crm.domain.activity import activity_text
from invoice_crm.integrations.stripe_gateway import WebhookSignatureError
from invoice_crm.services import checkout
from invoice_crm.services.payments import confirm_checkout_return, receive_stripe_webhook
from tests.conftest import reset_caches
from tests.fakes.fake_stripe import FakeStripe, sign
from tests.integration.stripe_helpers import (
    paid_session,
    payments_of,
    sent_invoice,
    served_webhook,
    session_id_of,
    state_of,
    use_served,
)


class Endpoint:
    def __init__(self, url: str, fake: FakeStripe) -> None:
        self.url = url + "/api/stripe/webhook"
        self.fake = fake

    def deliver(self, event: dict, **kw) -> tuple[int, dict]:
        status, body = self.fake.deliver_webhook(self.url, event, **kw)
        return status, json.loads(body) if body.startswith("{") else {"raw": body}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, FakeStripe, str]]:
    """One database, one fake Stripe and the endpoint server for this module's tests."""
    with served_webhook(tmp_path_factory.mktemp("webhook")) as served:
        yield served


@pytest.fixture
def endpoint(served, monkeypatch) -> Iterator[Endpoint]:
    """The test's own services use the same database and fake as the server."""
    url, fake, db_url = served
    use_served(monkeypatch, fake, db_url)
    fake.clear_failures()
    yield Endpoint(url, fake)
    reset_caches()


def test_a_signed_completed_event_marks_the_invoice_paid(endpoint):
    inv = sent_invoice("Webhook Co")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    before = state_of(inv.id).stripe_events

    status, body = endpoint.deliver(event)

    assert (status, body) == (200, {"received": True, "outcome": "recorded"})
    after = state_of(inv.id)
    assert (after.status, after.lead, after.payments) == ("PAID", "PAID", 1)
    assert after.stripe_events == before + 1
    [payment] = payments_of(inv.id)
    assert payment.stripe_payment_intent_id == session["payment_intent"]
    assert endpoint.deliver(event) == (200, {"received": True, "outcome": "duplicate"})


@pytest.mark.parametrize(
    "how",
    ["tampered body", "wrong secret", "no signature", "garbage signature", "old timestamp", "future timestamp"],
)
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(endpoint, how):
    inv = sent_invoice(f"Forger {how}")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    before = state_of(inv.id)
    payload = json.dumps(event, separators=(",", ":"))
    kw = {
        "tampered body": {"tamper": True},
        "wrong secret": {"secret": "whsec_not_the_right_one"},
        "no signature": {"signature": None},
        "garbage signature": {"signature": "t=1,v1=deadbeef"},
        "old timestamp": {"signature": sign(payload, endpoint.fake.webhook_secret, int(time.time()) - 3600)},
        # Signed for an hour ahead: replayable for an hour and five minutes, were it accepted.
        "future timestamp": {"signature": sign(payload, endpoint.fake.webhook_secret, int(time.time()) + 3600)},
    }[how]

    status, body = endpoint.deliver(event, **kw)

    assert status == 400 and "error" in body
    assert state_of(inv.id) == before
    assert before.status == "SENT" and before.payments == 0


def test_without_a_webhook_secret_every_delivery_is_refused(endpoint, monkeypatch):
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET")
    reset_caches()
    inv = sent_invoice("No Secret")
    session = paid_session(endpoint.fake, inv.id)
    payload = json.dumps(endpoint.fake.event_for(session["id"]))
    with pytest.raises(WebhookSignatureError, match="STRIPE_WEBHOOK_SECRET"):
        receive_stripe_webhook(payload.encode(), sign(payload, endpoint.fake.webhook_secret))
    assert state_of(inv.id).status == "SENT"


def test_the_same_event_ten_times_at_once_records_one_payment(endpoint):
    inv = sent_invoice("Ten Times")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    start = threading.Barrier(10)

    def deliver(_):
        start.wait()
        return endpoint.deliver(event)

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(deliver, range(10)))

    assert [status for status, _ in results] == [200] * 10
    outcomes = sorted(body["outcome"] for _, body in results)
    assert outcomes == ["duplicate"] * 9 + ["recorded"]
    after = state_of(inv.id)
    assert (after.payments, after.events.count("paid"), after.status) == (1, 1, "PAID")


def test_completed_and_async_succeeded_events_for_one_payment_record_it_once(endpoint):
    inv = sent_invoice("Two Events")
    session = paid_session(endpoint.fake, inv.id)
    kinds = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]
    events = [endpoint.fake.event_for(session["id"], kind) for kind in kinds]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(endpoint.deliver, events))
    assert sorted(body["outcome"] for _, body in results) == ["duplicate", "recorded"]
    assert state_of(inv.id).payments == 1


@pytest.mark.parametrize("round_", range(5))
def test_the_redirect_racing_the_webhook_records_one_payment(endpoint, round_):
    inv = sent_invoice(f"Race {round_}")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    start = threading.Barrier(3)

    def webhook():
        start.wait()
        status, body = endpoint.deliver(event)
        return status == 200 and body["outcome"] in ("recorded", "duplicate")

    def redirect():
        start.wait()
        return confirm_checkout_return(session["id"], public_token=inv.public_token).paid

    def freelancer_return():
        start.wait()
        return confirm_checkout_return(session["id"], invoice_id=inv.id).paid

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = [f.result() for f in [pool.submit(webhook), pool.submit(redirect), pool.submit(freelancer_return)]]

    assert results == [True, True, True]
    after = state_of(inv.id)
    assert (after.payments, after.events.count("paid"), after.status) == (1, 1, "PAID")


def test_an_unpaid_completion_waits_for_the_async_success(endpoint):
    """Bank debits complete the checkout unpaid; the money is confirmed by a later event."""
    inv = sent_invoice("Bank Debit")
    session_id = session_id_of(checkout.prepare_checkout(inv.id))
    endpoint.fake.set_field(session_id, status="complete", payment_status="unpaid", payment_intent="pi_fake_debit")
    assert endpoint.deliver(endpoint.fake.event_for(session_id))[1]["outcome"] == "rejected"
    assert state_of(inv.id).status == "SENT"

    endpoint.fake.set_field(session_id, payment_status="paid")
    event = endpoint.fake.event_for(session_id, "checkout.session.async_payment_succeeded")
    assert endpoint.deliver(event)[1]["outcome"] == "recorded"
    assert state_of(inv.id).status == "PAID"


def test_other_events_and_foreign_sessions_are_acknowledged_and_ignored(endpoint):
    inv = sent_invoice("Other Events")
    session = paid_session(endpoint.fake, inv.id)
    other_type = endpoint.fake.event_for(session["id"], "payment_intent.succeeded")
    assert endpoint.deliver(other_type) == (200, {"received": True, "outcome": "ignored"})

    endpoint.fake.set_field(session["id"], metadata={"invoice_id": str(inv.id), "invoice_number": "SOMEONE-ELSES"})
    foreign = endpoint.fake.event_for(session["id"])
    assert endpoint.deliver(foreign) == (200, {"received": True, "outcome": "rejected"})
    assert state_of(inv.id).status == "SENT" and state_of(inv.id).payments == 0


def test_the_paid_date_is_the_business_date_of_the_payment(endpoint, monkeypatch):
    monkeypatch.setenv("BUSINESS_TIMEZONE", "America/New_York")
    reset_caches()
    inv = sent_invoice("Dated")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    event["created"] = int(datetime(2026, 3, 1, 2, 30, tzinfo=UTC).timestamp())  # 21:30 the day before in New York
    payload = json.dumps(event)
    assert receive_stripe_webhook(payload.encode(), sign(payload, endpoint.fake.webhook_secret)) == "recorded"
    [payment] = payments_of(inv.id)
    assert payment.paid_on == date(2026, 2, 28) == state_of(inv.id).paid_at


def _post_signed(endpoint: Endpoint, payload: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        endpoint.url, data=payload.encode(), method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload, endpoint.fake.webhook_secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


MALFORMED = {
    "created not a number": lambda e: e.update(created="yesterday"),
    "metadata a list": lambda e: e["data"]["object"].update(metadata=["invoice_id", "1"]),
    "amount a string": lambda e: e["data"]["object"].update(amount_total="lots"),
    "expires at huge": lambda e: e["data"]["object"].update(expires_at=10**20),
    "object a string": lambda e: e["data"].update(object="checkout.session"),
    "data a list": lambda e: e.update(data=[1, 2]),
    # QA: these were recorded as a full payment (a float amount read as whole, no currency read
    # as the invoice's), or answered 500 with a traceback (an id SQLite cannot hold).
    "amount a float": lambda e: e["data"]["object"].update(amount_total=float(e["data"]["object"]["amount_total"])),
    "amount true": lambda e: e["data"]["object"].update(amount_total=True),
    "currency null": lambda e: e["data"]["object"].update(currency=None),
    "invoice id out of range": lambda e: e["data"]["object"]["metadata"].update(invoice_id=str(10**30)),
}


@pytest.mark.parametrize("how", [*MALFORMED, "a JSON array", "not JSON", "a JSON string"])
def test_verified_but_malformed_events_answer_400_without_a_traceback(endpoint, how):
    inv = sent_invoice(f"Malformed {how}")
    session = paid_session(endpoint.fake, inv.id)
    event = endpoint.fake.event_for(session["id"])
    if how in MALFORMED:
        MALFORMED[how](event)
        payload = json.dumps(event)
    else:
        payload = {"a JSON array": json.dumps([event]), "not JSON": "{not json", "a JSON string": '"evt"'}[how]

    status, body = _post_signed(endpoint, payload)

    assert "Traceback" not in body
    assert status == 400 and "error" in json.loads(body), body
    assert state_of(inv.id).status == "SENT" and state_of(inv.id).payments == 0


def test_a_payment_arriving_after_void_is_noted_once_however_often_it_is_delivered(endpoint):
    """Void cannot expire a completed session (nor stop a bank debit confirmed days later):
    its events are not recorded, but the invoice's Activity says the money must be refunded,
    once for the payment, whatever the retries and the second event."""
    from sqlalchemy import select

    from invoice_crm.db import read_session
    from invoice_crm.models import InvoiceEvent
    from invoice_crm.services import ledger

    inv = sent_invoice("Voided Payer")
    session = paid_session(endpoint.fake, inv.id)
    ledger.void_invoice(inv.id, "Wrong client")
    completed = endpoint.fake.event_for(session["id"])
    async_paid = endpoint.fake.event_for(session["id"], "checkout.session.async_payment_succeeded")

    answers = [endpoint.deliver(event)[1]["outcome"] for event in (completed, completed, async_paid, async_paid)]

    assert answers == ["rejected", "duplicate", "rejected", "duplicate"]
    with read_session() as s:
        notes = [activity_text(d, "UTC") for d in s.execute(
            select(InvoiceEvent.details).where(InvoiceEvent.invoice_id == inv.id, InvoiceEvent.kind == "extra_payment")
        ).scalars()]
    assert notes == [
        f"Stripe payment {session['payment_intent']} of $100.00 arrived after the invoice was voided "
        "and is not recorded: refund it in Stripe"
    ]
    after = state_of(inv.id)
    assert (after.status, after.payments) == ("VOID", 0)
