"""An invoice's figures from the database, through the one total function.

``invoice_totals`` reads the lines, payments, credit notes and refunds and asks
``domain.totals.compute_totals``; ``refresh_figures`` stores its results on the invoice row
(total, tax, paid, credited, balance due), so lists, the dashboard and the sheet read them
without adding anything up themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from invoice_crm.domain import credits
from invoice_crm.domain import totals as T
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.numbers import format_percent
from invoice_crm.models import CreditNote, CreditNoteLine, Invoice, LineItem, Payment, Refund

ZERO = Decimal("0")


def line_spec(li) -> T.LineSpec:
    """A stored (or displayed) line as the total function takes it."""
    taxes = []
    if getattr(li, "tax1_rate", None) is not None:
        taxes.append(T.TaxRate(str(li.tax1_id or li.tax1_name), li.tax1_name, li.tax1_rate))
    if getattr(li, "tax2_rate", None) is not None:
        taxes.append(T.TaxRate(str(li.tax2_id or li.tax2_name), li.tax2_name, li.tax2_rate, bool(li.tax2_compound)))
    return T.LineSpec(
        quantity=li.quantity,
        unit_price=li.unit_price,
        discount=T.Discount(getattr(li, "discount_kind", "") or "", getattr(li, "discount_value", None) or ZERO),
        taxes=tuple(taxes),
    )


def invoice_discount(invoice: Invoice) -> T.Discount:
    return T.Discount(invoice.discount_kind or "", invoice.discount_value or ZERO)


def money_in(session: Session, invoice_id: int) -> tuple[Decimal, Decimal]:
    """(paid, credited): payments not removed, less refunds; credit notes issued. One query:
    this runs on every payment, credit note, email and PDF."""

    def total(model, *where):  # exact: the SUM of the stored minor units, typed back to Decimal
        return select(func.sum(model.amount)).where(model.invoice_id == invoice_id, *where).scalar_subquery()

    with session.no_autoflush:
        payments, refunds, credits = session.execute(
            select(total(Payment, Payment.removed_at.is_(None)), total(Refund), total(CreditNote))
        ).one()
    return (payments or ZERO) - (refunds or ZERO), credits or ZERO


def compute(invoice: Invoice, lines, paid: Decimal = ZERO, credited: Decimal = ZERO) -> T.Totals:
    return T.compute_totals(
        [line_spec(li) for li in lines],
        currency=invoice.currency,
        invoice_discount=invoice_discount(invoice),
        tax_inclusive=bool(invoice.tax_inclusive),
        rounding=invoice.tax_rounding or "document",
        paid=paid,
        credited=credited,
    )


def lines_of(session: Session, invoice_id: int) -> list[LineItem]:
    """The invoice's lines in order (read once and passed on when figures are taken twice)."""
    return list(
        session.execute(
            select(LineItem).where(LineItem.invoice_id == invoice_id).order_by(LineItem.position)
        ).scalars()
    )


@dataclass(frozen=True)
class InvoiceRecord:
    """What a client document shows of an invoice: its lines, figures, live payments, credit
    notes and refunds (the PDF, the receipt and the pay page read it the same way). The
    payments less the refunds are ``totals.paid``, so a document listing both adds up."""

    lines: list[LineItem]
    totals: T.Totals
    payments: list[Payment]
    credit_notes: list[CreditNote]
    refunds: list[Refund]


def invoice_record(session: Session, invoice: Invoice) -> InvoiceRecord:
    lines = lines_of(session, invoice.id)
    payments = session.execute(
        select(Payment).where(Payment.invoice_id == invoice.id, Payment.removed_at.is_(None)).order_by(Payment.id)
    ).scalars().all()
    notes = session.execute(
        select(CreditNote).where(CreditNote.invoice_id == invoice.id).order_by(CreditNote.id)
    ).scalars().all()
    refunds = session.execute(
        select(Refund).where(Refund.invoice_id == invoice.id).order_by(Refund.refunded_on, Refund.id)
    ).scalars().all()
    return InvoiceRecord(lines, invoice_totals(session, invoice, lines), list(payments), list(notes), list(refunds))


@dataclass(frozen=True)
class NoteRefunds:
    """A credit note's refunds as they stand: what was given back against it (``refunded``)
    and what it still has to refund (``left``, never below zero)."""

    refunds: list[Refund]
    refunded: Decimal
    left: Decimal


def refund_left(refund_due: Decimal, refunded: Decimal, overpaid: Decimal) -> Decimal:
    """What a credit note still has to refund: its refund due less its refunds, and never more
    than the invoice is overpaid now (a payment removed since the note was issued leaves less to
    give back, or nothing: a refund is never of money that was not received)."""
    return max(min(refund_due - refunded, overpaid), ZERO)


def note_refunds(session: Session, note: CreditNote, overpaid: Decimal | None = None) -> NoteRefunds:
    """The one place a credit note's refund left is worked out (``refund_left``): the credit
    note PDF, Record refund and the activity use it. ``overpaid``: the invoice's, when the
    caller has it."""
    refunds = list(session.execute(
        select(Refund).where(Refund.credit_note_id == note.id).order_by(Refund.refunded_on, Refund.id)
    ).scalars().all())
    refunded = sum((r.amount for r in refunds), ZERO)
    if overpaid is None:
        overpaid = invoice_totals(session, session.get(Invoice, note.invoice_id)).refund_due
    return NoteRefunds(refunds, refunded, refund_left(note.refund_due, refunded, overpaid))


def credited_lines(session: Session, invoice_id: int) -> dict[int, CreditNote]:
    """The invoice's lines credited by a credit note by lines: line id -> that note."""
    rows = session.execute(
        select(CreditNoteLine.line_item_id, CreditNote)
        .join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id)
        .where(CreditNote.invoice_id == invoice_id)
    ).all()
    return {line_id: note for line_id, note in rows}


def credit_of_lines(invoice: Invoice, lines, chosen, credited_before=()) -> credits.CreditFigures:
    """What crediting the ``chosen`` positions credits once ``credited_before`` were credited
    (domain.credits, from the one total function)."""
    return credits.credit_of_lines(
        [line_spec(li) for li in lines], chosen, credited_before=credited_before,
        currency=invoice.currency, invoice_discount=invoice_discount(invoice),
        tax_inclusive=bool(invoice.tax_inclusive), rounding=invoice.tax_rounding or "document",
    )


def note_figures(session: Session, note: CreditNote) -> credits.CreditFigures | None:
    """A credit note by lines: what it credits per line and per tax rate (the lines credited
    by earlier notes of the invoice counted first, as when it was issued); None for a note
    by amount (or an old one whose lines are not known)."""
    lines = lines_of(session, note.invoice_id)
    done = credited_lines(session, note.invoice_id)
    mine = [i for i, li in enumerate(lines) if li.id in done and done[li.id].id == note.id]
    if not mine:
        return None
    before = [i for i, li in enumerate(lines) if li.id in done and done[li.id].id < note.id]
    invoice = session.get(Invoice, note.invoice_id)
    return credit_of_lines(invoice, lines, mine, before)


def invoice_totals(session: Session, invoice: Invoice, lines=None) -> T.Totals:
    if lines is None:
        lines = lines_of(session, invoice.id)
    paid, credited = money_in(session, invoice.id) if invoice.id is not None else (ZERO, ZERO)
    return compute(invoice, lines, paid, credited)


def refresh_figures(session: Session, invoice: Invoice, lines=None) -> T.Totals:
    """Store the total function's figures on the invoice row; returns them."""
    totals = invoice_totals(session, invoice, lines)
    invoice.amount = totals.total
    invoice.tax_total = totals.tax_total
    invoice.amount_paid = totals.paid
    invoice.amount_credited = totals.credited
    invoice.balance_due = totals.balance_due
    return totals


def settled(status) -> bool:
    """Whether an invoice in ``status`` has a balance to speak of: it was sent and is not void
    (a void invoice is owed nothing, whatever its lines add up to)."""
    return InvoiceStatus(status) not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def breakdown_rows(t: T.Totals, *, settled: bool = True) -> list[dict[str, str]]:
    """The breakdown every view prints, in order: subtotal, discounts, each tax by name and
    rate with its base, total, then paid, credited and balance due (``settled``: the invoice
    was sent, so there is a balance to speak of)."""
    from invoice_crm.domain.money import format_money

    cur = t.currency

    def money(value: Decimal) -> str:
        return format_money(value, cur)

    # With tax in the prices, the subtotal and the discounts are shown net of it (the taxes
    # then add up to the total): each says so.
    net = " (excl. tax)" if t.tax_inclusive and t.taxes else ""
    rows = [{"key": "subtotal", "label": "Subtotal" + net, "value": money(t.subtotal)}]
    if t.line_discounts:
        rows.append({"key": "line-discounts", "label": "Line discounts" + net, "value": "-" + money(t.line_discounts)})
    if t.invoice_discount:
        rows.append({"key": "invoice-discount", "label": "Invoice discount" + net, "value": "-" + money(t.invoice_discount)})
    for index, tax in enumerate(t.taxes):
        word = "incl. " if t.tax_inclusive else ""
        rows.append({
            "key": f"tax-{index}",
            "label": f"{word}{tax.label} on {money(tax.base)}",
            "value": money(tax.amount),
        })
    rows.append({"key": "total", "label": "Total", "value": money(t.total)})
    if settled:
        if t.paid:
            rows.append({"key": "paid", "label": "Paid", "value": "-" + money(t.paid)})
        if t.credited:
            rows.append({"key": "credited", "label": "Credited", "value": "-" + money(t.credited)})
        rows.append({"key": "balance", "label": "Balance due", "value": money(t.balance_due)})
        if t.refund_due:
            rows.append({"key": "refund-due", "label": "To refund", "value": money(t.refund_due)})
    return rows


def line_tax_text(li) -> str:
    """'VAT 20%' / 'GST 5% + QST 9.975% (compound)' for a stored line."""
    parts = []
    if getattr(li, "tax1_rate", None) is not None:
        parts.append(f"{li.tax1_name} {format_percent(li.tax1_rate)}")
    if getattr(li, "tax2_rate", None) is not None:
        parts.append(f"{li.tax2_name} {format_percent(li.tax2_rate)}" + (" (compound)" if li.tax2_compound else ""))
    return " + ".join(parts)


def line_discount_text(li, currency: str) -> str:
    """'-10%' or '-$9.99' (the amount in the invoice's currency and the business locale)."""
    from invoice_crm.domain.money import format_money

    kind, value = getattr(li, "discount_kind", ""), getattr(li, "discount_value", None) or ZERO
    if kind == "percent" and value:
        return "-" + format_percent(value)
    if kind == "amount" and value:
        return "-" + format_money(value, currency)
    return ""
