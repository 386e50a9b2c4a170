"""Emailing invoices and reminders to clients, through an outbox.

The user's action is one transaction: the invoice changes (DRAFT -> SENT for a send) and an
``EmailMessage`` row is queued. ``deliver_pending_emails`` (the background sender in
``invoice_crm.tasks``) delivers queued rows after commit, with retries and backoff; every
attempt's result is on the row and in the invoice's activity log.

Nothing is sent twice: a sender claims a row (PENDING -> SENDING, attempts + 1) in its own
transaction before talking to the mail server and marks it DONE after. Only PENDING rows are
claimed, so two senders never take the same row and a retry of a delivered row is refused.
The one window left: the server took the message but the process died (or the database
refused the write) before DONE was recorded. Such a row stays SENDING; once its lease runs out
it is marked FAILED as "interrupted, may have been delivered" and is never re-sent on its own;
a person decides with Retry (the same Message-ID is reused, so mail clients can fold a duplicate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import email_text
from invoice_crm.domain.errors import InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus, business_today, countdown
from invoice_crm.domain.money import format_money
from invoice_crm.integrations import mailer
from invoice_crm.models import Client, DeliveryStatus, EmailMessage, Invoice
from invoice_crm.services.activity import log_event
from invoice_crm.services.clients import clean_email
from invoice_crm.services.invoices import mark_sent
from invoice_crm.services.links import pay_url
from invoice_crm.services.pdf import render_invoice_pdf
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)

KIND_INVOICE = "invoice"
KIND_REMINDER = "reminder"
KIND_LABELS = {KIND_INVOICE: "Invoice", KIND_REMINDER: "Reminder"}
MAX_BACKOFF_SECONDS = 3600
NOT_CONFIGURED = "Email is not set up on this server (SMTP_HOST and MAIL_FROM are not configured)."
INTERRUPTED = (
    "Delivery was interrupted before the mail server's answer was recorded; it may have been "
    "delivered. Use Retry to send it again."
)

_waker: Callable[[], None] | None = None


def set_waker(waker: Callable[[], None] | None) -> None:
    """The background sender registers how to wake it; sends and retries call it after commit."""
    global _waker
    _waker = waker


def _nudge() -> None:
    if _waker is not None:
        try:
            _waker()
        except RuntimeError:  # the sender's event loop has closed (shutdown): the next start delivers
            log.debug("email sender not running; the queued email waits for the next start")


def email_enabled() -> bool:
    return get_settings().email_enabled


# --- What the Send and Reminder dialogs start from --------------------------------------


@dataclass(frozen=True)
class EmailDraft:
    recipient: str
    subject: str
    body: str


def _invoice_and_client(session: Session, invoice_id: int) -> tuple[Invoice, Client]:
    found = session.execute(
        select(Invoice, Client).join(Client, Client.id == Invoice.client_id).where(Invoice.id == invoice_id)
    ).first()
    if found is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return found[0], found[1]


def compose_invoice_email(invoice_id: int) -> EmailDraft:
    """The prefilled email for sending an invoice: to the client, number, amount, due date, pay link."""
    with read_session() as session:
        invoice, client = _invoice_and_client(session, invoice_id)
    subject, body = email_text.invoice_email(
        number=invoice.number,
        client_name=client.name,
        amount=format_money(invoice.amount, invoice.currency),
        due_date=invoice.due_date,
        pay_link=pay_url(invoice.public_token),
        business_name=get_settings().business_name,
    )
    return EmailDraft(client.email, subject, body)


def compose_reminder(invoice_id: int) -> EmailDraft:
    """The prefilled reminder: the countdown as of today and the current pay link."""
    settings = get_settings()
    with read_session() as session:
        invoice, client = _invoice_and_client(session, invoice_id)
    subject, body = email_text.reminder_email(
        number=invoice.number,
        client_name=client.name,
        amount=format_money(invoice.amount, invoice.currency),
        due_date=invoice.due_date,
        countdown=countdown(invoice.status, invoice.due_date, business_today(settings.business_timezone)),
        pay_link=pay_url(invoice.public_token),
        business_name=settings.business_name,
    )
    return EmailDraft(client.email, subject, body)


# --- The user's actions: one transaction each --------------------------------------------


def _clean(recipient: object, subject: object, body: object) -> EmailDraft:
    if not email_enabled():
        raise ValidationError(NOT_CONFIGURED, field="delivery")
    return EmailDraft(
        recipient=clean_email(recipient, field="recipient", required=True),
        subject=email_text.clean_subject(subject),
        body=email_text.clean_body(body),
    )


def _queue(session: Session, invoice: Invoice, kind: str, email: EmailDraft, actor: str) -> EmailMessage:
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
    log_event(session, invoice.id, "email_queued", actor, f"{KIND_LABELS[kind]} email to {email.recipient} queued")
    return message


def send_invoice_by_email(invoice_id: int, recipient: str, subject: str, body: str, actor: str = "system") -> EmailMessage:
    """DRAFT -> SENT and the invoice email (PDF attached) queued, in one transaction."""
    email = _clean(recipient, subject, body)
    with write_session() as session:
        invoice = mark_sent(session, invoice_id, actor)
        message = _queue(session, invoice, KIND_INVOICE, email, actor)
    _nudge()
    return message


def send_reminder(invoice_id: int, recipient: str, subject: str, body: str, actor: str = "system") -> EmailMessage:
    """Queue a reminder (PDF attached again) for a sent or overdue invoice."""
    email = _clean(recipient, subject, body)
    with write_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        status = InvoiceStatus(invoice.status)
        if status not in (InvoiceStatus.SENT, InvoiceStatus.OVERDUE):
            raise InvalidTransition(
                f"Reminders are for sent or overdue invoices; this one is {status.label.lower()}", field="status"
            )
        message = _queue(session, invoice, KIND_REMINDER, email, actor)
    _nudge()
    return message


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
        if message.kind == KIND_REMINDER and invoice.status is InvoiceStatus.PAID:
            raise ValidationError("This invoice is paid; the reminder is no longer needed", field="email_id")
        message.status = DeliveryStatus.PENDING
        message.next_attempt_at = utcnow()
        log_event(
            session, message.invoice_id, "email_retry", actor,
            f"{KIND_LABELS.get(message.kind, 'Email')} email to {message.recipient}: retry requested",
        )
    _nudge()
    return message


# --- The sender: after commit, outside any transaction while talking to the server -------


@dataclass(frozen=True)
class _Claim:
    id: int
    invoice_id: int
    invoice_status: InvoiceStatus
    kind: str
    recipient: str
    subject: str
    body: str
    attach_pdf: bool
    message_id: str
    attempts: int


def _lease() -> timedelta:
    """How long a claimed row may stay SENDING before it counts as interrupted."""
    return timedelta(seconds=max(300.0, get_settings().smtp_timeout * 10))


def _backoff(attempts: int) -> timedelta:
    base = max(1, get_settings().email_retry_seconds)
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), MAX_BACKOFF_SECONDS))


def _recover_interrupted(now: datetime) -> None:
    with write_session() as session:
        stale = session.execute(
            select(EmailMessage).where(
                EmailMessage.status == DeliveryStatus.SENDING, EmailMessage.next_attempt_at <= now
            )
        ).scalars().all()
        for message in stale:
            message.status = DeliveryStatus.FAILED
            message.last_error = INTERRUPTED
            log_event(
                session, message.invoice_id, "email_failed", "system",
                f"{KIND_LABELS.get(message.kind, 'Email')} email to {message.recipient}: {INTERRUPTED}",
            )


def _claim_next(now: datetime) -> _Claim | None:
    with write_session() as session:
        query = (
            select(EmailMessage, Invoice.status)
            .join(Invoice, Invoice.id == EmailMessage.invoice_id)
            .where(EmailMessage.status == DeliveryStatus.PENDING, EmailMessage.next_attempt_at <= now)
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
            .limit(1)
        )
        if session.bind.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises claims
            query = query.with_for_update(skip_locked=True, of=EmailMessage)
        found = session.execute(query).first()
        if found is None:
            return None
        message, invoice_status = found
        message.status = DeliveryStatus.SENDING
        message.attempts += 1
        message.next_attempt_at = now + _lease()
        return _Claim(
            id=message.id,
            invoice_id=message.invoice_id,
            invoice_status=InvoiceStatus(invoice_status),
            kind=message.kind,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            attach_pdf=message.attach_pdf,
            message_id=message.message_id,
            attempts=message.attempts,
        )


def _finish(claim: _Claim, now: datetime, error: str = "", permanent: bool = False) -> None:
    """Record one attempt's result, unless the row was taken over meanwhile."""
    label = KIND_LABELS.get(claim.kind, "Email")
    with write_session() as session:
        message = session.get(EmailMessage, claim.id)
        if message is None or message.status is not DeliveryStatus.SENDING or message.attempts != claim.attempts:
            return
        if not error:
            message.status = DeliveryStatus.DONE
            message.sent_at = utcnow()
            message.last_error = ""
            log_event(session, claim.invoice_id, "emailed", "system", f"{label} emailed to {claim.recipient}")
            return
        message.last_error = error[:1000]
        max_attempts = max(1, get_settings().email_max_attempts)
        if permanent or claim.attempts >= max_attempts:
            message.status = DeliveryStatus.FAILED
            message.next_attempt_at = now
            outcome = "not retried automatically"
        else:
            message.status = DeliveryStatus.PENDING
            message.next_attempt_at = now + _backoff(claim.attempts)
            outcome = f"next try at {message.next_attempt_at:%Y-%m-%d %H:%M} UTC"
        log_event(
            session, claim.invoice_id, "email_failed", "system",
            f"{label} email to {claim.recipient} failed (attempt {claim.attempts} of {max_attempts}): "
            f"{error}; {outcome}",
        )


def _attempt(claim: _Claim, now: datetime) -> bool:
    if claim.kind == KIND_REMINDER and claim.invoice_status is InvoiceStatus.PAID:
        _finish(claim, now, "Not sent: the invoice was paid before the reminder went out", permanent=True)
        return False
    settings = get_settings()
    try:
        attachment = None
        if claim.attach_pdf:
            filename, content = render_invoice_pdf(claim.invoice_id)
            attachment = mailer.Attachment(filename, content)
        mailer.send_email(
            mailer.OutgoingEmail(
                recipient=claim.recipient,
                subject=claim.subject,
                body=claim.body,
                message_id=claim.message_id,
                attachment=attachment,
            ),
            settings,
        )
    except mailer.MailDeliveryError as err:
        _finish(claim, now, err.message, permanent=err.permanent)
        return False
    except Exception as exc:  # a bug preparing this email must not stop the others
        log.exception("email %s could not be prepared", claim.id)
        _finish(claim, now, f"Could not prepare the email ({type(exc).__name__})")
        return False
    _finish(claim, now)
    return True


def deliver_pending_emails(now: datetime | None = None, limit: int = 100) -> int:
    """Deliver every due email once (each row at most one attempt per call); returns how many went out."""
    now = now or utcnow()
    _recover_interrupted(now)
    delivered = 0
    for _ in range(limit):
        claim = _claim_next(now)
        if claim is None:
            break
        delivered += _attempt(claim, now)
    return delivered


# --- For the invoice page ---------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def email_rows(messages: list[EmailMessage]) -> list[dict[str, str]]:
    """Display-ready rows: who, what, the delivery state and its reason, and whether Retry applies."""
    rows = []
    for m in messages:
        status = DeliveryStatus(m.status)
        if status is DeliveryStatus.DONE:
            label, detail = "Delivered", _when(m.sent_at)
        elif status is DeliveryStatus.SENDING:
            label, detail = "Sending", ""
        elif status is DeliveryStatus.FAILED:
            label, detail = "Failed", m.last_error
        elif m.last_error:
            label, detail = "Retrying", f"{m.last_error} (next try {_when(m.next_attempt_at)})"
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
                "queued_at": _when(m.created_at),
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
