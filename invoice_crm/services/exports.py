"""CSV exports, streamed: the invoice list as filtered and sorted on the dashboard, payments
and refunds over a date range, clients, and line items over a date range.

Each export is a generator of byte chunks. Rows come from one read session through a cursor
read in batches (``yield_per``: a server-side cursor on PostgreSQL, SQLite's stepping cursor),
and are written a batch at a time, so memory does not grow with the number of rows and the
first bytes (BOM and header) leave at once. Money is a plain decimal numeral with the currency
in its own column; dates are ISO; text a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import literal, select, union_all

from invoice_crm.db import read_session
from invoice_crm.domain import csv_cells as cell
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.tax_shares import line_taxes
from invoice_crm.models import Client, Invoice, LineItem, Payment, Project, Refund
from invoice_crm.services import figures, queries

BATCH = 500
ISSUED = (*OPEN, InvoiceStatus.PAID)  # not drafts, not void (as the reports)
ZERO = Decimal("0.00")
KINDS = ("invoices", "payments", "clients", "lines")


@dataclass(frozen=True)
class Export:
    kind: str
    filename: str
    chunks: Iterator[bytes]


def _stream(session, statement):
    return session.execute(statement.execution_options(yield_per=BATCH))


INVOICE_HEADER = (
    "Number", "Client", "Project", "Status", "Issue date", "Due date", "Paid date", "Currency",
    "Total", "Tax", "Paid", "Credited", "Balance due",
)
INVOICE_COLUMNS = (
    Invoice.id, Invoice.number, Client.name, Project.name, Invoice.status, Invoice.issue_date,
    Invoice.due_date, Invoice.paid_at, Invoice.currency, Invoice.amount, Invoice.tax_total,
    Invoice.amount_paid, Invoice.amount_credited, Invoice.balance_due,
)


def _invoice_rows(q: queries.InvoiceQuery) -> Iterator[list[str]]:
    with read_session() as session:
        for conditions, order in queries.list_parts(q):
            statement = (
                select(*INVOICE_COLUMNS)
                .join(Client, Client.id == Invoice.client_id)
                .outerjoin(Project, Project.id == Invoice.project_id)
                .where(*conditions)
                .order_by(*order)
            )
            for r in _stream(session, statement):
                yield [
                    cell.text(display_number(r.number, r.id)), cell.text(r[2]), cell.text(r[3] or ""),
                    InvoiceStatus(r.status).value, cell.day(r.issue_date), cell.day(r.due_date),
                    cell.day(r.paid_at), r.currency, *(cell.money(v, r.currency) for v in (
                        r.amount, r.tax_total, r.amount_paid, r.amount_credited, r.balance_due)),
                ]


def invoices_csv(q: queries.InvoiceQuery, *, bom: bool = True) -> Export:
    return Export("invoices", "invoices.csv", cell.csv_lines(INVOICE_HEADER, _invoice_rows(q), bom=bom, batch=BATCH))


PAYMENT_HEADER = ("Date", "Kind", "Invoice", "Client", "Method", "Reference", "Currency", "Amount")


def _payment_rows(start: date, end: date) -> Iterator[list[str]]:
    payments = (
        select(
            Payment.paid_on.label("day"), literal("Payment").label("kind"), Payment.id.label("id"),
            Invoice.id.label("invoice_id"), Invoice.number, Client.name, Payment.method, Payment.reference,
            Payment.currency, Payment.amount,
        )
        .join(Invoice, Invoice.id == Payment.invoice_id).join(Client, Client.id == Invoice.client_id)
        .where(Payment.removed_at.is_(None), Payment.paid_on >= start, Payment.paid_on <= end)
    )
    refunds = (
        select(
            Refund.refunded_on, literal("Refund"), Refund.id, Invoice.id, Invoice.number, Client.name,
            Refund.method, Refund.reference, Refund.currency, -Refund.amount,
        )
        .join(Invoice, Invoice.id == Refund.invoice_id).join(Client, Client.id == Invoice.client_id)
        .where(Refund.refunded_on >= start, Refund.refunded_on <= end)
    )
    both = union_all(payments, refunds).subquery()
    statement = select(both).order_by(both.c.day, both.c.kind, both.c.id)
    with read_session() as session:
        for r in _stream(session, statement):
            method = r[6]
            yield [
                cell.day(_as_date(r[0])), r[1], cell.text(display_number(r[4], r[3])), cell.text(r[5]),
                cell.text(getattr(method, "label", None) or str(method).replace("_", " ").capitalize()),
                cell.text(r[7]), r[8], cell.money(r[9], r[8]),
            ]


def _as_date(value) -> date | None:
    """A date from a UNION column (SQLite hands back the ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def payments_csv(start: date, end: date, *, bom: bool = True) -> Export:
    name = f"payments-{start.isoformat()}-to-{end.isoformat()}.csv"
    return Export("payments", name, cell.csv_lines(PAYMENT_HEADER, _payment_rows(start, end), bom=bom, batch=BATCH))


CLIENT_HEADER = ("Name", "Company", "Email", "Address", "Tax number", "Archived", "Created")


def _client_rows() -> Iterator[list[str]]:
    statement = select(Client).order_by(Client.name, Client.id)
    with read_session() as session:
        for (c,) in _stream(session, statement):
            yield [
                cell.text(c.name), cell.text(c.company), cell.text(c.email), cell.text(c.address),
                cell.text(c.tax_number), "yes" if c.archived_at else "", cell.day(c.created_at.date()),
            ]
            session.expunge(c)  # the identity map must not grow with the rows


def clients_csv(*, bom: bool = True) -> Export:
    return Export("clients", "clients.csv", cell.csv_lines(CLIENT_HEADER, _client_rows(), bom=bom, batch=BATCH))


LINE_HEADER = (
    "Invoice", "Issue date", "Status", "Client", "Currency", "Position", "Description", "Quantity",
    "Unit price", "Amount", "Discounts", "Net", "Tax 1", "Tax 1 rate", "Tax 1 amount", "Tax 2",
    "Tax 2 rate", "Tax 2 amount", "Total",
)


def _line_rows(start: date, end: date) -> Iterator[list[str]]:
    """Lines of the invoices issued in the range (not drafts, not void: as Revenue counts them);
    each invoice's lines go through the one total function together (discount shares), one
    invoice at a time. Net is the line's amount before tax (a tax-inclusive line's tax taken
    out), each tax its share of the invoice's tax for that rate, Total the two together: the
    lines' Totals add up to the invoice's total, their taxes to its tax."""
    statement = (
        select(Invoice, LineItem, Client.name)
        .join(LineItem, LineItem.invoice_id == Invoice.id)
        .join(Client, Client.id == Invoice.client_id)
        .where(Invoice.status.in_(ISSUED), Invoice.issue_date >= start, Invoice.issue_date <= end)
        .order_by(Invoice.issue_date, Invoice.id, LineItem.position, LineItem.id)
    )
    with read_session() as session:
        for _, group in itertools.groupby(_stream(session, statement), key=lambda r: r[0].id):
            rows = list(group)
            invoice, client = rows[0][0], rows[0][2]
            lines = [r[1] for r in rows]
            specs = [figures.line_spec(li) for li in lines]
            totals = figures.compute(invoice, lines)
            currency = invoice.currency

            def money(value, currency=currency):
                return cell.money(value, currency)

            for li, spec, fig, taxes in zip(lines, specs, totals.lines, line_taxes(totals, specs), strict=True):
                amounts = [taxes.get(t.key, ZERO) for t in spec.taxes] + [None, None]
                tax = sum(taxes.values(), ZERO)
                net = fig.net - tax if invoice.tax_inclusive else fig.net
                yield [
                    cell.text(display_number(invoice.number, invoice.id)), cell.day(invoice.issue_date),
                    InvoiceStatus(invoice.status).value, cell.text(client), currency, str(li.position + 1),
                    cell.text(li.description), format(li.quantity.normalize(), "f"), money(li.unit_price),
                    money(fig.amount), money(fig.discount + fig.invoice_discount), money(net),
                    cell.text(li.tax1_name), _rate(li.tax1_rate), money(amounts[0]),
                    cell.text(li.tax2_name), _rate(li.tax2_rate), money(amounts[1]), money(net + tax),
                ]
            session.expunge_all()  # the identity map must not grow with the rows


def _rate(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def lines_csv(start: date, end: date, *, bom: bool = True) -> Export:
    name = f"line-items-{start.isoformat()}-to-{end.isoformat()}.csv"
    return Export("lines", name, cell.csv_lines(LINE_HEADER, _line_rows(start, end), bom=bom, batch=BATCH))


# --- From a ticket's parameters ---------------------------------------------------------------

MAX_SEARCH = 200


def invoice_query(params: dict[str, str]) -> queries.InvoiceQuery:
    """The dashboard's list from its URL parameters (q, status, sort, dir), as the page reads them."""
    status = params.get("status", "").upper()
    sort = params.get("sort", "")
    sort = sort if sort in queries.SORTS else queries.CURRENT
    direction = params.get("dir", "")
    # As the dashboard: without a direction, largest amount and newest number first.
    descending = direction == "desc" if direction in ("asc", "desc") else sort in ("amount", "number")
    return queries.InvoiceQuery(
        search=params.get("q", "")[:MAX_SEARCH],
        status=status if status in InvoiceStatus.__members__ else "",
        sort=sort,
        descending=descending,
    )


def _date(params: dict[str, str], name: str) -> date:
    try:
        return date.fromisoformat(params.get(name, ""))
    except ValueError:
        from invoice_crm.domain.errors import ValidationError

        raise ValidationError(f"The {name} date is not a date (YYYY-MM-DD)", field=name) from None


def build(kind: str, params: dict[str, str]) -> Export:
    """The export a ticket asked for."""
    bom = params.get("bom", "1") != "0"
    if kind == "invoices":
        return invoices_csv(invoice_query(params), bom=bom)
    if kind == "clients":
        return clients_csv(bom=bom)
    start, end = _date(params, "start"), _date(params, "end")
    if kind == "payments":
        return payments_csv(start, end, bom=bom)
    return lines_csv(start, end, bom=bom)
