"""Money in and out of a sent invoice: payments (partial or whole), their removal, void,
credit notes and refunds. Each action is one transaction that stores the new figures of the
one total function and moves the status by the balance; side effects (the sheet row) go
through the outbox, and Stripe calls happen after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, func, select, update
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import drafts, lifecycle, totals
from invoice_crm.domain.activity import date_mark, money_mark
from invoice_crm.domain.errors import Conflict, IntegrationError, InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.money import check_minor_units, format_money, parse_amount
from invoice_crm.domain.numbering import counter_key, format_number
from invoice_crm.domain.numbers import format_date
from invoice_crm.models import (
    MANUAL_METHODS,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceCounter,
    LineItem,
    Payment,
    PaymentMethod,
    Refund,
)
from invoice_crm.services import figures, idempotency
from invoice_crm.services.activity import enqueue_sheet_sync, log_event
from invoice_crm.services.business_settings import business_timezone
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)

MAX_REFERENCE = 200
MAX_REASON = 500
ZERO = Decimal("0")


def _today() -> date:
    return lifecycle.business_today(business_timezone())


def _locked(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id, with_for_update=session.bind.dialect.name != "sqlite")
    if invoice is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return invoice


def _advance_lead(session: Session, invoice: Invoice, target: LeadStatus) -> None:
    """The invoice's own lead, by the one rule in services.invoices (Paid only when every
    invoice billing the lead is paid)."""
    from invoice_crm.services.invoices import advance_lead as advance

    advance(session, invoice, target)


def check_payment_date(paid_on: date, issue_date: date, today: date) -> None:
    """A payment cannot come before the invoice was issued, nor after today (business timezone)."""
    if paid_on > today:
        raise ValidationError("Payment date cannot be in the future", field="paid_on")
    if paid_on < issue_date:
        raise ValidationError(
            f"Payment date cannot be before the invoice's issue date ({format_date(issue_date)})", field="paid_on"
        )


def _past_date(raw: object, *, field: str, label: str) -> date:
    """The date a form gave (required: an emptied field is refused, not read as today), or
    today when code passes none at all."""
    today = _today()
    value = today if raw is None else drafts.parse_date(raw, field=field, label=label)
    if value > today:
        raise ValidationError(f"{label} cannot be in the future", field=field)
    return value


def _text(raw: object, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    return drafts.clean_text(raw, field=field, label=label, max_length=max_length, required=required)


def close_stale_checkout(invoice_id: int) -> bool:
    """After a change by hand to what an invoice owes (a payment recorded or removed, a credit
    note, void): its stored Checkout Session, made for the old balance, is expired at Stripe, so a
    client's tab left open on it cannot pay an amount the app would then refuse to record. The
    next Pay makes a session for the new balance. True when Stripe expired one."""
    from invoice_crm.integrations import stripe_gateway

    if not get_settings().stripe_enabled:
        return False
    with write_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None or not (invoice.stripe_session_id and invoice.stripe_link):
            return False
        still_good = InvoiceStatus(invoice.status) in OPEN and invoice.stripe_session_amount == invoice.balance_due
        if still_good:
            return False
        session_id = invoice.stripe_session_id
        invoice.stripe_link = None  # not offered again; its id stays, for a late webhook
        invoice.stripe_session_amount = None
    try:
        return stripe_gateway.expire_checkout_session(session_id)
    except IntegrationError as err:
        log.warning("Could not expire the Checkout session of invoice %s: %s", invoice_id, err.message)
        return False


def parse_method(raw: object) -> PaymentMethod:
    if raw is PaymentMethod.MANUAL:  # "mark as paid" from code (demo data): no method asked
        return raw
    text = str(raw.value if isinstance(raw, PaymentMethod) else raw or "").strip().upper().replace(" ", "_")
    try:
        method = PaymentMethod(text or PaymentMethod.BANK_TRANSFER.value)
    except ValueError:
        raise ValidationError("Choose a payment method from the list", field="method") from None
    if method not in MANUAL_METHODS:
        raise ValidationError("Choose a payment method from the list", field="method")
    return method


def settle(session: Session, invoice: Invoice, totals_now: totals.Totals) -> None:
    """Move the status by the balance: PAID at zero (paid_at the last payment's date, or
    today when credit settled it), back to SENT/OVERDUE when it reopens."""
    before = InvoiceStatus(invoice.status)
    after = lifecycle.status_after_balance(before, totals_now.balance_due, invoice.due_date, _today())
    if after is InvoiceStatus.PAID:
        last = session.execute(
            select(func.max(Payment.paid_on)).where(
                Payment.invoice_id == invoice.id, Payment.removed_at.is_(None)
            )
        ).scalar()
        if before is not InvoiceStatus.PAID or invoice.paid_at is None:
            invoice.paid_at = last or _today()
        elif last is not None:
            invoice.paid_at = last
        if before is not InvoiceStatus.PAID:
            _advance_lead(session, invoice, LeadStatus.PAID)
    else:
        invoice.paid_at = None
    invoice.status = after
    invoice.updated_at = utcnow()


def apply_payment(
    session: Session,
    invoice: Invoice,
    *,
    paid_on: date,
    method: PaymentMethod,
    reference: str,
    actor: str,
    amount: Decimal | None = None,
    stripe_payment_intent_id: str | None = None,
    stripe_session_id: str | None = None,
) -> Payment:
    """Inside a transaction: record a payment of ``amount`` (default: the balance), up to the
    balance; the invoice is PAID once the balance is zero."""
    status = InvoiceStatus(invoice.status)
    if lifecycle.credited_in_full(status, invoice.amount_paid):
        raise InvalidTransition("This invoice was credited in full; there is nothing to pay", field="status")
    if status not in OPEN:
        lifecycle.check_transition(status, InvoiceStatus.PAID)
    lines = figures.lines_of(session, invoice.id)  # a payment leaves them as they are
    before = figures.refresh_figures(session, invoice, lines)
    amount = before.balance_due if amount is None else amount
    if amount <= 0:
        raise ValidationError("Amount must be more than zero", field="amount")
    if totals.round_money(amount, invoice.currency) != amount:
        raise ValidationError(f"Amount has more decimals than {invoice.currency} allows", field="amount")
    if amount > before.balance_due:
        raise ValidationError(
            f"That is more than the balance due ({format_money(before.balance_due, invoice.currency)}); "
            "an overpayment is not recorded",
            field="amount",
        )
    payment = Payment(
        invoice_id=invoice.id,
        amount=amount,
        currency=invoice.currency,
        paid_on=paid_on,
        method=method,
        reference=reference,
        stripe_payment_intent_id=stripe_payment_intent_id,
        stripe_session_id=stripe_session_id,
    )
    session.add(payment)
    session.flush()
    invoice.version += 1
    after = figures.refresh_figures(session, invoice, lines)
    settle(session, invoice, after)
    detail = f"Payment of {money_mark(amount, invoice.currency)} on {date_mark(paid_on)}, {method.in_text}"
    if reference:
        detail += f", reference {reference}"
    if after.balance_due > 0:
        detail += f"; balance due {money_mark(after.balance_due, invoice.currency)}"
    log_event(session, invoice.id, "paid" if after.balance_due == 0 else "payment", actor, detail)
    enqueue_sheet_sync(session, invoice.id)
    return payment


def record_payment(
    invoice_id: int,
    amount: object = "",
    paid_on: object = None,
    method: object = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
    email_receipt: bool = False,
) -> Invoice:
    """The Record payment dialog: amount (blank: the balance), date (not in the future, not
    before the issue date), method, reference. An overpayment is refused; a repeated key
    (a second click, a replayed event) records nothing more. ``email_receipt``: the receipt
    email (PDF attached: what was received so far, and any balance still due) is queued in the
    same transaction, so it goes once with the payment or not at all."""
    paid_date = _past_date(paid_on, field="paid_on", label="Payment date")
    reference = _text(reference, field="reference", label="Reference", max_length=MAX_REFERENCE)
    chosen = parse_method(method)
    value = None if str(amount or "").strip() == "" else parse_amount(amount, field="amount")

    def work(session: Session) -> Invoice:
        invoice = _locked(session, invoice_id)
        check_payment_date(paid_date, invoice.issue_date, _today())
        if value is not None:
            check_minor_units(value, invoice.currency, field="amount", label="Amount")
        apply_payment(
            session, invoice, paid_on=paid_date, method=chosen, reference=reference, actor=actor, amount=value
        )
        if email_receipt:
            from invoice_crm.services.receipts import queue_receipt  # receipts -> delivery -> ledger

            session.flush()
            queue_receipt(session, invoice, actor)
        return invoice

    from invoice_crm.services.invoices import load_invoice

    invoice = idempotency.run_once(idempotency_key, "record_payment", work, lambda inv: inv.id, load_invoice)
    close_stale_checkout(invoice_id)
    return invoice


def remove_payment(payment_id: int, reason: str, actor: str = "system") -> Invoice:
    """Take back a manual payment recorded by mistake; the row stays, marked removed."""
    reason = _text(reason, field="reason", label="Reason", max_length=MAX_REASON, required=True)
    with write_session() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise NotFound("Payment not found", field="payment_id")
        invoice = _locked(session, payment.invoice_id)
        if payment.removed_at is not None:
            raise ValidationError("This payment was already removed", field="payment_id")
        if payment.method is PaymentMethod.STRIPE:
            raise ValidationError("A Stripe payment is reversed by a refund, not removed", field="payment_id")
        if InvoiceStatus(invoice.status) is InvoiceStatus.VOID:
            raise ValidationError("This invoice is void", field="status")
        payment.removed_at = utcnow()
        payment.removed_reason = reason
        session.flush()
        after = figures.refresh_figures(session, invoice)
        if after.paid < 0:  # the refunds recorded would be of money never received
            raise ValidationError(
                "This payment cannot be removed: the refunds recorded on this invoice would then be "
                f"{format_money(-after.paid, invoice.currency)} more than was paid",
                field="payment_id",
            )
        settle(session, invoice, after)
        log_event(
            session, invoice.id, "payment_removed", actor,
            f"Payment of {money_mark(payment.amount, payment.currency)} on {date_mark(payment.paid_on)} removed: {reason}; "
            f"balance due {money_mark(after.balance_due, invoice.currency)}",
        )
        enqueue_sheet_sync(session, invoice.id)
    close_stale_checkout(invoice.id)
    return invoice


@dataclass(frozen=True)
class VoidResult:
    invoice: Invoice
    expired_session: bool


def void_invoice(invoice_id: int, reason: str, actor: str = "system") -> VoidResult:
    """A sent or overdue invoice with no payments becomes VOID (final); then, after commit,
    its open Checkout Session is expired at Stripe so the client cannot pay it."""
    reason = _text(reason, field="void_reason", label="Reason", max_length=MAX_REASON, required=True)
    with write_session() as session:
        invoice = _locked(session, invoice_id)
        lifecycle.check_transition(invoice.status, InvoiceStatus.VOID)
        paid = session.execute(
            select(exists().where(Payment.invoice_id == invoice.id, Payment.removed_at.is_(None)))
        ).scalar()
        if paid:
            raise InvalidTransition(
                "An invoice with payments cannot be voided; issue a credit note instead", field="status"
            )
        # Its credit notes are issued documents that correct it: voiding it too would take the
        # same money off twice (a client's statement closing below zero).
        if session.execute(select(exists().where(CreditNote.invoice_id == invoice.id))).scalar():
            raise InvalidTransition(
                "An invoice with credit notes cannot be voided; credit what is left instead", field="status"
            )
        figures.refresh_figures(session, invoice)
        invoice.status = InvoiceStatus.VOID
        invoice.balance_due = ZERO
        invoice.voided_at = utcnow()
        invoice.void_reason = reason
        invoice.updated_at = invoice.voided_at
        log_event(session, invoice.id, "voided", actor, f"Voided: {reason}")
        enqueue_sheet_sync(session, invoice.id)
    return VoidResult(invoice, close_stale_checkout(invoice_id))  # void: nothing is payable any more


def void_and_duplicate(invoice_id: int, reason: str, actor: str = "system") -> Invoice:
    """Void, then a new draft with the same lines to re-issue."""
    from invoice_crm.services.invoices import duplicate_invoice

    void_invoice(invoice_id, reason, actor)
    return duplicate_invoice(invoice_id, actor)


def next_credit_note_number(session: Session, issued: date) -> str:
    fmt = get_settings().credit_note_number_format
    key = "CN:" + counter_key(fmt, issued)
    while True:
        value = session.execute(
            update(InvoiceCounter)
            .where(InvoiceCounter.key == key)
            .values(last_value=InvoiceCounter.last_value + 1)
            .returning(InvoiceCounter.last_value)
        ).scalar()
        if value is None:
            session.add(InvoiceCounter(key=key, last_value=1))
            session.flush()
            value = 1
        number = format_number(fmt, issued, value)
        if not session.execute(select(exists().where(CreditNote.number == number))).scalar():
            return number


def add_credit_note(
    session: Session,
    invoice: Invoice,
    amount: Decimal,
    *,
    reason: str,
    lines_text: str = "",
    issue_date: date,
    actor: str,
    stripe_refund_id: str | None = None,
    lines: list[LineItem] | None = None,
) -> CreditNote:
    """Inside a transaction: a numbered credit note of ``amount`` (up to what was invoiced
    less what was already credited); on a paid invoice the overpaid part is to refund.
    ``lines``: the invoice's lines when the caller has read them already."""
    if lines is None:
        lines = figures.lines_of(session, invoice.id)  # a credit note leaves them as they are
    before = figures.refresh_figures(session, invoice, lines)
    creditable = before.total - before.credited
    if amount <= 0:
        raise ValidationError("A credit note must be for more than zero", field="credit_amount")
    if amount > creditable:
        raise ValidationError(
            f"A credit note cannot be more than what is left to credit ({format_money(creditable, invoice.currency)})",
            field="credit_amount",
        )
    refund_due = max(-(before.balance - amount), ZERO) - max(-before.balance, ZERO)
    note = CreditNote(
        number=next_credit_note_number(session, issue_date),
        invoice_id=invoice.id,
        issue_date=issue_date,
        amount=amount,
        currency=invoice.currency,
        reason=reason,
        lines_text=lines_text,
        refund_due=refund_due,
        stripe_refund_id=stripe_refund_id,
    )
    session.add(note)
    session.flush()
    after = figures.refresh_figures(session, invoice, lines)
    if InvoiceStatus(invoice.status) in OPEN:
        settle(session, invoice, after)
    detail = f"Credit note {note.number} for {money_mark(amount, invoice.currency)}"
    if reason:
        detail += f": {reason}"
    if refund_due > 0 and not stripe_refund_id:
        # Said as of its issue: the refund, when it is recorded, has its own entry with what
        # is left (a Stripe refund's note comes with its refund, so there is nothing to add).
        detail += f"; {money_mark(refund_due, invoice.currency)} overpaid, to be refunded"
    log_event(session, invoice.id, "credit_note", actor, detail)
    enqueue_sheet_sync(session, invoice.id)
    return note


def issue_credit_note(
    invoice_id: int,
    *,
    amount: object = "",
    line_positions: list[int] | None = None,
    reason: str = "",
    actor: str = "system",
    idempotency_key: str | None = None,
    balance_seen: Decimal | None = None,
) -> CreditNote:
    """For a sent, overdue, partly paid or paid invoice: credit chosen lines (their share of
    the total, tax and discounts included; each line once, domain.credits) or an amount. A repeated key (a second click on
    Issue credit note, a replayed event) issues nothing more and gives the first note back.
    ``balance_seen``: the balance (total less paid and credited; below zero when overpaid) the
    dialog showed; an amount typed against another balance (a payment or a note in another tab
    since) is refused with the balance now, not issued on top of it."""
    reason = _text(reason, field="credit_reason", label="Reason", max_length=MAX_REASON)

    def work(session: Session) -> CreditNote:
        invoice = _locked(session, invoice_id)
        if InvoiceStatus(invoice.status) not in (*OPEN, InvoiceStatus.PAID):
            raise InvalidTransition("Credit notes are for sent, overdue or paid invoices", field="status")
        lines_text = ""
        lines = figures.lines_of(session, invoice.id)
        chosen: list[int] = []
        if line_positions:
            chosen = sorted({p for p in line_positions if 0 <= p < len(lines)})
            if not chosen:
                raise ValidationError("Choose at least one line", field="credit_lines")
            done = figures.credited_lines(session, invoice.id)
            again = [f"{lines[i].description} ({done[lines[i].id].number})" for i in chosen if lines[i].id in done]
            if again:
                # A stale dialog, or a second tab: a line is credited once.
                raise ValidationError(
                    "Already credited: " + ", ".join(again) + f". Untick {'them' if len(again) > 1 else 'it'} to credit the rest",
                    field="credit_lines",
                )
            before = [i for i, li in enumerate(lines) if li.id in done]
            value = figures.credit_of_lines(invoice, lines, chosen, before).amount
            lines_text = "\n".join(lines[i].description for i in chosen)
        else:
            value = parse_amount(amount, field="credit_amount", currency=invoice.currency)
            now = figures.invoice_totals(session, invoice, lines)
            if balance_seen is not None and now.balance != balance_seen:
                raise Conflict(
                    f"The balance due is now {format_money(now.balance_due, invoice.currency)}"
                    + (f" ({format_money(now.refund_due, invoice.currency)} to refund)" if now.refund_due else "")
                    + ": the invoice changed since this dialog opened. Check the amount and issue again",
                    field="credit_amount",
                )
        note = add_credit_note(
            session, invoice, value, reason=reason, lines_text=lines_text, issue_date=_today(), actor=actor,
            lines=lines,
        )
        session.add_all(CreditNoteLine(credit_note_id=note.id, line_item_id=lines[i].id) for i in chosen)
        session.flush()  # the unique line: two racing notes cannot both credit it
        return note

    note = idempotency.run_once(
        idempotency_key, "issue_credit_note", work, lambda note: note.id, lambda note_id: _get(CreditNote, note_id)
    )
    close_stale_checkout(invoice_id)
    return note


@dataclass(frozen=True)
class LinesCredit:
    """The Credit note dialog's figures: each line's credit alone, and the ticked lines' total,
    as money in the invoice currency and business locale (exactly what issuing would credit).
    A line credited already says by which note ("Credited (CN-2026-0002)"), is marked in
    ``credited`` and counts for nothing in the total."""

    per_line: list[str]
    total: str
    credited: list[bool]
    amount: Decimal = Decimal(0)  # the ticked lines' total as a number (0: none ticked)


def credit_by_lines(invoice_id: int, line_positions: list[int]) -> LinesCredit:
    """Before issuing: what a by-line credit note of ``line_positions`` would credit (computed
    as ``issue_credit_note`` computes it), and what each line alone would."""
    with read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("Invoice not found", field="invoice_id")
        lines = figures.lines_of(session, invoice.id)
        done = figures.credited_lines(session, invoice.id)
        before = [i for i, li in enumerate(lines) if li.id in done]
        chosen = sorted({p for p in line_positions if 0 <= p < len(lines)} - set(before))
        per_line = [
            f"Credited ({done[li.id].number})" if li.id in done
            else format_money(figures.credit_of_lines(invoice, lines, [i], before).amount, invoice.currency)
            for i, li in enumerate(lines)
        ]
        amount = figures.credit_of_lines(invoice, lines, chosen, before).amount if chosen else Decimal(0)
        total = format_money(amount, invoice.currency) if chosen else ""
    return LinesCredit(per_line, total, [li.id in done for li in lines], amount)


def _get(model, row_id: int | None):
    """The row a repeated form's first submission made."""
    with read_session() as session:
        return session.get(model, row_id)


def refund_text(session: Session, note: CreditNote, refund: Refund) -> str:
    """The activity entry of a refund (recorded by hand or made in Stripe), with what its
    credit note has left to refund once it is recorded: "Refunded $40.00 on Nov 27, 2026,
    bank transfer, reference R-1 against CN-2026-0001; $60.00 still to refund"."""
    text = f"Refunded {money_mark(refund.amount, refund.currency)} on {date_mark(refund.refunded_on)}, {refund.method.in_text}"
    if refund.reference:
        text += f", reference {refund.reference}"
    text += f" against {note.number}"
    left = figures.note_refunds(session, note).left
    if left > 0:
        return text + f"; {money_mark(left, note.currency)} still to refund"
    return text + ("; nothing left to refund" if note.refund_due > 0 else "")


def record_refund(
    credit_note_id: int,
    amount: object = "",
    refunded_on: object = None,
    method: object = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
) -> Refund:
    """Money given back by hand against a credit note (blank amount: what it has left to refund);
    a repeated key records nothing more."""
    when = _past_date(refunded_on, field="refunded_on", label="Refund date")
    reference = _text(reference, field="refund_reference", label="Reference", max_length=MAX_REFERENCE)
    chosen = parse_method(method)

    def work(session: Session) -> Refund:
        note = session.get(CreditNote, credit_note_id)
        if note is None:
            raise NotFound("Credit note not found", field="credit_note_id")
        invoice = _locked(session, note.invoice_id)
        left = figures.note_refunds(session, note).left
        value = left if str(amount or "").strip() == "" else parse_amount(amount, field="refund_amount", currency=note.currency)
        if value <= 0 or value > left:
            raise ValidationError(
                f"A refund against {note.number} can be at most {format_money(max(left, ZERO), note.currency)}",
                field="refund_amount",
            )
        refund = Refund(
            invoice_id=invoice.id, credit_note_id=note.id, amount=value, currency=note.currency,
            refunded_on=when, method=chosen, reference=reference,
        )
        session.add(refund)
        session.flush()
        figures.refresh_figures(session, invoice)
        log_event(session, invoice.id, "refund", actor, refund_text(session, note, refund))
        enqueue_sheet_sync(session, invoice.id)
        return refund

    return idempotency.run_once(idempotency_key, "record_refund", work, lambda refund: refund.id, lambda refund_id: _get(Refund, refund_id))
