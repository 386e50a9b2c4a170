"""What the client is told by email: the prefilled invoice and reminder texts, and the rules
an edited subject and message must keep."""

from __future__ import annotations

from datetime import date

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError

MAX_SUBJECT = 300
MAX_BODY = 20000


def long_date(value: date | None) -> str:
    """``14 March 2025``, ``14 März 2025`` (de_DE): day, month name in the business locale, year —
    read the same way everywhere, unlike 03/14 or 14.03."""
    return numbers.format_date(value, style="d MMMM y")


def _sign_off(business_name: str) -> str:
    return f"\n\nThank you,\n{business_name}" if business_name else "\n\nThank you."


def invoice_email(
    *, number: str, client_name: str, amount: str, due_date: date | None, pay_link: str, business_name: str
) -> tuple[str, str]:
    """Subject and message for sending an invoice (the PDF goes with it)."""
    sender = f" from {business_name}" if business_name else ""
    subject = f"Invoice {number}{sender}"
    body = (
        f"Hello {client_name},\n\n"
        f"Please find attached invoice {number} for {amount}, due on {long_date(due_date)}.\n\n"
        f"You can view and pay it online here:\n{pay_link}"
        f"{_sign_off(business_name)}"
    )
    return subject, body


def reminder_email(
    *,
    number: str,
    client_name: str,
    amount: str,
    due_date: date | None,
    countdown: str,
    pay_link: str,
    business_name: str,
) -> tuple[str, str]:
    """Subject and message for a reminder about a sent or overdue invoice."""
    when = countdown or f"due on {long_date(due_date)}"
    subject = f"Reminder: invoice {number} ({amount}) is {when}"
    body = (
        f"Hello {client_name},\n\n"
        f"A friendly reminder that invoice {number} for {amount} is {when} "
        f"(due date {long_date(due_date)}). The invoice is attached again.\n\n"
        f"You can view and pay it online here:\n{pay_link}\n\n"
        "If you have already paid, please ignore this message."
        f"{_sign_off(business_name)}"
    )
    return subject, body


def clean_subject(raw: object) -> str:
    subject = str(raw or "").strip()
    if not subject:
        raise ValidationError("Subject is required", field="subject")
    if "\n" in subject or "\r" in subject:
        raise ValidationError("Subject must be a single line", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"Subject must be at most {MAX_SUBJECT} characters", field="subject")
    return subject


def clean_body(raw: object) -> str:
    body = str(raw or "").strip()
    if not body:
        raise ValidationError("Message is required", field="body")
    if len(body) > MAX_BODY:
        raise ValidationError(f"Message must be at most {MAX_BODY} characters", field="body")
    return body
