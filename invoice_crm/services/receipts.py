"""Emailing a paid invoice's receipt (PDF attached) to the client: after a payment recorded by
hand, the freelancer can send it from the invoice page. Queued like every client email."""

from __future__ import annotations

from sqlmodel import Session

from invoice_crm.db import write_session
from invoice_crm.domain.email_text import long_date
from invoice_crm.domain.errors import InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import EmailMessage, Invoice
from invoice_crm.services import delivery
from invoice_crm.services.business_settings import branded
from invoice_crm.services.email_sender import KIND_RECEIPT


def compose_receipt(invoice_id: int, session: Session | None = None) -> delivery.EmailDraft:
    invoice, client, facts = delivery._template_facts(invoice_id, session)
    facts = {**facts, "paid_on": invoice.paid_at}
    sign = f"\n\nThank you,\n{facts['business_name']}" if facts["business_name"] else "\n\nThank you."
    default = (
        f"Receipt for invoice {facts['number']}",
        f"Hello {facts['client_name']},\n\nThank you for your payment of {facts['amount']} for invoice "
        f"{facts['number']}, received on {long_date(invoice.paid_at)}. The receipt is attached.{sign}",
    )
    return delivery.EmailDraft(client.email, *branded("receipt", default, facts))


def queue_receipt(session: Session, invoice: Invoice, actor: str) -> EmailMessage:
    """Queue the receipt email in ``session`` (the transaction that made the invoice paid, or
    its own): refused unless the invoice is paid and the client has an email address."""
    if InvoiceStatus(invoice.status) is not InvoiceStatus.PAID:
        raise InvalidTransition("A receipt is for a paid invoice", field="status")
    draft = compose_receipt(invoice.id, session)
    if not draft.recipient:
        raise ValidationError("The client has no email address for the receipt", field="email_receipt")
    email = delivery._clean(draft.recipient, draft.subject, draft.body)
    return delivery._queue(session, invoice, KIND_RECEIPT, email, actor)


def send_receipt(invoice_id: int, actor: str = "system") -> EmailMessage:
    """Queue the receipt email to the client's address for a paid invoice."""
    with write_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        return queue_receipt(session, invoice, actor)
