"""How an activity row (an InvoiceEvent's ``kind``, a code such as ``payment_link``) reads in
the invoice page's Activity list. Each label keeps the words of its code, so "sent" or "paid"
still find the row; a code without a label (a row from an older version) reads as its words."""

from __future__ import annotations

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
