"""The reports a freelancer files taxes with: receivables ageing, revenue, and tax.

Every figure comes from the invoices' stored figures (``services.figures.refresh_figures``, the
one total function's results, which the dashboard and the client pages sum too) or from the one
total function itself (the per-rate tax breakdown), per currency, never converted:

- Ageing: what invoices owed on a chosen date (total less the payments, refunds and credit
  notes dated by then; as of today, the stored ``balance_due`` the dashboard's Outstanding and
  the client page sum), by client and currency, in buckets of days past due on that date.
- Revenue: per month and per client over a date range: invoiced (totals of invoices issued in
  it, drafts and void invoices not counted), credited (credit notes issued in it), and paid
  (payments received in it, less refunds given in it).
- Tax, per currency and rate, for a period: accrual (the taxable base and tax of the invoices
  issued in the period, less what the credit notes issued in it credit: a note by lines the
  base and tax of its lines, a note by amount its share of each rate) and cash (what payments
  less refunds in the period carry of each rate, allocated cumulatively per invoice so that an
  invoice settled in full has received exactly its net tax). See ``domain.tax_shares``.

A table's cells are text, Decimal money and, by month, ``Month``: ``cell_text`` writes them for
people (money and months in the business locale), the CSV in machine form (``2026-11``).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import String, cast, func, select

from invoice_crm.db import read_session
from invoice_crm.domain import tax_shares
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date, format_month, format_number
from invoice_crm.models import Client, CreditNote, Invoice, LineItem, Payment, Refund
from invoice_crm.services import figures
from invoice_crm.services.tax_rates import RATE

ZERO = Decimal("0.00")
ISSUED = (*OPEN, InvoiceStatus.PAID)  # not drafts, not void
BUCKETS = ("Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")
MAX_DAYS = 366 * 20


def check_order(start: date, end: date) -> None:
    """A backwards range, said the same way wherever dates are chosen, beside the end (To)."""
    if end < start:
        raise ValidationError("The end date is before the start date", field="end")


def check_range(start: date, end: date) -> None:
    check_order(start, end)
    if (end - start).days > MAX_DAYS:
        raise ValidationError("Choose a range of at most 20 years", field="start")


@dataclass(frozen=True, order=True)
class Month:
    """A revenue row's month: ``2026-11`` where machines read it (``str``: the CSV), Babel's
    ``Nov 2026`` / ``Nov. 2026`` where people do (``cell_text``)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """From the database's ``YYYY-MM`` (the first seven characters of an ISO date)."""
        year, month = str(text).split("-")[:2]
        return cls(int(year), int(month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class Rate:
    """A tax rate in percent: plain in files (``8.875``), as the locale writes it on the page
    and the PDF (``8,875`` under de_DE; the column says "%")."""

    value: Decimal

    def __str__(self) -> str:
        return format(self.value.normalize(), "f")


def cell_text(value, currency: str) -> str:
    """A cell as the page and the PDF show it: money, months and rates in the business locale."""
    if isinstance(value, Decimal):
        return format_money(value, currency)
    if isinstance(value, Month):
        return format_month(value.first_day)
    if isinstance(value, Rate):
        return format_number(value.value, RATE)
    return str(value)


def _period(start: date, end: date) -> str:
    return f"{format_date(start)} to {format_date(end)}"


@dataclass
class Table:
    """A report as rows of cells (text, Decimal money or a Month), with the currency in its own column."""

    title: str
    period: str  # for people, in the business locale (the slug keeps ISO dates for file names)
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    totals: list[list] = field(default_factory=list)  # one row per currency
    note: str = ""
    slug: str = "report"

    @property
    def currency_column(self) -> int:
        return self.columns.index("Currency")


# --- Ageing ----------------------------------------------------------------------------------

def bucket_of(as_of: date, due: date | None) -> int:
    days = (as_of - due).days if due else 0
    if days <= 0:
        return 0
    return 1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 else 4


def _dated_sum(model, amount, day, as_of: date, *extra):
    """Per invoice, the sum of ``amount`` of the rows dated on or before ``as_of``."""
    return (
        select(model.invoice_id.label("invoice_id"), func.sum(amount).label("amount"))
        .where(day <= as_of, *extra)
        .group_by(model.invoice_id)
        .subquery()
    )


def ageing(as_of: date) -> Table:
    """What was owed on ``as_of``: each invoice issued by then (and not void by then), its total
    less the payments received, plus the refunds given, less the credit notes issued on or
    before that day. As of today this is the stored balance due (the dashboard's Outstanding)."""
    paid = _dated_sum(Payment, Payment.amount, Payment.paid_on, as_of, Payment.removed_at.is_(None))
    refunded = _dated_sum(Refund, Refund.amount, Refund.refunded_on, as_of)
    credited = _dated_sum(CreditNote, CreditNote.amount, CreditNote.issue_date, as_of)
    next_day = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    void_after = (Invoice.status == InvoiceStatus.VOID) & (Invoice.voided_at >= next_day)
    with read_session() as session:
        rows = session.execute(
            select(
                Client.id, Client.name, Invoice.currency, Invoice.due_date, Invoice.amount,
                paid.c.amount, refunded.c.amount, credited.c.amount,
            )
            .join(Client, Client.id == Invoice.client_id)
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .outerjoin(refunded, refunded.c.invoice_id == Invoice.id)
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(Invoice.status.in_(ISSUED) | void_after, Invoice.issue_date <= as_of)
        ).all()
    found = [
        (client_id, name, currency, due,
         max(Decimal(total or 0) - Decimal(p or 0) + Decimal(r or 0) - Decimal(c or 0), ZERO))
        for client_id, name, currency, due, total, p, r, c in rows
    ]
    per_client: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO] * 5)
    for client_id, name, currency, due, balance in found:
        per_client[(name, client_id, currency)][bucket_of(as_of, due)] += balance
    table = Table(
        "Receivables ageing", f"As of {format_date(as_of)}", ["Client", "Currency", *BUCKETS, "Total"],
        slug=f"ageing-{as_of.isoformat()}",
    )
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 5)
    for (name, _, currency), buckets in sorted(per_client.items(), key=lambda kv: (kv[0][0].lower(), kv[0][1], kv[0][2])):
        if not any(buckets):
            continue
        table.rows.append([name, currency, *buckets, sum(buckets, ZERO)])
        sums[currency] = [a + b for a, b in zip(sums[currency], buckets, strict=True)]
    table.totals = [["Total", cur, *b, sum(b, ZERO)] for cur, b in sorted(sums.items())]
    return table


def ageing_totals(table: Table) -> dict[str, Decimal]:
    return {row[1]: row[-1] for row in table.totals}


# --- Revenue ---------------------------------------------------------------------------------

def _month(column):
    return func.substr(cast(column, String), 1, 7)


def _revenue(session, start: date, end: date, by_client: bool) -> dict[tuple, list[Decimal]]:
    """{(period-or-client, currency): [invoiced, credited, paid]}"""
    out: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])

    def key(column):
        return (Client.name, Client.id) if by_client else (_month(column),)

    def add(rows, index: int, sign: int = 1) -> None:
        for *k, currency, amount in rows:
            label = (k[0], k[1]) if by_client else k[0]
            out[(label, currency)][index] += sign * Decimal(amount or 0)

    # (table, its date, result column, sign, conditions): invoices issued, credit notes issued
    # (not on void invoices), payments received, refunds given; each joined to its client.
    sources = (
        (Invoice, Invoice.issue_date, 0, 1, [Invoice.status.in_(ISSUED)]),
        (CreditNote, CreditNote.issue_date, 1, 1, [Invoice.status != InvoiceStatus.VOID]),
        (Payment, Payment.paid_on, 2, 1, [Payment.removed_at.is_(None)]),
        (Refund, Refund.refunded_on, 2, -1, []),
    )
    for model, day, index, sign, where in sources:
        k = key(day)  # one expression object for SELECT and GROUP BY (PostgreSQL matches them)
        query = select(*k, model.currency, func.sum(model.amount))
        if model is not Invoice:
            query = query.join(Invoice, Invoice.id == model.invoice_id)
        add(session.execute(
            query.join(Client, Client.id == Invoice.client_id)
            .where(*where, day >= start, day <= end)
            .group_by(*k, model.currency)
        ).all(), index, sign)
    return out


def revenue(start: date, end: date, *, by: str = "month") -> Table:
    """Invoiced, credited and paid per month (``by="month"``) or per client, per currency."""
    check_range(start, end)
    by_client = by == "client"
    with read_session() as session:
        found = _revenue(session, start, end, by_client)
    first = "Client" if by_client else "Month"
    table = Table(
        "Revenue by client" if by_client else "Revenue by month",
        _period(start, end),
        [first, "Currency", "Invoiced", "Credited", "Paid"],
        slug=f"revenue-by-{'client' if by_client else 'month'}-{start.isoformat()}-to-{end.isoformat()}",
        note="Invoiced: invoices issued (not drafts, not void). Paid: payments received less refunds. "
             "Each currency on its own, never converted.",
    )
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])

    def order(item):
        (label, currency), _ = item
        return ((label[0].lower(), label[1]) if by_client else (label,), currency)

    for (label, currency), values in sorted(found.items(), key=order):
        table.rows.append([label[0] if by_client else Month.parse(label), currency, *values])
        sums[currency] = [a + b for a, b in zip(sums[currency], values, strict=True)]
    table.totals = [["Total", cur, *v] for cur, v in sorted(sums.items())]
    return table


# --- Tax -------------------------------------------------------------------------------------

@dataclass
class TaxFigures:
    base: Decimal = ZERO
    tax: Decimal = ZERO
    credited_base: Decimal = ZERO
    credited_tax: Decimal = ZERO
    cash_base: Decimal = ZERO
    cash_tax: Decimal = ZERO


def _breakdown(invoice: Invoice, lines) -> tuple[Decimal, dict[tuple, tuple[Decimal, Decimal]]]:
    """The invoice's total and {(name, rate): (base, tax)} from the one total function; lines
    without tax under "No tax"."""
    totals = figures.compute(invoice, lines)
    return totals.total, tax_shares.parts_of(totals, [figures.line_spec(li) for li in lines])


def credited_positions(lines_text: str, descriptions: list[str], limit: int = 20) -> Iterator[list[int]]:
    """The lines a credit note by lines may credit: each way of reading its text (the
    descriptions of the lines it credits, in order, one after the other on their own lines, as
    issuing wrote them; a description may itself span lines) as lines of the invoice. More than
    one when the invoice repeats a description; none when the note names no line of it."""
    if not lines_text:
        return
    found = 0

    def walk(at: int, start: int, chosen: list[int]) -> Iterator[list[int]]:
        nonlocal found
        if at == len(lines_text):
            found += 1
            yield chosen
            return
        for i in range(start, len(descriptions)):
            name = descriptions[i]
            end = at + len(name)
            if name and lines_text.startswith(name, at) and (end == len(lines_text) or lines_text[end] == "\n"):
                yield from walk(end if end == len(lines_text) else end + 1, i + 1, [*chosen, i])
            if found >= limit:
                return

    yield from walk(0, 0, [])


@dataclass
class _Invoice:
    """What the tax report keeps of an invoice: its lines and which note credited each (for
    notes by lines), and its running split."""

    invoice: Invoice
    lines: list
    shares: tax_shares.InvoiceTaxShares
    credited: dict[int, int] = field(default_factory=dict)  # line id -> the note that credited it

    def _parts(self, chosen: list[int]):
        return tax_shares.lines_parts(
            [figures.line_spec(li) for li in self.lines], chosen, currency=self.invoice.currency,
            invoice_discount=figures.invoice_discount(self.invoice),
            tax_inclusive=bool(self.invoice.tax_inclusive), rounding=self.invoice.tax_rounding or "document",
        )

    def lines_parts(self, note_id: int, lines_text: str, amount: Decimal):
        """(their total, their parts) of the lines a note by lines credits; None: a note by amount.

        The lines are the ones recorded for it (credit_note_line, written when it is issued).
        A note issued before they were recorded, that migration 0017 could not link in full (a
        description two lines share), has only its text, the descriptions of its lines: of the
        ways it reads as lines (keeping the lines 0017 did link to it, and leaving the lines
        other notes credited), the one worth the note's amount, else the first."""
        mine = [i for i, li in enumerate(self.lines) if self.credited.get(li.id) == note_id]
        if mine and "\n".join(self.lines[i].description for i in mine) == lines_text:
            return self._parts(mine)
        others = {i for i, li in enumerate(self.lines) if self.credited.get(li.id, note_id) != note_id}
        first = None
        for chosen in credited_positions(lines_text, [li.description for li in self.lines]):
            if not set(mine) <= set(chosen) or others & set(chosen):
                continue
            found = self._parts(chosen)
            if found[0] == amount:
                return found
            first = first or found
        if first is None and mine:
            return self._parts(mine)
        return first


def _touched(session, start: date, end: date) -> set[int]:
    """Issued invoices with a credit note, payment or refund in the period."""
    ids: set[int] = set()
    for model, day, *where in (
        (CreditNote, CreditNote.issue_date),
        (Payment, Payment.paid_on, Payment.removed_at.is_(None)),
        (Refund, Refund.refunded_on),
    ):
        ids.update(session.execute(
            select(model.invoice_id).join(Invoice, Invoice.id == model.invoice_id)
            .where(Invoice.status.in_(ISSUED), day >= start, day <= end, *where).distinct()
        ).scalars())
    return ids


def _events(session, ids: list[int], end: date):
    """The invoices' credit notes, payments and refunds up to ``end``, in the order they
    happened (on one day, credit notes before cash): (day, kind, its id, invoice id, amount,
    lines text or None)."""
    found = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        found += [(d, 0, n, inv, amount, text) for d, n, inv, amount, text in session.execute(
            select(CreditNote.issue_date, CreditNote.id, CreditNote.invoice_id, CreditNote.amount, CreditNote.lines_text)
            .where(CreditNote.invoice_id.in_(chunk), CreditNote.issue_date <= end))]
        found += [(d, 1, n, inv, amount, None) for d, n, inv, amount in session.execute(
            select(Payment.paid_on, Payment.id, Payment.invoice_id, Payment.amount)
            .where(Payment.invoice_id.in_(chunk), Payment.removed_at.is_(None), Payment.paid_on <= end))]
        found += [(d, 2, n, inv, -amount, None) for d, n, inv, amount in session.execute(
            select(Refund.refunded_on, Refund.id, Refund.invoice_id, Refund.amount)
            .where(Refund.invoice_id.in_(chunk), Refund.refunded_on <= end))]
    found.sort(key=lambda e: (e[0], e[1] > 0, e[1], e[2]))
    return found


def note_tax_parts(session, note: CreditNote) -> tax_shares.Parts:
    """A credit note's {(tax name, rate): (base, tax)}: the split the tax report gives it
    (services.reports over domain.tax_shares), replaying the invoice's credit notes up to this
    one in the order the report takes them; a note by amount takes its share of each rate."""
    invoice = session.get(Invoice, note.invoice_id)
    lines = figures.lines_of(session, invoice.id)
    total, parts = _breakdown(invoice, lines)
    book = _Invoice(
        invoice, lines, tax_shares.InvoiceTaxShares(invoice.currency, total, parts),
        {line_id: n.id for line_id, n in figures.credited_lines(session, invoice.id).items()},
    )
    for _day, kind, event_id, _invoice, amount, lines_text in _events(session, [invoice.id], note.issue_date):
        if kind != 0:
            continue  # cash does not move a credit note's split
        own = book.shares.credit(amount, book.lines_parts(event_id, lines_text, amount))
        if event_id == note.id:
            return own
    return {}


def tax_report(start: date, end: date) -> Table:
    check_range(start, end)
    found: dict[tuple, TaxFigures] = defaultdict(TaxFigures)

    with read_session() as session:
        issued = session.execute(
            select(Invoice, LineItem)
            .join(LineItem, LineItem.invoice_id == Invoice.id)
            .where(Invoice.status.in_(ISSUED), Invoice.issue_date >= start, Invoice.issue_date <= end)
            .order_by(Invoice.id, LineItem.position, LineItem.id)
            .execution_options(yield_per=500)
        )
        for _, group in itertools.groupby(issued, key=lambda r: r[0].id):
            rows = list(group)
            invoice = rows[0][0]
            _, parts = _breakdown(invoice, [r[1] for r in rows])
            for (name, rate), (base, tax) in parts.items():
                f = found[(invoice.currency, name, rate)]
                f.base += base
                f.tax += tax
            # Read is done with: out of the session, so years of invoices are not all kept in
            # memory. One by one: expunge_all() would drop the identity map the batches of the
            # ongoing read (yield_per) still put their rows in.
            for obj in {id(o): o for row in rows for o in row}.values():
                session.expunge(obj)

        # Credit notes and cash, per invoice in the order they happened (see domain.tax_shares):
        # the ones before the period only set where each invoice stood when it began.
        ids = sorted(_touched(session, start, end))
        books: dict[int, _Invoice] = {}
        for day, kind, event_id, invoice_id, amount, lines_text in _events(session, ids, end):
            if invoice_id not in books:
                invoice = session.get(Invoice, invoice_id)
                lines = figures.lines_of(session, invoice_id)
                total, parts = _breakdown(invoice, lines)
                books[invoice_id] = _Invoice(
                    invoice, lines, tax_shares.InvoiceTaxShares(invoice.currency, total, parts),
                    {line_id: note.id for line_id, note in figures.credited_lines(session, invoice_id).items()},
                )
            book = books[invoice_id]
            if kind == 0:
                own = book.shares.credit(amount, book.lines_parts(event_id, lines_text, amount))
            else:
                own = book.shares.receive(amount)
            if day < start:
                continue
            for (name, rate), (base, tax) in own.items():
                f = found[(book.invoice.currency, name, rate)]
                if kind == 0:
                    f.credited_base += base
                    f.credited_tax += tax
                else:
                    f.cash_base += base
                    f.cash_tax += tax

    table = Table(
        "Tax report", _period(start, end),
        ["Tax", "Rate %", "Currency", "Taxable base", "Tax invoiced", "Base credited", "Tax credited",
         "Net base", "Net tax (accrual)", "Base received", "Tax received (cash)"],
        slug=f"tax-{start.isoformat()}-to-{end.isoformat()}",
        note="Accrual: invoices issued in the period less credit notes issued in it (a note by lines: "
             "the base and tax of its lines; by amount: its share of each rate). Cash: the tax share of "
             "payments received in the period, less refunds, in proportion to what each invoice asks "
             "for after its credit notes; money held beyond that (overpaid, to be refunded) is not counted.",
    )
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * 8)

    def order(item):
        (currency, name, rate), _ = item
        return (currency, rate is None, name.lower(), rate or ZERO)

    for (currency, name, rate), f in sorted(found.items(), key=order):
        values = [f.base, f.tax, f.credited_base, f.credited_tax, f.base - f.credited_base,
                  f.tax - f.credited_tax, f.cash_base, f.cash_tax]
        table.rows.append([name, "" if rate is None else Rate(rate), currency, *values])
        sums[currency] = [a + b for a, b in zip(sums[currency], values, strict=True)]
    table.totals = [["Total", "", cur, *v] for cur, v in sorted(sums.items())]
    return table
