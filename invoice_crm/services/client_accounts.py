"""A client's account: their invoices with balances, what they owe, a statement over a date
range, and archiving or deleting the client.

What an invoice still owes is computed in one place, ``_balances`` (today: the amount of a
sent or overdue invoice; with partial payments and credit notes, the amount less what was
paid and credited), so the page, the totals and the statement agree and can change together.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import String, bindparam, delete, func, or_, select

from invoice_crm.db import read_session, write_session
from invoice_crm.db_search import folded
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import NotFound, ValidationError
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today, countdown
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_date
from invoice_crm.models import Client, CreditNote, Invoice, Lead, Payment, Project, RecurringProfile, Refund
from invoice_crm.services.business_settings import business_timezone, current_business
from invoice_crm.services.queries import badge_of
from invoice_crm.services.reports import check_order


def _balances(invoices: list[Invoice]) -> dict[int, Decimal]:
    """What each invoice still owes (the one function to change for partial payments)."""
    return {inv.id: (inv.balance_due if InvoiceStatus(inv.status) in OPEN else Decimal("0.00")) for inv in invoices}


def _by_currency(pairs) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for currency, amount in pairs:
        totals[currency] += amount
    return dict(totals)


def money_text(totals: dict[str, Decimal], default_currency: str) -> str:
    """``$1,200.00 + €300.00`` like the dashboard; zero in the default currency when empty."""
    parts = [format_money(amount, cur) for cur, amount in sorted(totals.items()) if amount]
    return " + ".join(parts) if parts else format_money(Decimal(0), default_currency)


@dataclass
class ClientAccount:
    client: Client
    rows: list[dict] = field(default_factory=list)
    outstanding: dict[str, Decimal] = field(default_factory=dict)
    overdue: dict[str, Decimal] = field(default_factory=dict)
    currency: str = ""  # the one currency of all the client's invoices ("" for none, or several)


def client_account(client_id: int) -> ClientAccount:
    today = business_today(business_timezone())
    with read_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound("Client not found", field="client_id")
        invoices = list(session.execute(
            select(Invoice).where(Invoice.client_id == client_id).order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        ).scalars())
    balances = _balances(invoices)
    rows = [
        {
            "id": inv.id,
            "number": display_number(inv.number, inv.id),  # a draft: "Draft D-0012"
            "status": InvoiceStatus(inv.status).value,
            "badge": badge_of(inv.status, inv.amount_paid),  # "Partially paid", as the list and the invoice say
            "issue_date": format_date(inv.issue_date),
            "due_date": format_date(inv.due_date),
            "countdown": countdown(inv.status, inv.due_date, today),
            "amount": format_money(inv.amount, inv.currency),
            "balance": format_money(balances[inv.id], inv.currency),
        }
        for inv in invoices
    ]
    used = {inv.currency for inv in invoices if inv.currency}
    return ClientAccount(
        client=client,
        rows=rows,
        currency=next(iter(used)) if len(used) == 1 else "",
        outstanding=_by_currency((inv.currency, balances[inv.id]) for inv in invoices),
        overdue=_by_currency(
            (inv.currency, balances[inv.id]) for inv in invoices if InvoiceStatus(inv.status) is InvoiceStatus.OVERDUE
        ),
    )


# --- Statement ----------------------------------------------------------------------------

_FIRST = datetime.min.replace(tzinfo=UTC)  # an invoice's rows sort by number, before the day's money


@dataclass(frozen=True)
class StatementEntry:
    day: date
    kind: str  # Invoice, Payment, Credit note
    reference: str
    charge: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Statement:
    client: Client
    currency: str
    start: date
    end: date
    opening: Decimal
    entries: list[StatementEntry]
    closing: Decimal


# Within a day: invoices first (by number), then payments, credit notes and refunds in the order
# they were recorded (created_at; a credit note and the refund Stripe reported with it share a
# transaction: the note first). Each row is (its sort key, the entry).
_RANK = {"Payment": 0, "Credit note": 1, "Refund": 2}


def _recorded(entry: StatementEntry, created_at: datetime, row_id: int) -> tuple[tuple, StatementEntry]:
    return (entry.day, 1, created_at, _RANK[entry.kind], row_id, ""), entry


def _credit_notes(session, client_id: int, currency: str) -> list[tuple[tuple, StatementEntry]]:
    """Credit notes reduce what the client owes; refunds (money given back) add to it again."""
    notes = session.execute(
        select(CreditNote, Invoice.number).join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(Invoice.client_id == client_id, CreditNote.currency == currency)
    ).all()
    refunds = session.execute(
        select(Refund, Invoice.number).join(Invoice, Invoice.id == Refund.invoice_id)
        .where(Invoice.client_id == client_id, Refund.currency == currency)
    ).all()
    return [
        _recorded(StatementEntry(n.issue_date, "Credit note", f"{n.number} ({number})", Decimal("0.00"), n.amount),
                  n.created_at, n.id)
        for n, number in notes
    ] + [
        _recorded(StatementEntry(r.refunded_on, "Refund", f"{number}" + (f" ({r.reference})" if r.reference else ""),
                                 r.amount, Decimal("0.00")), r.created_at, r.id)
        for r, number in refunds
    ]


def statement(client_id: int, start: date | None, end: date | None, currency: str | None = None) -> Statement:
    """Opening balance at ``start``, every invoice, payment and credit note in the range, and
    the closing balance at ``end``, in one currency (the client's first, or ``currency``)."""
    today = business_today(business_timezone())
    end = end or today
    with read_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound("Client not found", field="client_id")
        if currency is None:
            currency = session.execute(
                select(Invoice.currency).where(Invoice.client_id == client_id).group_by(Invoice.currency)
                .order_by(func.count().desc()).limit(1)
            ).scalar() or current_business().currency
        invoices = session.execute(
            select(Invoice).where(
                Invoice.client_id == client_id, Invoice.currency == currency,
                Invoice.status.not_in((InvoiceStatus.DRAFT, InvoiceStatus.VOID)),
            )
        ).scalars().all()
        payments = session.execute(
            select(Payment, Invoice.number).join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Invoice.client_id == client_id, Payment.currency == currency, Payment.removed_at.is_(None))
        ).all()
        rows = [
            ((inv.issue_date, 0, _FIRST, 0, 0, inv.number or ""),
             StatementEntry(inv.issue_date, "Invoice", inv.number, inv.amount, Decimal("0.00")))
            for inv in invoices
        ]
        rows += [
            _recorded(StatementEntry(p.paid_on, "Payment", f"{number}" + (f" ({p.reference})" if p.reference else ""),
                                     Decimal("0.00"), p.amount), p.created_at, p.id)
            for p, number in payments
        ]
        rows += _credit_notes(session, client_id, currency)
    # In the order they happened, so the running balance never shows a state that never was.
    entries = [entry for _, entry in sorted(rows, key=lambda row: row[0])]
    start = start or min((e.day for e in entries), default=end)
    check_order(start, end)
    before = [e for e in entries if e.day < start]
    within = [e for e in entries if start <= e.day <= end]
    opening = sum((e.charge - e.credit for e in before), Decimal("0.00"))
    closing = opening + sum((e.charge - e.credit for e in within), Decimal("0.00"))
    return Statement(client, currency, start, end, opening, within, closing)


# --- Archive and delete -------------------------------------------------------------------

def set_archived(client_id: int, archived: bool) -> bool:
    """Archive or restore; whether that changed anything (archiving twice keeps the first date)."""
    with write_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound("Client not found", field="client_id")
        if (client.archived_at is not None) == archived:
            return False
        client.archived_at = utcnow() if archived else None
        return True


def delete_client(client_id: int) -> None:
    """Only a client without invoices; their projects and leads go with them."""
    with write_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound("Client not found", field="client_id")
        if session.execute(select(func.count()).select_from(Invoice).where(Invoice.client_id == client_id)).scalar():
            raise ValidationError("This client has invoices: archive them instead of deleting", field="delete")
        if session.execute(select(RecurringProfile.id).where(RecurringProfile.client_id == client_id).limit(1)).first():
            raise ValidationError("This client has recurring profiles: archive them instead of deleting", field="delete")
        session.execute(delete(Lead).where(Lead.client_id == client_id))
        session.execute(delete(Project).where(Project.client_id == client_id))
        session.delete(client)


def find_duplicate(name: str, email: str, exclude_id: int | None = None) -> str:
    """The name of an existing client with the same name or email, in any case ('' when none):
    both sides are folded by the database (db_search.folded), so "ZOË" is "Zoë" on either."""
    name, email = (name or "").strip(), (email or "").strip()
    conditions = [folded(Client.name) == folded(bindparam("name", name, type_=String))]
    if email:
        conditions.append(folded(Client.email) == folded(bindparam("email", email, type_=String)))
    query = select(Client.name).where(or_(*conditions))
    if exclude_id:
        query = query.where(Client.id != exclude_id)
    with read_session() as session:
        return session.execute(query.limit(1)).scalar() or ""
