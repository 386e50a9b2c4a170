"""Refunds made in the Stripe dashboard, reported by webhook (``charge.refunded``, and
``refund.updated`` when a pending refund succeeds): each succeeded refund is recorded once,
as Refunds: first against what the invoice's credit notes still have to refund, and for the
rest (if any) against a new credit note that explains it on the invoice.

Exactly once: the processed event id (``stripe_event``), the unique Stripe refund id on
both ``refund`` and ``credit_note``, and the invoice row locked while it changes.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from invoice_crm.db import write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.activity import money_mark
from invoice_crm.domain.checkout import CheckoutSession, amount_of, unrecorded_refund_note
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.models import CreditNote, Invoice, InvoiceEvent, Payment, PaymentMethod, Refund, StripeEvent
from invoice_crm.services import figures, ledger
from invoice_crm.services.activity import enqueue_sheet_sync, log_event
from invoice_crm.services.business_settings import business_timezone

log = logging.getLogger(__name__)

REFUND_EVENTS = frozenset({"charge.refunded", "refund.updated", "refund.created"})


def _refunds_in(kind: str, obj: dict) -> list[dict]:
    if kind == "charge.refunded" and obj.get("object") == "charge":
        intent = obj.get("payment_intent")
        data = ((obj.get("refunds") or {}).get("data")) or []
        return [{**r, "payment_intent": r.get("payment_intent") or intent} for r in data]
    if obj.get("object") == "refund":
        return [obj]
    return []


def record_stripe_refunds(event: dict) -> str:
    """Record the succeeded refunds an event reports; returns what happened."""
    kind = str(event.get("type", ""))
    obj = (event.get("data") or {}).get("object") or {}
    event_id = str(event.get("id") or "") or None
    refunds = [r for r in _refunds_in(kind, obj) if r.get("status") == "succeeded" and r.get("id")]
    try:
        with write_session() as session:
            if event_id is not None:
                if session.get(StripeEvent, event_id) is not None:
                    return "duplicate"
                session.add(StripeEvent(event_id=event_id, type=kind[:64], processed_at=utcnow()))
            recorded = 0
            for refund in refunds:
                recorded += _record_one(session, refund, event.get("created"))
            return "recorded" if recorded else "ignored"
    except IntegrityError:
        return "duplicate"


def _note_unrecorded_refund(session, refund_id: str, intent: str, refund: dict) -> int:
    """A refund of a payment Stripe took but this app did not record (the invoice's Activity
    asked to refund it in Stripe): nothing to record in the money, but the invoice says, once,
    that it was done."""
    noted = session.execute(
        select(InvoiceEvent.invoice_id).where(
            InvoiceEvent.kind == "extra_payment", InvoiceEvent.details.contains(f"Stripe payment {intent} ")
        )
    ).scalar() if intent else None
    if noted is None:
        log.info("Stripe refund %s is for no payment of this app", refund_id)
        return 0
    if session.execute(select(InvoiceEvent.id).where(
        InvoiceEvent.invoice_id == noted, InvoiceEvent.kind == "refund", InvoiceEvent.details.contains(f"Stripe refund {refund_id} ")
    )).first():
        return 0
    money = amount_of(CheckoutSession(id=refund_id, amount_total=int(refund.get("amount") or 0), currency=refund.get("currency")))
    currency = str(refund.get("currency") or session.get(Invoice, noted).currency).upper()
    log_event(session, noted, "refund", "stripe", unrecorded_refund_note(refund_id, money_mark(money, currency), intent))
    return 1


def _record_one(session, refund: dict, created) -> int:
    refund_id = str(refund["id"])
    if session.execute(select(Refund.id).where(Refund.stripe_refund_id == refund_id)).first():
        return 0
    intent = refund.get("payment_intent")
    payment = session.execute(
        select(Payment).where(Payment.stripe_payment_intent_id == str(intent or ""))
    ).scalar() if intent else None
    if payment is None:
        return _note_unrecorded_refund(session, refund_id, str(intent or ""), refund)
    invoice = session.get(Invoice, payment.invoice_id, with_for_update=session.bind.dialect.name != "sqlite")
    if why := _unreadable(refund, invoice.currency):
        return _not_recorded(session, invoice, refund_id, why)
    amount = amount_of(CheckoutSession(id=refund_id, amount_total=refund["amount"], currency=refund["currency"]))
    when = datetime.fromtimestamp(int(refund.get("created") or created), UTC) if (refund.get("created") or created) else utcnow()
    day = business_today(business_timezone(), when)
    try:
        with session.begin_nested():
            _settle_refund(session, invoice, refund_id, amount, day)
    except DomainError as err:
        return _not_recorded(session, invoice, refund_id, err.message)
    return 1


def _unreadable(refund: dict, invoice_currency: str) -> str | None:
    """Why a refund of a recorded payment cannot be recorded as it is reported (None: it can):
    an amount that is not a positive whole number of minor units, or a currency other than the
    invoice's (the payment's): 100 JPY is not $100.00. Stripe refunds in the charge's currency,
    so neither should happen; the freelancer looks at it in Stripe."""
    amount, currency = refund.get("amount"), refund.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return "its amount cannot be read"
    if not isinstance(currency, str) or not currency:
        return "it names no currency; check it in Stripe"
    if currency.upper() != invoice_currency.upper():
        return f"it is in {currency.upper()[:8]}, not in the invoice's currency ({invoice_currency.upper()}); check it in Stripe"
    return None


def _not_recorded(session, invoice: Invoice, refund_id: str, why: str) -> int:
    """Say on the invoice's Activity, once however often Stripe reports it, that a refund is
    not recorded and why. Returns 0 (nothing recorded)."""
    said = f"Stripe refund {refund_id} not recorded: "
    if not session.execute(select(InvoiceEvent.id).where(
        InvoiceEvent.invoice_id == invoice.id, InvoiceEvent.kind == "refund", InvoiceEvent.details.startswith(said)
    )).first():
        log_event(session, invoice.id, "refund", "stripe", said + why)
    return 0


def _settle_refund(session, invoice: Invoice, refund_id: str, amount: Decimal, day: date) -> None:
    """A Stripe refund first gives back what the invoice's credit notes still have to refund
    (oldest first, as far as the invoice is overpaid and up to the refund); only the rest, if
    any, is explained by a new credit note "Refunded in Stripe". Its first Refund row carries
    the Stripe refund id (unique), so a second report of it cannot record it again."""
    rest = amount
    parts: list[tuple[CreditNote, Decimal]] = []
    overpaid = figures.invoice_totals(session, invoice).refund_due
    notes = session.execute(
        select(CreditNote).where(CreditNote.invoice_id == invoice.id).order_by(CreditNote.id)
    ).scalars().all()
    for note in notes:
        part = min(figures.note_refunds(session, note, overpaid).left, rest)
        if part > 0:
            parts.append((note, part))
            rest -= part
            overpaid -= part
    if rest > 0:
        note = ledger.add_credit_note(
            session, invoice, rest, reason="Refunded in Stripe", issue_date=day, actor="stripe",
            stripe_refund_id=refund_id,
        )
        parts.append((note, rest))
    for index, (note, part) in enumerate(parts):
        made = Refund(
            invoice_id=invoice.id, credit_note_id=note.id, amount=part, currency=invoice.currency,
            refunded_on=day, method=PaymentMethod.STRIPE, reference=refund_id,
            stripe_refund_id=refund_id if index == 0 else None,
        )
        session.add(made)
        session.flush()
        log_event(session, invoice.id, "refund", "stripe", ledger.refund_text(session, note, made))
    figures.refresh_figures(session, invoice)
    if rest == 0:  # a new credit note has queued the sheet row already
        enqueue_sheet_sync(session, invoice.id)
