"""Emailing a receipt (PDF attached) to the client: with a payment recorded by hand (an option
of Record payment), or later from the invoice page. For a paid invoice, or for what an open
invoice has received so far (with the balance still due). Queued like every client email."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from invoice_crm.db import read_session
from invoice_crm.domain.email_text import receipt_email
from invoice_crm.domain.errors import InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import format_money
from invoice_crm.models import EmailMessage, Invoice, Payment
from invoice_crm.services import delivery, idempotency
from invoice_crm.services.business_settings import branded
from invoice_crm.services.documents import has_receipt
from invoice_crm.services.email_sender import KIND_RECEIPT


def compose_receipt(invoice_id: int, session: Session | None = None) -> delivery.EmailDraft:
    """The receipt email: ``{amount}`` and ``{paid_on}`` are the payment recorded last (the one
    just made, when the receipt goes with it), never the invoice's total, which the last of
    several payments does not pay alone. A partly paid invoice adds the balance still due; a
    paid one says it is now paid in full (the PDF lists every payment and the total paid)."""
    if session is None:
        with read_session() as own:
            return compose_receipt(invoice_id, own)
    invoice, client, facts = delivery.template_facts(invoice_id, session)
    facts = {**facts, "amount": format_money(invoice.amount_paid, invoice.currency), "paid_on": invoice.paid_at}
    latest = _latest_payment(session, invoice.id)
    if latest is not None:
        facts.update(amount=format_money(latest.amount, latest.currency), paid_on=latest.paid_on)
    settled = InvoiceStatus(invoice.status) is InvoiceStatus.PAID
    balance_due = "" if settled else format_money(invoice.balance_due, invoice.currency)
    default = receipt_email(
        number=facts["number"], client_name=facts["client_name"], amount=facts["amount"], paid_on=facts["paid_on"],
        business_name=facts["business_name"], balance_due=balance_due, paid_in_full=settled,
    )
    return delivery.EmailDraft(client.email, *branded("receipt", default, facts))


def _latest_payment(session: Session, invoice_id: int) -> Payment | None:
    """The payment recorded last (not the latest date: one recorded today may be dated back),
    so a receipt queued with a payment names that payment."""
    return session.execute(
        select(Payment)
        .where(Payment.invoice_id == invoice_id, Payment.removed_at.is_(None))
        .order_by(Payment.id.desc())
        .limit(1)
    ).scalars().first()


def queue_receipt(session: Session, invoice: Invoice, actor: str) -> EmailMessage:
    """Queue the receipt email in ``session`` (the payment's transaction, or its own): refused
    unless money came in on the invoice and the client has an email address."""
    if not has_receipt(invoice):
        raise InvalidTransition("A receipt is for money received: this invoice has no payment", field="status")
    draft = compose_receipt(invoice.id, session)
    if not draft.recipient:
        raise ValidationError("The client has no email address for the receipt", field="email_receipt")
    email = delivery.clean_draft(draft.recipient, draft.subject, draft.body)
    return delivery.queue_email(session, invoice, KIND_RECEIPT, email, actor)


def send_receipt(invoice_id: int, actor: str = "system", *, idempotency_key: str | None = None) -> EmailMessage:
    """Queue the receipt email to the client's address (a paid or partly paid invoice); once
    per key: a repeated key (the second click of a double click, a replayed event) queues
    nothing more and gives the first email back."""

    def work(session: Session) -> EmailMessage:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        return queue_receipt(session, invoice, actor)

    return idempotency.run_once(idempotency_key, "email_receipt", work, lambda m: m.id, delivery.queued_email)


