"""Stripe Checkout sessions for sent invoices: made after sending, reused while they are
good, replaced when they expire or the amount changed.

The Stripe call happens outside any open transaction, with an idempotency key from the
invoice, its amount and the session it replaces: a double click, two clients paying at
once or a retry after a timeout all end with one session. The link a freelancer shares is
the app's own /pay/<token>; the session URL (the feature page's stripeLink) stays behind it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import checkout
from invoice_crm.domain.activity import money_mark, time_mark
from invoice_crm.domain.errors import Conflict, IntegrationError, InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.money import format_money, to_minor_units
from invoice_crm.integrations import stripe_gateway
from invoice_crm.models import Client, Invoice, StripeCheckoutSession
from invoice_crm.services import payments, rate_limits
from invoice_crm.services.activity import log_event
from invoice_crm.services.links import pay_url
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)

MAX_TOKEN = 64


@dataclass(frozen=True)
class _Snapshot:
    """What a session is made from, read in one short transaction before calling Stripe."""

    invoice_id: int
    number: str
    status: InvoiceStatus
    amount: Decimal
    currency: str
    public_token: str
    customer_email: str
    session_id: str | None
    session_url: str | None
    session_expires_at: datetime | None
    session_amount: Decimal | None

    def stored_usable(self, now: datetime) -> bool:
        return bool(self.session_url) and checkout.stored_session_usable(
            expires_at=self.session_expires_at,
            session_amount=self.session_amount,
            invoice_amount=self.amount,
            now=now,
        )


@dataclass(frozen=True)
class PayStep:
    """What the client's Pay button does next: go to ``url``, or say the invoice is paid."""

    url: str | None = None
    paid: bool = False


def _snapshot(where) -> _Snapshot | None:
    with read_session() as session:
        row = session.execute(
            select(Invoice, Client.email).join(Client, Client.id == Invoice.client_id).where(where)
        ).first()
    if row is None:
        return None
    inv, email = row
    return _Snapshot(
        invoice_id=inv.id,
        number=inv.number,
        status=InvoiceStatus(inv.status),
        amount=inv.balance_due,  # the pay link charges what is left to pay
        currency=inv.currency,
        public_token=inv.public_token,
        customer_email=email or "",
        session_id=inv.stripe_session_id,
        session_url=inv.stripe_link,
        session_expires_at=inv.stripe_session_expires_at,
        session_amount=inv.stripe_session_amount,
    )


def _require_payable(snap: _Snapshot) -> None:
    if snap.status is InvoiceStatus.DRAFT:
        raise ValidationError("Send the invoice before making a payment link", field="status")
    if snap.status is InvoiceStatus.PAID:
        raise InvalidTransition("This invoice is already paid", field="status")
    if snap.status is InvoiceStatus.VOID:
        raise InvalidTransition("This invoice was cancelled", field="status")
    if snap.amount <= 0:
        raise InvalidTransition("Nothing is left to pay on this invoice", field="status")


def _create(snap: _Snapshot, actor: str) -> checkout.CheckoutSession:
    """A new session replacing the stored one (if any); stored on the invoice."""
    base = pay_url(snap.public_token)
    created = stripe_gateway.create_checkout_session(
        invoice_id=snap.invoice_id,
        number=snap.number,
        currency=snap.currency,
        amount_minor=to_minor_units(snap.amount, snap.currency),
        customer_email=snap.customer_email,
        success_url=f"{base}/paid?paid=true&session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=base,
        idempotency_key=checkout.idempotency_key(
            invoice_id=snap.invoice_id,
            public_token=snap.public_token,
            amount=snap.amount,
            currency=snap.currency,
            replaces=snap.session_id,
        ),
    )
    if not created.url:
        raise IntegrationError("Stripe returned a session without a payment page", field="stripe")
    _store(snap, created, actor)
    if snap.session_id and snap.session_id != created.id and snap.session_amount not in (None, snap.amount):
        # Made for an older balance: close it, so a tab left open cannot pay the old amount.
        with contextlib.suppress(IntegrationError):
            stripe_gateway.expire_checkout_session(snap.session_id)
    return created


def _store(snap: _Snapshot, created: checkout.CheckoutSession, actor: str) -> None:
    until = time_mark(created.expires_at) if created.expires_at else ""
    with write_session() as session:
        # Locked (PostgreSQL; SQLite's writer is single): concurrent clicks that got the same
        # session back from Stripe store and log it once.
        invoice = session.get(Invoice, snap.invoice_id, with_for_update=session.bind.dialect.name != "sqlite")
        if invoice is None:
            return  # deleted meanwhile
        if session.execute(
            select(StripeCheckoutSession.id).where(StripeCheckoutSession.session_id == created.id)
        ).first() is None:
            # What it was made for, as data: a payment of it after the balance moved is known as
            # one for an earlier balance (services.payments), whatever the wording or locale since.
            session.add(StripeCheckoutSession(
                session_id=created.id, invoice_id=invoice.id, amount=snap.amount, currency=snap.currency,
            ))
        if invoice.stripe_session_id == created.id:
            return  # a replayed request already stored it
        if invoice.status not in OPEN:
            return  # paid meanwhile: nothing left to pay
        invoice.stripe_session_id = created.id
        invoice.stripe_link = created.url
        invoice.stripe_session_expires_at = created.expires_at
        invoice.stripe_session_amount = snap.amount
        invoice.updated_at = utcnow()
        detail = f"Stripe Checkout session {created.id} for {money_mark(snap.amount, snap.currency)}"
        if until:
            detail += f", usable until {until}"
        if snap.session_id:
            detail += f"; replaces {snap.session_id}"
        log_event(session, invoice.id, "payment_link", actor, detail)


def prepare_checkout(invoice_id: int, actor: str = "system") -> str:
    """After sending (or on "Create payment link"): make sure the invoice has a usable
    Checkout Session; returns its URL. Raises IntegrationError when Stripe fails; the
    invoice is left as it was (SENT, with or without its previous link)."""
    snap = _snapshot(Invoice.id == invoice_id)
    if snap is None:
        raise NotFound("Invoice not found", field="invoice_id")
    _require_payable(snap)
    if snap.stored_usable(utcnow()):
        return snap.session_url or ""
    return _create(snap, actor).url or ""


def pay_now(public_token: str, address: str = "", shown_balance: Decimal | None = None) -> PayStep:
    """The client's Pay button: the stored session while it is open, unexpired and for the
    current amount; a completed one is recorded (its return may have been lost); otherwise
    a fresh session. Each click that reaches Stripe counts against a per-minute budget per
    invoice and per client address (PAY_ATTEMPTS_PER_MINUTE).

    ``shown_balance``: the amount the pressed button said ("Pay $90.04"). When the balance is
    no longer that (a payment or credit note recorded meanwhile), no Checkout is opened for an
    amount the client did not see: ``Conflict`` names the balance now, to press Pay again."""
    snap = _snapshot(Invoice.public_token == public_token) if 0 < len(public_token or "") <= MAX_TOKEN else None
    if snap is None or snap.status is InvoiceStatus.DRAFT:
        raise NotFound("This invoice is not available", field="token")
    if snap.status is InvoiceStatus.PAID:
        return PayStep(paid=True)
    if snap.status is InvoiceStatus.VOID:
        raise InvalidTransition("This invoice was cancelled; there is nothing to pay", field="token")
    if shown_balance is not None and shown_balance != snap.amount:
        _require_payable(snap)  # nothing left to pay at all: said as such
        raise Conflict(
            f"The balance is now {format_money(snap.amount, snap.currency)}. Press Pay again to pay it.",
            field="amount",
        )
    rate_limits.take(
        [f"pay:invoice:{snap.invoice_id}", f"pay:addr:{address or 'unknown'}"],
        get_settings().pay_attempts_per_minute,
        "Too many payment attempts for now.",
    )
    now = utcnow()
    if snap.session_id:
        try:
            current = stripe_gateway.retrieve_checkout_session(snap.session_id)
        except IntegrationError:
            if snap.stored_usable(now):
                return PayStep(url=snap.session_url)  # Stripe's API is slow to answer; its page may not be
            raise
        if current is not None and current.payment_status == "paid":
            outcome = payments.fulfil_checkout(current, paid_at=now, expected_invoice_id=snap.invoice_id, actor="stripe")
            if outcome.paid:
                return PayStep(paid=True)
        if current is not None and current.status == "open" and snap.stored_usable(now):
            return PayStep(url=snap.session_url)
        snap = _snapshot(Invoice.public_token == public_token) or snap  # a payment may have moved the balance
        if snap.status is InvoiceStatus.PAID:
            return PayStep(paid=True)
    _require_payable(snap)
    return PayStep(url=_create(snap, "client").url)
