"""The email sender: delivers queued ``EmailMessage`` rows after commit, with retries.

Nothing is sent twice, with any number of sender processes. A sender claims a row with a lease
(``services.jobs.leases``: ``claimed_by``, ``lease_expires_at``, attempts + 1) in its own
transaction, prepares the email (the PDF), then marks it SENDING -- handed to the mail server
-- only if its lease still holds, and records the result after. A sender that dies before the
hand-over loses its lease and another sender resumes the email once it expires. The one window
left: the server took the message but the process died (or the database refused the write)
before DONE was recorded. Such a row stays SENDING; once its lease runs out it is marked
FAILED as "interrupted, may have been delivered" and is never re-sent on its own; a person
decides with Retry (the same Message-ID is reused, so mail clients can fold a duplicate).

Failures: a 4xx reply or a network error is retried after EMAIL_RETRY_SECONDS, doubling, up to
EMAIL_MAX_ATTEMPTS attempts; a 5xx reply or a configuration error fails at once. Every attempt
is on the row (``last_error``) and in the invoice's activity log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import email_html
from invoice_crm.domain.activity import time_mark
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.integrations import mailer
from invoice_crm.models import DeliveryStatus, EmailMessage, Invoice
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import current_business
from invoice_crm.services.documents import render_receipt_pdf
from invoice_crm.services.jobs import leases
from invoice_crm.services.pdf import render_invoice_pdf
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)

KIND_INVOICE = "invoice"
KIND_REMINDER = "reminder"
KIND_RECEIPT = "receipt"
KIND_LABELS = {KIND_INVOICE: "Invoice", KIND_REMINDER: "Reminder", KIND_RECEIPT: "Receipt"}
MAX_BACKOFF_SECONDS = 3600
INTERRUPTED = (
    "Delivery was interrupted before the mail server's answer was recorded; it may have been "
    "delivered. Use Retry to send it again."
)

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
    """How long a claim lasts: a row still SENDING after it counts as interrupted."""
    return timedelta(seconds=max(300.0, get_settings().smtp_timeout * 10))


def _backoff(attempts: int) -> timedelta:
    base = max(1, get_settings().email_retry_seconds)
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), MAX_BACKOFF_SECONDS))


def _recover_interrupted(now: datetime) -> None:
    with write_session() as session:
        stale = session.execute(
            select(EmailMessage).where(
                EmailMessage.status == DeliveryStatus.SENDING, EmailMessage.lease_expires_at <= now
            )
        ).scalars().all()
        for message in stale:
            message.status = DeliveryStatus.FAILED
            message.last_error = INTERRUPTED
            message.claimed_by = message.lease_expires_at = None
            log_event(
                session, message.invoice_id, "email_failed", "system",
                f"{KIND_LABELS.get(message.kind, 'Email')} email to {message.recipient}: {INTERRUPTED}",
            )


def _claim_next(now: datetime) -> _Claim | None:
    with write_session() as session:
        claimed = leases.claim_rows(
            session,
            EmailMessage,
            where=and_(EmailMessage.status == DeliveryStatus.PENDING, EmailMessage.next_attempt_at <= now),
            order_by=(EmailMessage.next_attempt_at, EmailMessage.id),
            limit=1,
            lease=_lease(),
            now=now,
            values={"attempts": lambda m: m.attempts + 1},
        )
        if not claimed:
            return None
        message = claimed[0]
        invoice_status = session.execute(select(Invoice.status).where(Invoice.id == message.invoice_id)).scalar_one()
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


def _hand_over(claim: _Claim) -> bool:
    """PENDING -> SENDING just before the mail server is contacted, if the lease still holds.

    From here on a lost lease means "may have been delivered": never re-sent on its own."""
    with write_session() as session:
        marked = session.execute(
            update(EmailMessage)
            .where(
                EmailMessage.id == claim.id,
                EmailMessage.status == DeliveryStatus.PENDING,
                EmailMessage.attempts == claim.attempts,
                leases.mine(EmailMessage, utcnow()),
            )
            .values(status=DeliveryStatus.SENDING)
        )
        return marked.rowcount == 1


def _finish(claim: _Claim, now: datetime, error: str = "", permanent: bool = False) -> None:
    """Record one attempt's result, unless the row was taken over meanwhile."""
    label = KIND_LABELS.get(claim.kind, "Email")
    with write_session() as session:
        message = session.get(EmailMessage, claim.id)
        if (
            message is None
            or message.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            or message.attempts != claim.attempts
            or message.claimed_by != leases.worker_id()
        ):
            return  # taken over meanwhile: the new holder records its own attempt
        message.claimed_by = message.lease_expires_at = None
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
            outcome = f"next try at {time_mark(message.next_attempt_at)}"
        log_event(
            session, claim.invoice_id, "email_failed", "system",
            f"{label} email to {claim.recipient} failed (attempt {claim.attempts} of {max_attempts}): "
            f"{error}; {outcome}",
        )


def sender_fields() -> dict[str, str]:
    """Settings → Email's sender name and reply-to, as saved now, for an ``OutgoingEmail``:
    every email the app sends (invoice, reminder, receipt, test) carries them."""
    business = current_business()
    return {"sender_name": business.sender_name, "reply_to": business.reply_to}


def branded_html(body: str, message_id: str) -> tuple[str, mailer.InlineImage | None]:
    """The HTML part of a client email (the business's letterhead as saved in Settings now,
    then ``body``) and its logo as an inline image."""
    business = current_business()
    logo = None
    if business.logo and business.logo_type.startswith("image/"):
        # One Content-ID per message, in the Message-ID's domain: unique, and stable on retries.
        cid = "logo." + message_id.strip("<>")
        subtype = business.logo_type.split("/", 1)[1]
        logo = mailer.InlineImage(cid=cid, content=business.logo, subtype=subtype)
    head = email_html.Letterhead(
        business_name=business.business_name,
        address_lines=tuple(business.address_lines),
        tax_line=business.tax_line,
        contact_lines=tuple(x for x in (business.email, business.phone, business.website) if x),
        brand_color=business.brand_color,
        logo_cid=logo.cid if logo else "",
    )
    return email_html.html_body(body, head), logo


def _attempt(claim: _Claim, now: datetime) -> bool:
    if claim.kind == KIND_REMINDER and claim.invoice_status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
        word = "paid" if claim.invoice_status is InvoiceStatus.PAID else "voided"
        _finish(claim, now, f"Not sent: the invoice was {word} before the reminder went out", permanent=True)
        return False
    settings = get_settings()
    try:
        attachment = None
        if claim.attach_pdf:
            render = render_receipt_pdf if claim.kind == KIND_RECEIPT else render_invoice_pdf
            filename, content = render(claim.invoice_id)
            attachment = mailer.Attachment(filename, content)
        if not _hand_over(claim):
            log.warning("email %s: lease lost before sending; another sender resumes it", claim.id)
            return False
        html, logo = branded_html(claim.body, claim.message_id)
        mailer.send_email(
            mailer.OutgoingEmail(
                recipient=claim.recipient,
                subject=claim.subject,
                body=claim.body,
                message_id=claim.message_id,
                attachment=attachment,
                html=html,
                inline_image=logo,
                **sender_fields(),
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


def _anything_due(now: datetime) -> bool:
    with read_session() as session:
        found = session.execute(
            select(EmailMessage.id)
            .where(
                or_(
                    and_(
                        EmailMessage.status == DeliveryStatus.PENDING,
                        EmailMessage.next_attempt_at <= now,
                        leases.lease_is_free(EmailMessage, now),
                    ),
                    and_(EmailMessage.status == DeliveryStatus.SENDING, EmailMessage.lease_expires_at <= now),
                )
            )
            .limit(1)
        ).first()
    return found is not None


def deliver_pending_emails(now: datetime | None = None, limit: int = 100) -> int:
    """Deliver every due email once (each row at most one attempt per call); returns how many went out."""
    now = now or utcnow()
    if not _anything_due(now):  # the usual case: no write transaction, no lock taken
        return 0
    _recover_interrupted(now)
    delivered = 0
    for _ in range(limit):
        claim = _claim_next(now)
        if claim is None:
            break
        delivered += _attempt(claim, now)
    return delivered
