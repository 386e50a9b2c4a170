"""Expected payment dates from each client's history (the rules: ``domain.expected_pay``).

The history is the client's paid invoices: the business-day date each was sent, and the date
it was paid. Open invoices (sent or overdue, with a balance) get an expected date from it; the
dashboard sums the balances expected within 30 days, per currency, from the stored figures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlmodel import Session

from invoice_crm.db import data_version, read_session
from invoice_crm.domain.expected_pay import ExpectedPay, PayHabit, expected_pay, habit_from_days, in_window
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.models import Invoice
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.services.read_cache import VersionedCache

# The dashboard's "Expected in 30 days" reads every paid invoice of every client with an open
# one (~0.25 s at 100,000 invoices): kept while the database has not changed, so each tab that
# opens the dashboard, and each reload, does not read them all again.
_cash_in = VersionedCache(16)


def _zone() -> ZoneInfo:
    """The business's timezone as saved in Settings (read once per computation, not per row)."""
    return ZoneInfo(business_timezone())


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    """The business day a UTC moment fell on."""
    if moment is None:
        return None
    return moment.astimezone(zone).date()


# Paid with money kept: one credited in full (amount_paid 0) says nothing of how the client pays.
_PAID = (
    Invoice.status == InvoiceStatus.PAID, Invoice.amount_paid > 0,
    Invoice.sent_at.is_not(None), Invoice.paid_at.is_not(None),
)


def _days_taken(session: Session, client_ids: list[int], zone: ZoneInfo) -> dict[int, list[int]]:
    """For each client, the days each of its paid invoices took from the business day it was
    sent (its sent_at, a UTC moment, in the business's timezone) to the day it was paid.

    Every paid invoice counts, so this reads many rows (0.4 s for 100,000 through the ORM's
    types): PostgreSQL counts the days itself, knowing timezones, and returns one row per
    client and count; SQLite's stored texts are read as they are."""
    clients = Invoice.client_id.in_(client_ids)
    if session.get_bind().dialect.name == "postgresql":
        return _days_on_postgresql(session, clients, zone)
    return _days_on_sqlite(session, clients, zone)


def _days_on_postgresql(session: Session, clients: sa.ColumnElement[bool], zone: ZoneInfo) -> dict[int, list[int]]:
    sent_day = func.date(func.timezone(zone.key, func.timezone("UTC", Invoice.sent_at)))
    days = (Invoice.paid_at - sent_day).label("days")
    query = select(Invoice.client_id, days, func.count()).where(*_PAID, clients).group_by(Invoice.client_id, days)
    found: dict[int, list[int]] = defaultdict(list)
    for client_id, taken, count in session.execute(query):
        found[client_id].extend([taken] * count)
    return found


def _days_on_sqlite(session: Session, clients: sa.ColumnElement[bool], zone: ZoneInfo) -> dict[int, list[int]]:
    # The texts as stored ("2026-11-26 06:34:40.896572", "2026-12-01"); each sending minute and
    # each paid date is converted once.
    as_text = (sa.type_coerce(Invoice.sent_at, sa.String), sa.type_coerce(Invoice.paid_at, sa.String))
    sent_days: dict[str, date] = {}  # "YYYY-MM-DD HH:MM" (UTC) -> the business day
    paid_days: dict[str, date] = {}
    found: dict[int, list[int]] = defaultdict(list)
    for client_id, sent_at, paid_at in session.connection().execute(select(Invoice.client_id, *as_text).where(*_PAID, clients)):
        minute = sent_at[:16]
        sent = sent_days.get(minute)
        if sent is None:
            sent = sent_days[minute] = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(zone).date()
        paid = paid_days.get(paid_at)
        if paid is None:
            paid = paid_days[paid_at] = date.fromisoformat(paid_at)
        found[client_id].append((paid - sent).days)
    return found


def client_habit(client_id: int) -> PayHabit | None:
    """How many days after sending this client usually pays, or None (fewer than three paid)."""
    with read_session() as session:
        return habit_from_days(_days_taken(session, [client_id], _zone()).get(client_id, []))


def invoice_expectation(invoice_id: int) -> ExpectedPay | None:
    """When an open invoice is expected to be paid (None: not open, or no habit to go on)."""
    with read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or InvoiceStatus(invoice.status) not in OPEN or invoice.balance_due <= 0:
            return None
        zone = _zone()
        habit = habit_from_days(_days_taken(session, [invoice.client_id], zone).get(invoice.client_id, []))
    return expected_pay(habit, _local_date(invoice.sent_at, zone), invoice.due_date)


def expected_cash_in(today: date, days: int = 30) -> dict[str, Decimal]:
    """Balances of open invoices expected to be paid by ``today + days``, per currency
    (only clients with a habit; an expected date already past still counts). Kept while no
    transaction has committed since it was read (``services.read_cache``)."""
    version = data_version()  # before the reads: what they see is at least this recent
    zone = _zone()
    kept = _cash_in.get_or_read((today, days, zone.key), version, lambda: tuple(_cash_in_read(today, days, zone).items()))
    return dict(kept)


def _cash_in_read(today: date, days: int, zone: ZoneInfo) -> dict[str, Decimal]:
    with read_session() as session:
        open_rows = session.execute(
            select(Invoice.client_id, Invoice.sent_at, Invoice.due_date, Invoice.currency, Invoice.balance_due)
            .where(Invoice.status.in_(OPEN), Invoice.balance_due > 0)
        ).all()
        if not open_rows:
            return {}
        taken = _days_taken(session, sorted({row[0] for row in open_rows}), zone)
    habits = {client_id: habit_from_days(days) for client_id, days in taken.items()}
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for client_id, sent_at, due_date, currency, balance in open_rows:
        expected = expected_pay(habits.get(client_id), _local_date(sent_at, zone), due_date)
        if expected is not None and in_window(expected.on, today, days):
            totals[currency] += balance
    return dict(sorted(totals.items()))


def expectation_text(invoice_id: int) -> tuple[str, bool]:
    """For the invoice page's "Expected payment": "Dec 3, 2026" ("… (after the due date)" and
    True when it falls after the due date), or "" when there is nothing to expect."""
    from invoice_crm.domain.numbers import format_date

    expected = invoice_expectation(invoice_id)
    if expected is None:
        return "", False
    text = format_date(expected.on)
    return (text + " (after the due date)" if expected.late else text), expected.late


def habit_text(client_id: int) -> str:
    """For the client page: "Usually pays 21 days after sending (based on 5 invoices)", or ""."""
    habit = client_habit(client_id)
    return habit.sentence if habit is not None else ""


def cash_in_text(today: date, days: int = 30) -> str:
    """For the dashboard: the expected cash in, per currency ("$1,200.00 · €300.00"), or ""."""
    from invoice_crm.domain.money import format_money

    return " · ".join(format_money(amount, currency) for currency, amount in expected_cash_in(today, days).items())
