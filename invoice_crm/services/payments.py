"""Record a Stripe payment exactly once, whichever way it is reported.

The client's return from Checkout (``?paid=true&session_id=...``) and Stripe's webhook
both end in ``fulfil_checkout``: one transaction that checks the session against the
invoice and records the Payment, marks the invoice PAID, advances the lead and logs it.
A return is believed only after asking Stripe for the session; a webhook only with a valid
signature. Exactly once: the processed event ids (``stripe_event``), the unique payment
intent and session ids on ``payment``, and the invoice row locked (SQLite: ``BEGIN
IMMEDIATE``) while it is checked and changed, so a redirect racing the webhook, or an
event delivered ten times at once, records one Payment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import checkout, lifecycle
from invoice_crm.domain.activity import activity_text, money_mark
from invoice_crm.domain.errors import DomainError, IntegrationError, NotFound
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today
from invoice_crm.domain.money import format_money
from invoice_crm.integrations import stripe_gateway
from invoice_crm.models import (
    Invoice,
    InvoiceEvent,
    Payment,
    PaymentMethod,
    StripeCheckoutSession,
    StripeEvent,
)
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.services.ledger import apply_payment

log = logging.getLogger(__name__)

HANDLED_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
REFUND_EVENTS = frozenset({"charge.refunded", "refund.updated", "refund.created"})
NOT_CONFIRMED = "Payment not confirmed yet"
# What the client's return from Checkout says when the invoice was voided meanwhile.
VOID_NOTHING_TO_PAY = "This invoice was cancelled; there is nothing to pay"
VOID_PAYMENT_REFUNDED = (
    "This invoice was cancelled before your payment reached it, so the payment is not recorded; it will be refunded"
)
# What it says when the payment was taken for an amount the invoice no longer asks (the balance
# changed while the client was at Checkout): "not confirmed yet" would never change either.
TAKEN_NOT_RECORDED = (
    "Your payment of {paid} {why}, so it was not recorded automatically; it will be {then}"
)


@dataclass(frozen=True)
class Fulfilment:
    """What one report of a payment did. ``outcome``: recorded (this call recorded it),
    duplicate (already recorded), already_paid (paid by other means), rejected."""

    outcome: str
    message: str = ""
    taken: bool = False  # rejected, though Stripe took the money: the client is told so

    @property
    def paid(self) -> bool:
        return self.outcome in ("recorded", "duplicate", "already_paid")


def _locked_invoice(session: Session, invoice_id: int) -> Invoice | None:
    return session.get(Invoice, invoice_id, with_for_update=session.bind.dialect.name != "sqlite")


def _logged(session: Session, invoice: Invoice, kind: str, text: str) -> list[str]:
    """The details of the invoice's Activity rows of ``kind`` that contain ``text``."""
    return list(session.execute(
        select(InvoiceEvent.details).where(
            InvoiceEvent.invoice_id == invoice.id, InvoiceEvent.kind == kind, InvoiceEvent.details.contains(text),
        )
    ).scalars())


def unrecorded_payments(events: list[InvoiceEvent]) -> list[str]:
    """The invoice's notes of Stripe payments taken but not recorded (``_note_extra_payment``)
    that no refund in Stripe has answered since: what the freelancer still has to act on."""
    refunded = " ".join(e.details for e in events if e.kind == "refund")
    left = []
    for event in events:
        if event.kind != "extra_payment":
            continue
        reference = event.details.removeprefix("Stripe payment ").split(" ", 1)[0]
        if checkout.refunded_unrecorded(reference) not in refunded:
            left.append(event.details)
    return left


def _note_extra_payment(session: Session, invoice: Invoice, intent: str, details: str | None = None) -> str | None:
    """A Stripe payment the app does not record (the invoice was already paid another way or
    voided, it paid an older balance or another amount, or in another currency): tell the
    freelancer once, on the invoice's Activity. Returns the note when this call wrote it (None
    when an earlier report of it already had), for the caller to log once the transaction has
    committed."""
    if _logged(session, invoice, "extra_payment", intent):
        return None
    details = details or f"Stripe payment {intent} arrived after the invoice was already paid; refund it in Stripe if it was not meant"
    log_event(session, invoice.id, "extra_payment", "stripe", details)
    return details


def _made_for(session: Session, invoice: Invoice, session_obj: checkout.CheckoutSession, paid: str) -> bool:
    """This app made Checkout session ``session_obj`` for this invoice, for what it charged (the
    invoice's balance then): the amount and currency stored when it was made. A session made
    before they were stored (migration 0018 stored only each invoice's current one) is known by
    its Activity row ("Stripe Checkout session cs_… for $172.88, …"), ``paid`` being what it
    charged written as that row wrote it."""
    made = session.execute(
        select(StripeCheckoutSession).where(StripeCheckoutSession.session_id == session_obj.id)
    ).scalar_one_or_none()
    if made is not None:
        currency = (session_obj.currency or made.currency).upper()
        return (made.invoice_id, made.currency.upper(), made.amount) == (
            invoice.id, currency, checkout.amount_of(session_obj)
        )
    # The row as written then (finished text), or with its amount as a value (migration 0019).
    currency = (session_obj.currency or invoice.currency).upper()
    for amount in (paid, money_mark(checkout.amount_of(session_obj), currency)):
        said = f"Stripe Checkout session {session_obj.id} for {amount}"
        # Exactly that amount: "¥4,520" is also the start of "¥4,520,000".
        if any(d == said or d.startswith((said + ", usable", said + "; replaces"))
               for d in _logged(session, invoice, "payment_link", said)):
            return True
    return False


def fulfil_checkout(
    session_obj: checkout.CheckoutSession,
    *,
    paid_at: datetime,
    event_id: str | None = None,
    event_type: str = "",
    expected_invoice_id: int | None = None,
    actor: str = "stripe",
) -> Fulfilment:
    """Record the payment a (Stripe-confirmed) Checkout Session proves, exactly once."""
    invoice_id = checkout.invoice_id_of(session_obj)
    if expected_invoice_id is not None and invoice_id != expected_invoice_id:
        return Fulfilment("rejected", "This payment is for another invoice")
    noted: list[tuple[int, str]] = []  # Activity notes written: logged after the commit
    try:
        with write_session() as session:
            result = _fulfil(session, session_obj, invoice_id, paid_at, event_id, event_type, actor, noted)
    except IntegrityError:
        # Another transaction recorded this event or payment between our check and insert.
        return Fulfilment("duplicate", "This payment is already recorded")
    for noted_invoice, note in noted:
        # Money taken at Stripe that the app did not record: someone has to refund it.
        log.warning("Invoice %s: %s", noted_invoice, activity_text(note, "UTC", "en_US"))
    return result


def _fulfil(
    session: Session,
    session_obj: checkout.CheckoutSession,
    invoice_id: int | None,
    paid_at: datetime,
    event_id: str | None,
    event_type: str,
    actor: str,
    noted: list[tuple[int, str]],
) -> Fulfilment:
    """``fulfil_checkout`` inside its transaction; a note written for the freelancer is added
    to ``noted``."""
    if event_id is not None:
        if session.get(StripeEvent, event_id) is not None:
            return Fulfilment("duplicate", "This event was already processed")
        session.add(StripeEvent(event_id=event_id, type=event_type[:64], processed_at=utcnow()))
    invoice = _locked_invoice(session, invoice_id) if invoice_id is not None else None
    if invoice is None:
        return Fulfilment("rejected", "This payment is not for an invoice of this app")
    intent = session_obj.payment_intent or None
    same_payment = [Payment.stripe_session_id == session_obj.id]
    if intent:
        same_payment.append(Payment.stripe_payment_intent_id == intent)
    recorded = session.execute(select(Payment.id).where(or_(*same_payment))).first()
    if recorded is not None:
        return Fulfilment("duplicate", "This payment is already recorded")

    def note(details: str | None = None) -> None:
        written = _note_extra_payment(session, invoice, intent or session_obj.id, details)
        if written:
            noted.append((invoice.id, written))

    status = InvoiceStatus(invoice.status)
    reason = checkout.mismatch_reason(
        session_obj,
        invoice_id=invoice.id,
        number=invoice.number,
        amount=invoice.balance_due if status in OPEN else invoice.amount,
        currency=invoice.currency,
    )
    # Stripe took money for this invoice (paid, naming it, with an amount): if it is not
    # recorded, the freelancer is told, once, on the invoice's Activity.
    taken = reason not in (checkout.UNPAID, checkout.OTHER_INVOICE, checkout.UNREADABLE)
    reference = intent or session_obj.id
    currency = (session_obj.currency or invoice.currency).upper()
    # Written now for the payer's answer; kept as a value in the Activity (read in the locale then).
    paid = format_money(checkout.amount_of(session_obj), currency) if taken else ""
    paid_mark = money_mark(checkout.amount_of(session_obj), currency) if taken else ""
    if taken and reason == checkout.OTHER_CURRENCY:
        note(checkout.other_currency_note(reference, paid_mark, session_obj.currency or "", invoice.currency))
        return Fulfilment("rejected", reason)
    if status is InvoiceStatus.VOID:
        # Void expires the open session, but one already completed, or an async payment (bank
        # debit) confirmed days later, still pays: the money was taken for a cancelled invoice.
        if not taken:
            return Fulfilment("rejected", reason or "This invoice cannot be paid")  # no payment of it
        note(f"Stripe payment {reference} of {paid_mark} arrived after the invoice was voided and is not recorded: refund it in Stripe")
        return Fulfilment("rejected", VOID_PAYMENT_REFUNDED)
    if status is InvoiceStatus.PAID and taken and lifecycle.credited_in_full(status, invoice.amount_paid):
        # Credited in full, nothing received: not "already paid" (nothing was), and to refund.
        note(f"Stripe payment {reference} of {paid_mark} arrived after the invoice was credited in full and is not "
             "recorded: refund it in Stripe")
        return Fulfilment("rejected", TAKEN_NOT_RECORDED.format(
            paid=paid, why="reached us after the invoice was credited in full", then="refunded"), taken=True)
    if status is InvoiceStatus.PAID and taken:
        note()  # of the total or of another amount: either way the invoice was paid already
        return Fulfilment("already_paid", "This invoice was already paid") if reason is None else Fulfilment("rejected", reason)
    if reason == checkout.OTHER_AMOUNT and status in OPEN and taken:
        # Paid at Stripe for what was owed before a change by hand (a tab left open), or for an
        # amount this invoice never asked: not recorded, but the money was taken.
        amount = checkout.amount_of(session_obj)
        earlier = _made_for(session, invoice, session_obj, paid)
        note(checkout.other_amount_note(
            reference, paid_mark, money_mark(invoice.balance_due, invoice.currency),
            earlier_balance=earlier, fits=amount <= invoice.balance_due,
        ))
        why = "reached us after the amount due had changed" if earlier else "is not the amount due"
        return Fulfilment("rejected", TAKEN_NOT_RECORDED.format(paid=paid, why=why, then="refunded or recorded by hand"), taken=True)
    if reason is not None:
        return Fulfilment("rejected", reason)
    if status not in OPEN:
        return Fulfilment("rejected", "This invoice cannot be paid")
    apply_payment(
        session,
        invoice,
        paid_on=business_today(business_timezone(), paid_at),
        method=PaymentMethod.STRIPE,
        amount=checkout.amount_of(session_obj),
        reference=intent or session_obj.id,
        actor=actor,
        stripe_payment_intent_id=intent,
        stripe_session_id=session_obj.id,
    )
    _email_receipt(session, invoice, actor)
    return Fulfilment("recorded", "Payment received")


def _email_receipt(session: Session, invoice: Invoice, actor: str) -> None:
    """A client who paid online is sent the receipt, as one whose payment is recorded by hand
    can be: queued in the payment's transaction, so once with the payment however often Stripe
    reports it. Nothing without email set up or a client address (the payment stands)."""
    from invoice_crm.services import delivery, receipts  # receipts -> delivery -> ledger

    if not delivery.email_enabled():
        return
    session.flush()
    try:
        receipts.queue_receipt(session, invoice, actor)
    except DomainError as err:
        log.info("Invoice %s: no receipt emailed for the online payment: %s", invoice.id, err.message)


@dataclass(frozen=True)
class ReturnCheck:
    """What a return from Checkout showed: ``paid`` is the invoice's state afterwards."""

    paid: bool
    message: str
    recorded: bool = False
    taken: bool = False  # Stripe took a payment that was not recorded (see TAKEN_NOT_RECORDED)


def _status_of(where) -> tuple[int, InvoiceStatus, bool] | None:
    """The invoice's id and status, and whether it was credited in full with nothing received."""
    with read_session() as session:
        row = session.execute(select(Invoice.id, Invoice.status, Invoice.amount_paid).where(where)).first()
    return (row[0], InvoiceStatus(row[1]), lifecycle.credited_in_full(row[1], row[2])) if row else None


def confirm_checkout_return(
    session_id: str | None, *, invoice_id: int | None = None, public_token: str | None = None
) -> ReturnCheck:
    """A browser came back saying it paid. Believe Stripe, not the query string: record
    the payment only if Stripe's session is paid, names this invoice and has its total."""
    where = Invoice.id == invoice_id if invoice_id is not None else Invoice.public_token == (public_token or "")
    found = _status_of(where)
    if found is None or found[1] is InvoiceStatus.DRAFT:
        raise NotFound("This invoice is not available", field="invoice_id")
    inv_id, status, credited = found
    if status is InvoiceStatus.PAID and not credited:  # credited: a payment taken is to refund
        return ReturnCheck(True, "This invoice is paid")

    def not_paid(why: str) -> ReturnCheck:
        # A voided invoice is not waiting for anything: "not confirmed yet" would never change.
        return ReturnCheck(False, VOID_NOTHING_TO_PAY if status is InvoiceStatus.VOID else f"{NOT_CONFIRMED}. {why}")

    if not session_id:
        return not_paid("The return carries no Stripe session")
    try:
        session_obj = stripe_gateway.retrieve_checkout_session(session_id)
    except IntegrationError as err:
        return ReturnCheck(False, f"{NOT_CONFIRMED}. {err.message}")  # asked again on a reload
    if session_obj is None:
        return not_paid("Stripe has no such checkout session")
    result = fulfil_checkout(session_obj, paid_at=utcnow(), expected_invoice_id=inv_id)
    if result.paid:
        return ReturnCheck(True, "Payment received", recorded=result.outcome == "recorded")
    if result.message == VOID_PAYMENT_REFUNDED:  # paid, for an invoice voided meanwhile: never "paid"
        return ReturnCheck(False, VOID_PAYMENT_REFUNDED)
    if result.taken:  # paid at Stripe, not recorded: not "not confirmed yet", and no Pay again
        return ReturnCheck(False, result.message, taken=True)
    return not_paid(result.message)


def receive_stripe_webhook(payload: bytes, signature: str | None) -> str:
    """Verify a webhook delivery and act on it; returns what happened (for the response).
    Raises ``stripe_gateway.WebhookSignatureError`` when the signature does not check out."""
    event = stripe_gateway.verify_webhook(payload, signature)
    kind = str(event.get("type", ""))
    if kind in REFUND_EVENTS:
        from invoice_crm.services.stripe_refunds import record_stripe_refunds

        return record_stripe_refunds(event)
    if kind not in HANDLED_EVENTS:
        return "ignored"
    data = (event.get("data") or {}).get("object") or {}
    if data.get("object") != "checkout.session":
        return "ignored"
    created = event.get("created")
    try:  # verified, so Stripe's; but a field of an unexpected type is answered, not raised
        session = stripe_gateway.session_from_dict(data)
        paid_at = datetime.fromtimestamp(int(created), UTC) if created else utcnow()
    except (TypeError, ValueError, AttributeError, OverflowError, OSError) as err:
        raise stripe_gateway.WebhookPayloadError(f"Unreadable {kind} event: {type(err).__name__}") from None
    if why := checkout.unreadable_reason(session):  # answered 400, nothing recorded
        raise stripe_gateway.WebhookPayloadError(f"Unreadable {kind} event {session.id[:80]}: {why}")
    result = fulfil_checkout(
        session,
        paid_at=paid_at,
        event_id=str(event.get("id") or "") or None,
        event_type=kind,
    )
    if result.outcome == "rejected":
        log.info("Stripe event %s (%s) not recorded: %s", event.get("id"), kind, result.message)
    return result.outcome
