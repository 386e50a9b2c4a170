"""How an activity row (an InvoiceEvent's ``kind``, a code such as ``payment_link``) reads in
the invoice page's Activity list. Each label keeps the words of its code, so "sent" or "paid"
still find the row; a code without a label (a row from an older version) reads as its words.

An activity row's text keeps its amounts, dates and moments as values, not as words
(``money_mark``, ``date_mark``, ``time_mark``): ``activity_text`` writes them when the row is
read, in the business locale and timezone of that moment, so one timeline reads in one format
after the locale changes. A row written before (plain text) reads as it was written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date, format_timestamp

EVENT_LABELS: dict[str, str] = {
    "created": "Created",
    "edited": "Edited",
    "duplicated": "Duplicated",
    "imported": "Imported",
    "sent": "Sent",
    "due_moved": "Due date moved",
    "overdue": "Overdue",
    "viewed": "Viewed",
    "payment_link": "Payment link",
    "payment": "Payment",
    "paid": "Paid",
    "extra_payment": "Extra payment",
    "payment_removed": "Payment removed",
    "voided": "Voided",
    "credit_note": "Credit note",
    "refund": "Refund",
    "email_queued": "Email queued",
    "emailed": "Emailed",
    "email_failed": "Email failed",
    "email_retry": "Email retry",
    "reminder_skipped": "Reminder skipped",
    "reminders_changed": "Reminders changed",
}


def event_label(kind: str) -> str:
    """The label of an activity code; an unknown one as its words ("late_fee" -> "Late fee")."""
    label = EVENT_LABELS.get(kind)
    if label:
        return label
    words = " ".join(kind.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else "Event"


# A value inside an activity text: framed by the unit separator, which no typed text carries
# (domain.text refuses control characters) and no locale's words contain.
_FRAME = "\x1f"
_MARKED = re.compile(f"{_FRAME}(money|date|time):([^{_FRAME}]*){_FRAME}")


def money_mark(amount: Decimal, currency: str) -> str:
    """An amount in an activity text, written by ``activity_text`` as the locale writes money."""
    return f"{_FRAME}money:{Decimal(amount)} {currency.upper()}{_FRAME}"


def date_mark(value: date | None) -> str:
    """A calendar date in an activity text (the locale's medium date when read); none: empty."""
    return f"{_FRAME}date:{value.isoformat()}{_FRAME}" if value is not None else ""


def time_mark(value: datetime) -> str:
    """A moment in an activity text (read on the business's clock, as the locale writes it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{_FRAME}time:{value.astimezone(UTC).isoformat()}{_FRAME}"


def activity_text(details: str, tz_name: str, locale: str | None = None) -> str:
    """An activity row's text as it reads now: each marked value written in ``locale`` (the
    business locale by default) and on ``tz_name``'s clock. A mark that cannot be read shows
    its value as stored rather than failing the page."""
    if _FRAME not in details:
        return details

    def written(match: re.Match) -> str:
        kind, value = match.groups()
        try:
            if kind == "money":
                amount, currency = value.split(" ")
                return format_money(Decimal(amount), currency, locale)
            if kind == "date":
                return format_date(date.fromisoformat(value), locale)
            return format_timestamp(datetime.fromisoformat(value), tz_name, locale)
        except (ValueError, InvalidOperation):
            return value

    return _MARKED.sub(written, details).replace(_FRAME, "")
