"""Invoice statuses, the transitions between them, and the overdue rule."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from invoice_crm.domain.errors import InvalidTransition, ValidationError


class InvoiceStatus(str, enum.Enum):
    DRAFT = "DRAFT"  # being prepared; lines editable; not visible to the client
    SENT = "SENT"  # delivered to the client; the due-date countdown runs
    PAID = "PAID"  # payment received and recorded
    OVERDUE = "OVERDUE"  # sent, due date passed, not paid
    VOID = "VOID"  # cancelled after sending: keeps its number, asks for nothing

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Sent and not yet paid: the invoices that are owed, remindable and payable.
OPEN: tuple[InvoiceStatus, ...] = (InvoiceStatus.SENT, InvoiceStatus.OVERDUE)

ALLOWED_TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.SENT}),
    InvoiceStatus.SENT: frozenset({InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID}),
    InvoiceStatus.OVERDUE: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}

_REFUSALS: dict[tuple[InvoiceStatus, InvoiceStatus], str] = {
    (InvoiceStatus.DRAFT, InvoiceStatus.PAID): "A draft cannot be paid; send it first",
    (InvoiceStatus.DRAFT, InvoiceStatus.OVERDUE): "A draft cannot be overdue; send it first",
    (InvoiceStatus.OVERDUE, InvoiceStatus.SENT): "This invoice has already been sent",
    (InvoiceStatus.PAID, InvoiceStatus.SENT): "This invoice is already paid",
    (InvoiceStatus.PAID, InvoiceStatus.OVERDUE): "A paid invoice cannot become overdue",
    (InvoiceStatus.DRAFT, InvoiceStatus.VOID): "A draft is not voided; delete it instead",
    (InvoiceStatus.PAID, InvoiceStatus.VOID): "A paid invoice cannot be voided; issue a credit note",
    (InvoiceStatus.VOID, InvoiceStatus.PAID): "This invoice is void; there is nothing to pay",
}

# Asked to become what it already is (a second tab acting on an invoice changed in the first):
# said as where it stands, not as a move from a status to itself.
_ALREADY: dict[InvoiceStatus, str] = {
    InvoiceStatus.DRAFT: "This invoice is still a draft",
    InvoiceStatus.SENT: "This invoice has already been sent",
    InvoiceStatus.PAID: "This invoice is already paid",
    InvoiceStatus.OVERDUE: "This invoice is already overdue",
    InvoiceStatus.VOID: "This invoice is already void",
}


def credited_in_full(status: InvoiceStatus | str, amount_paid=0) -> bool:
    """Settled with nothing received: a PAID invoice whose balance credit notes took to zero
    with no payment kept (``amount_paid``: the payments less refunds). It stays PAID (it owes
    nothing, the money model settles it) but is said "Credited", with no receipt and no
    "paid" wording; one partly paid and credited for the rest is paid for what came in."""
    return InvoiceStatus(status) is InvoiceStatus.PAID and not (amount_paid and amount_paid > 0)


def status_label(status: InvoiceStatus | str, amount_paid=0) -> str:
    """The word the pages and the sheet show: 'Partially paid' for a sent or overdue invoice
    with some payment received; 'Credited' for one settled by credit notes alone."""
    status = InvoiceStatus(status)
    if status in OPEN and amount_paid and amount_paid > 0:
        return "Partially paid"
    if credited_in_full(status, amount_paid):
        return "Credited"
    return status.label


def status_after_balance(
    status: InvoiceStatus | str, balance_due, due_date: date | None, today: date
) -> InvoiceStatus:
    """Where a sent invoice stands once its balance changed: PAID at zero, otherwise SENT or
    OVERDUE by its due date (a payment removed from a paid invoice reopens it)."""
    status = InvoiceStatus(status)
    if status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return status
    if balance_due <= 0:
        return InvoiceStatus.PAID
    return InvoiceStatus.OVERDUE if due_date is not None and due_date < today else InvoiceStatus.SENT


def check_transition(current: InvoiceStatus | str, target: InvoiceStatus | str) -> None:
    """Raise ``InvalidTransition`` unless current -> target is allowed."""
    current, target = InvoiceStatus(current), InvoiceStatus(target)
    if target in ALLOWED_TRANSITIONS[current]:
        return
    if current is target:
        raise InvalidTransition(_ALREADY[current], field="status")
    message = _REFUSALS.get(
        (current, target), f"An invoice cannot go from {current.label} to {target.label}"
    )
    raise InvalidTransition(message, field="status")


def can_transition(current: InvoiceStatus | str, target: InvoiceStatus | str) -> bool:
    return InvoiceStatus(target) in ALLOWED_TRANSITIONS[InvoiceStatus(current)]


def ensure_editable(status: InvoiceStatus | str) -> None:
    """Lines and terms change only while the invoice is a draft."""
    status = InvoiceStatus(status)
    if status is not InvoiceStatus.DRAFT:
        raise InvalidTransition(
            f"This invoice is {status.label.lower()}; only drafts can be edited. "
            "Duplicate it to make a new draft.",
            field="status",
        )


def ensure_sendable(*, client_id: int | None, due_date: date | None, line_totals: list) -> None:
    """A draft needs a client, a due date and at least one line with a positive total."""
    if client_id is None:
        raise ValidationError("Choose a client before sending", field="client_id")
    if due_date is None:
        raise ValidationError("Set a due date before sending", field="due_date")
    if not any(total > 0 for total in line_totals):
        raise ValidationError(
            "Add at least one line item with a positive total before sending", field="lines"
        )


def business_today(tz_name: str, now: datetime | None = None) -> date:
    """Today's date in the business timezone."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(tz_name)).date()


def is_overdue(status: InvoiceStatus | str, due_date: date | None, today: date) -> bool:
    """Sent and past due: not overdue on the due date itself, overdue the day after."""
    return InvoiceStatus(status) is InvoiceStatus.SENT and due_date is not None and due_date < today


def countdown(status: InvoiceStatus | str, due_date: date | None, today: date) -> str:
    """'due in N days' / 'due today' / 'N days overdue' for sent and overdue invoices."""
    status = InvoiceStatus(status)
    if status not in OPEN or due_date is None:
        return ""
    days = (due_date - today).days
    if days > 0:
        return f"due in {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "due today"
    late = -days
    return f"{late} day{'s' if late != 1 else ''} overdue"
