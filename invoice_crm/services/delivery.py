"""Emailing invoices and reminders to clients: what the user does, and what the page shows.

Each action is one transaction: the invoice changes (DRAFT -> SENT for a send) and an
``EmailMessage`` row is queued in the same commit. ``email_sender`` delivers it after commit
(the background task in ``invoice_crm.tasks``, woken by the commit); see there for the retries and
why nothing is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import email_text
from invoice_crm.domain.errors import Conflict, InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today, countdown
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_timestamp
from invoice_crm.integrations import mailer
from invoice_crm.models import Client, DeliveryStatus, EmailMessage, Invoice
from invoice_crm.services import figures, idempotency, wakeups
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import branded, business_timezone, current_business
from invoice_crm.services.clients import clean_email
from invoice_crm.services.email_sender import KIND_INVOICE, KIND_LABELS, KIND_REMINDER
from invoice_crm.services.invoices import mark_sent
from invoice_crm.services.links import pay_url
from invoice_crm.services.numbering import preview_next_number
from invoice_crm.settings import get_settings

# Said to the freelancer: the setting names are in the README, not on the screen.
NOT_CONFIGURED = "Email is not set up yet — see Settings → Integrations."


def email_enabled() -> bool:
    return get_settings().email_enabled


# --- What the Send and Reminder dialogs start from --------------------------------------


@dataclass(frozen=True)
class EmailDraft:
    recipient: str
    subject: str
    body: str
    # The money the prefilled text names (amount asked and breakdown), as it was written: a
    # send checks the invoice still says this, so no email goes out with amounts of the past.
    said: str = ""


CHANGED_SINCE_WRITTEN = "The invoice changed since this message was written"


def _money_said(facts: dict) -> str:
    return facts["amount"] + "\n" + facts["summary"]


def _check_said(session: Session, invoice_id: int, said: str | None) -> None:
    """Refuse a send whose message was written for other figures (a payment, an edit or a
    credit note in another tab since the dialog opened)."""
    if said is None:
        return
    facts = template_facts(invoice_id, session)[2]
    if _money_said(facts) != said:
        raise Conflict(f"{CHANGED_SINCE_WRITTEN} (it now asks for {facts['amount']})", field="body")


def _invoice_and_client(session: Session, invoice_id: int) -> tuple[Invoice, Client]:
    found = session.execute(
        select(Invoice, Client).join(Client, Client.id == Invoice.client_id).where(Invoice.id == invoice_id)
    ).first()
    if found is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return found[0], found[1]


def template_facts(invoice_id: int, session: Session | None = None) -> tuple[Invoice, Client, dict]:
    """What every email template names: number, client, amount, due date, pay link, sender.
    A draft has no number yet: the email shows the one it will most likely take when sent.
    ``session``: read inside that (writing) transaction, which sees its own changes."""
    if session is None:
        with read_session() as own:
            return template_facts(invoice_id, own)
    invoice, client = _invoice_and_client(session, invoice_id)
    totals = figures.invoice_totals(session, invoice)
    number = invoice.number or preview_next_number(session, business_today(business_timezone()))
    summary = "\n".join(f"{row['label']}: {row['value']}" for row in figures.breakdown_rows(totals))
    return invoice, client, {
        "number": number,
        "client_name": client.name,
        "summary": summary,
        # What is asked for: the balance of a partly paid or credited open invoice, else the total.
        "amount": format_money(
            totals.balance_due
            if InvoiceStatus(invoice.status) in OPEN and (totals.paid or totals.credited)
            else totals.total,
            invoice.currency,
        ),
        "due_date": invoice.due_date,
        "pay_link": pay_url(invoice.public_token),
        "business_name": current_business(session).business_name,
    }


def compose_invoice_email(invoice_id: int, due_date=None) -> EmailDraft:
    """The prefilled email for sending an invoice: to the client, number, amount, due date, pay link.
    ``due_date``: the date it will be sent with, when the dialog moves a past one."""
    return invoice_email_and_number(invoice_id, due_date)[0]


def invoice_email_and_number(invoice_id: int, due_date=None) -> tuple[EmailDraft, str]:
    """The prefilled email and the number it names (see ``preview_number``), from one read:
    the Send dialog shows both when it opens."""
    _, client, facts = template_facts(invoice_id)
    if due_date is not None:
        facts["due_date"] = due_date
    email = EmailDraft(client.email, *branded("invoice", email_text.invoice_email(**facts), facts), said=_money_said(facts))
    return email, facts["number"]


def preview_number(invoice_id: int) -> str:
    """The number the Send dialog's email names (the invoice's own once it has one)."""
    return template_facts(invoice_id)[2]["number"]


def compose_reminder(invoice_id: int) -> EmailDraft:
    """The prefilled reminder: the countdown as of today and the current pay link."""
    invoice, client, facts = template_facts(invoice_id)
    today = business_today(business_timezone())
    default = email_text.reminder_email(**facts, countdown=countdown(invoice.status, invoice.due_date, today))
    return EmailDraft(client.email, *branded("reminder", default, facts), said=_money_said(facts))


# --- The user's actions: one transaction each --------------------------------------------


def clean_draft(recipient: object, subject: object, body: object) -> EmailDraft:
    if not email_enabled():
        raise ValidationError(NOT_CONFIGURED, field="delivery")
    return EmailDraft(
        recipient=clean_email(recipient, field="recipient", required=True),
        subject=email_text.clean_subject(subject),
        body=email_text.clean_body(body),
    )


def queue_email(session: Session, invoice: Invoice, kind: str, email: EmailDraft, actor: str) -> EmailMessage:
    message = EmailMessage(
        invoice_id=invoice.id,
        kind=kind,
        recipient=email.recipient,
        subject=email.subject,
        body=email.body,
        attach_pdf=True,
        status=DeliveryStatus.PENDING,
        message_id=mailer.new_message_id(get_settings()),
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    wakeups.EMAIL.after_commit(session)
    log_event(session, invoice.id, "email_queued", actor, f"{KIND_LABELS[kind]} email to {email.recipient} queued")
    return message


def send_invoice_by_email(
    invoice_id: int,
    recipient: str,
    subject: str,
    body: str,
    actor: str = "system",
    *,
    previewed_number: str = "",
    idempotency_key: str | None = None,
    new_due_date=None,
    refuse_past_due: bool = False,
    said: str | None = None,
) -> EmailMessage:
    """DRAFT -> SENT (numbered now) and the invoice email (PDF attached) queued, in one
    transaction. If another invoice took the number the dialog showed, the email names the
    number this one got. A repeated key queues nothing more and returns the first email.
    ``said``: the money the dialog's message was written for (``EmailDraft.said``)."""
    email = clean_draft(recipient, subject, body)

    def work(session: Session) -> EmailMessage:
        _check_said(session, invoice_id, said)
        invoice = mark_sent(
            session, invoice_id, actor, new_due_date=new_due_date, refuse_past_due=refuse_past_due
        )
        sent = email
        if previewed_number and invoice.number != previewed_number:
            sent = EmailDraft(
                email.recipient,
                email.subject.replace(previewed_number, invoice.number),
                email.body.replace(previewed_number, invoice.number),
            )
        return queue_email(session, invoice, KIND_INVOICE, sent, actor)

    return idempotency.run_once(idempotency_key, "send_email", work, lambda m: m.id, queued_email)


def queued_email(email_id: int | None) -> EmailMessage:
    """The email a repeated send queued the first time (idempotency's replay)."""
    with read_session() as session:
        message = session.get(EmailMessage, email_id) if email_id is not None else None
    if message is None:
        raise NotFound("Email not found", field="email_id")
    return message


def send_reminder(
    invoice_id: int,
    recipient: str,
    subject: str,
    body: str,
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
    said: str | None = None,
) -> EmailMessage:
    """Queue a reminder (PDF attached again) for a sent or overdue invoice; once per key.
    ``said``: the money the dialog's message was written for (``EmailDraft.said``)."""
    email = clean_draft(recipient, subject, body)

    def work(session: Session) -> EmailMessage:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        status = InvoiceStatus(invoice.status)
        if status not in OPEN:
            raise InvalidTransition(
                f"Reminders are for sent or overdue invoices; this one is {status.label.lower()}", field="status"
            )
        _check_said(session, invoice_id, said)
        return queue_email(session, invoice, KIND_REMINDER, email, actor)

    return idempotency.run_once(idempotency_key, "reminder", work, lambda m: m.id, queued_email)


def retry_email(email_id: int, actor: str = "system") -> EmailMessage:
    """Send a failed (or waiting-to-retry) email again now. A delivered one is never re-sent."""
    if not email_enabled():
        raise ValidationError(NOT_CONFIGURED, field="delivery")
    with write_session() as session:
        message = session.get(EmailMessage, email_id)
        if message is None:
            raise NotFound("Email not found", field="email_id")
        status = DeliveryStatus(message.status)
        if status is DeliveryStatus.DONE:
            raise ValidationError("This email was already delivered", field="email_id")
        if status is DeliveryStatus.SENDING:
            raise ValidationError("This email is being sent right now", field="email_id")
        invoice = session.get(Invoice, message.invoice_id)
        if message.kind == KIND_REMINDER and invoice.status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
            word = "paid" if invoice.status is InvoiceStatus.PAID else "void"
            raise ValidationError(f"This invoice is {word}; the reminder is no longer needed", field="email_id")
        message.status = DeliveryStatus.PENDING
        message.next_attempt_at = utcnow()
        wakeups.EMAIL.after_commit(session)
        log_event(
            session, message.invoice_id, "email_retry", actor,
            f"{KIND_LABELS.get(message.kind, 'Email')} email to {message.recipient}: retry requested",
        )
        return message


# --- For the invoice page ---------------------------------------------------------------


def email_rows(messages: list[EmailMessage], tz_name: str | None = None) -> list[dict[str, str]]:
    """Display-ready rows: who, what, the delivery state and its reason, and whether Retry
    applies; times in the business timezone (``tz_name``, else the saved one) and locale."""
    tz_name = tz_name or business_timezone()

    def when(value) -> str:
        return format_timestamp(value, tz_name)

    rows = []
    for m in messages:
        status = DeliveryStatus(m.status)
        if status is DeliveryStatus.DONE:
            label, detail = "Delivered", when(m.sent_at)
        elif status is DeliveryStatus.SENDING:
            label, detail = "Sending", ""
        elif status is DeliveryStatus.FAILED:
            label, detail = "Failed", m.last_error
        elif m.last_error:
            label, detail = "Retrying", f"{m.last_error} (next try {when(m.next_attempt_at)})"
        else:
            label, detail = "Queued", ""
        retryable = status is DeliveryStatus.FAILED or (status is DeliveryStatus.PENDING and bool(m.last_error))
        rows.append(
            {
                "id": str(m.id),
                "kind": KIND_LABELS.get(m.kind, m.kind),
                "recipient": m.recipient,
                "subject": m.subject,
                "status": status.value,
                "label": label,
                "detail": detail,
                "attempts": str(m.attempts),
                "queued_at": when(m.created_at),
                "can_retry": "yes" if retryable else "",
            }
        )
    return rows


def has_emails_in_flight(invoice_id: int) -> bool:
    """Queued or being sent right now (not waiting on a backoff): a result is coming soon."""
    with read_session() as session:
        found = session.execute(
            select(EmailMessage.id)
            .where(
                EmailMessage.invoice_id == invoice_id,
                or_(
                    EmailMessage.status == DeliveryStatus.SENDING,
                    and_(EmailMessage.status == DeliveryStatus.PENDING, EmailMessage.last_error == ""),
                ),
            )
            .limit(1)
        ).first()
    return found is not None
