"""What the client is told by email: the prefilled invoice, reminder and receipt texts, and the rules
an edited subject and message must keep."""

from __future__ import annotations

from datetime import date

from invoice_crm.domain import numbers
from invoice_crm.domain.text import clean_text

MAX_SUBJECT = 300
MAX_BODY = 20000


def long_date(value: date | None) -> str:
    """``14 March 2025``, ``14. März 2025`` (de_DE): the month named, as the business locale
    writes a date in full (numbers.format_long_date), unlike 03/14 or 14.03."""
    return numbers.format_long_date(value)


def _sign_off(business_name: str) -> str:
    return f"\n\nThank you,\n{business_name}" if business_name else "\n\nThank you."


def invoice_email(
    *, number: str, client_name: str, amount: str, due_date: date | None, pay_link: str, business_name: str,
    summary: str = "",
) -> tuple[str, str]:
    """Subject and message for sending an invoice (the PDF goes with it)."""
    sender = f" from {business_name}" if business_name else ""
    subject = f"Invoice {number}{sender}"
    body = (
        f"Hello {client_name},\n\n"
        f"Please find attached invoice {number} for {amount}, due on {long_date(due_date)}.\n\n"
        f"{summary + chr(10) + chr(10) if summary else ''}"
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
    summary: str = "",
) -> tuple[str, str]:
    """Subject and message for a reminder about a sent or overdue invoice."""
    when = countdown or f"due on {long_date(due_date)}"
    subject = f"Reminder: invoice {number} ({amount}) is {when}"
    body = (
        f"Hello {client_name},\n\n"
        f"A friendly reminder that invoice {number} for {amount} is {when} "
        f"(due date {long_date(due_date)}). The invoice is attached again.\n\n"
        f"{summary + chr(10) + chr(10) if summary else ''}"
        f"You can view and pay it online here:\n{pay_link}\n\n"
        "If you have already paid, please ignore this message."
        f"{_sign_off(business_name)}"
    )
    return subject, body


def receipt_email(
    *, number: str, client_name: str, amount: str, paid_on: date | None, business_name: str, balance_due: str = "",
    paid_in_full: bool = False,
) -> tuple[str, str]:
    """Subject and message for a receipt (the PDF goes with it): ``amount`` is the payment the
    client made (never the invoice's total: the last of several payments settles it);
    ``balance_due``: what a partly paid invoice still owes; ``paid_in_full``: this payment (or an
    earlier one) settled the invoice."""
    if balance_due:
        after = f" The balance still due is {balance_due}."
    else:
        after = " The invoice is now paid in full." if paid_in_full else ""
    body = (
        f"Hello {client_name},\n\nThank you for your payment of {amount} for invoice {number}, "
        f"received on {long_date(paid_on)}.{after} The receipt is attached."
        f"{_sign_off(business_name)}"
    )
    return f"Receipt for invoice {number}", body


def clean_subject(raw: object) -> str:
    """One line (it becomes the Subject header: a CR or LF would start another header)."""
    return clean_text(raw, field="subject", label="Subject", max_length=MAX_SUBJECT, required=True, multiline=False)


def clean_body(raw: object) -> str:
    return clean_text(raw, field="body", label="Message", max_length=MAX_BODY, required=True)
