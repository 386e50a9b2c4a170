"""Invoice actions: create and edit drafts, send, mark paid, duplicate, delete, overdue sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import drafts, lifecycle
from invoice_crm.domain.activity import date_mark, money_mark
from invoice_crm.domain.errors import Conflict, NotFound, Problems, ValidationError
from invoice_crm.domain.leads import LeadStatus, advance_to
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus
from invoice_crm.domain.money import normalize_currency
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import count_of, format_date, format_percent
from invoice_crm.models import (
    Client,
    Invoice,
    InvoiceEvent,
    Lead,
    LineItem,
    OutboxMessage,
    PaymentMethod,
    Project,
    TaxRate,
)
from invoice_crm.services import figures, idempotency
from invoice_crm.services.activity import (
    SHEET_TOPIC,
    enqueue_sheet_clear,
    enqueue_sheet_sync,
    enqueue_sheet_syncs,
    log_event,
)
from invoice_crm.services.business_settings import business_currency, business_timezone
from invoice_crm.services.numbering import next_invoice_number
from invoice_crm.settings import get_settings

MAX_REFERENCE = 200


@dataclass
class DraftInput:
    """What the invoice editor submits, as raw values; validated by ``parse``."""

    client_id: int | None
    issue_date: object
    due_date: object
    lines: list[dict] = field(default_factory=list)
    project_id: int | None = None
    currency: str | None = None
    notes: str = ""
    discount_kind: str = ""  # invoice discount: '', 'percent' or 'amount'
    discount_value: object = ""
    tax_inclusive: bool = False
    # The tax rates the editor worked the total out with (id -> rate, compound): a rate edited
    # in another tab since is refused, not saved at a total nobody saw. None: not checked.
    rates_shown: dict[int, tuple[Decimal, bool]] | None = None


@dataclass(frozen=True)
class _CleanDraft:
    client_id: int
    project_id: int | None
    issue_date: date
    due_date: date | None
    currency: str
    notes: str
    lines: list[drafts.LineInput]
    discount_kind: str = ""
    discount_value: Decimal = Decimal("0")
    tax_inclusive: bool = False
    taxes: dict = field(default_factory=dict)  # tax rate id -> TaxRate row


def _tax_rates(session: Session, lines: list[drafts.LineInput], shown: dict | None = None) -> dict:
    wanted = {i for line in lines for i in line.tax_ids}
    found = {}
    for tax_id in sorted(wanted):
        rate = session.get(TaxRate, tax_id)
        if rate is None:
            raise ValidationError("That tax rate no longer exists", field="lines")
        if shown is not None and tax_id in shown and shown[tax_id] != (rate.rate, bool(rate.compound)):
            index = next(i for i, line in enumerate(lines) if tax_id in line.tax_ids)
            raise ValidationError(
                f"{rate.name} is now {format_percent(rate.rate)}{' (compound)' if rate.compound else ''}, "
                "changed in another tab or window: check the total and save again",
                field=f"lines.{index}.taxes",
            )
        found[tax_id] = rate
    return found


def _line_rows(lines: list[drafts.LineInput], taxes: dict, invoice_id: int | None = None) -> list[LineItem]:
    rows = []
    for position, line in enumerate(lines):
        first = taxes[line.tax_ids[0]] if line.tax_ids else None
        second = taxes[line.tax_ids[1]] if len(line.tax_ids) > 1 else None
        rows.append(
            LineItem(
                invoice_id=invoice_id or 0,
                position=position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_kind=line.discount_kind,
                discount_value=line.discount_value,
                tax1_id=first.id if first else None,
                tax1_name=first.name if first else "",
                tax1_rate=first.rate if first else None,
                tax2_id=second.id if second else None,
                tax2_name=second.name if second else "",
                tax2_rate=second.rate if second else None,
                tax2_compound=bool(second and second.compound),
            )
        )
    return rows


def _parse(session: Session, data: DraftInput) -> _CleanDraft:
    """The draft as it will be stored; every refused field is named at once (``FieldErrors``)."""
    problems = Problems()
    if data.client_id is None:
        problems.found["client_id"] = "Choose a client"
    elif session.get(Client, data.client_id) is None:
        problems.found["client_id"] = CLIENT_DELETED
    elif data.project_id is not None:
        project = session.get(Project, data.project_id)
        if project is None or project.client_id != data.client_id:
            problems.found["project_id"] = "That project does not belong to this client"
    issue_date = problems.check(lambda: drafts.parse_date(data.issue_date, field="issue_date", label="Issue date"))
    due_date = problems.check(
        lambda: drafts.parse_date(data.due_date, field="due_date", label="Due date", required=False)
    )
    if issue_date is not None:
        problems.check(lambda: drafts.check_dates(issue_date, due_date))
    currency = problems.check(lambda: normalize_currency(data.currency or business_currency()))
    lines = problems.check(lambda: drafts.parse_lines(data.lines, currency), default=[])
    discount = problems.check(lambda: drafts.parse_discount(data.discount_kind, data.discount_value, field="discount"))
    notes = problems.check(lambda: drafts.clean_text(
        data.notes, field="notes", label="Notes", max_length=drafts.MAX_NOTES, required=False
    ))
    problems.raise_any()
    taxes = _tax_rates(session, lines, data.rates_shown)
    probe = Invoice(
        number="", client_id=data.client_id, issue_date=issue_date, currency=currency,
        tax_inclusive=bool(data.tax_inclusive), tax_rounding=get_settings().invoice_tax_rounding,
        **discount,
    )
    if figures.compute(probe, _line_rows(lines, taxes)).total > Decimal("999999999.99"):
        raise ValidationError("The invoice total is too large", field="lines")
    return _CleanDraft(
        client_id=data.client_id,
        project_id=data.project_id,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        notes=notes,
        lines=lines,
        discount_kind=discount["discount_kind"],
        discount_value=discount["discount_value"],
        tax_inclusive=bool(data.tax_inclusive),
        taxes=taxes,
    )


def _replace_lines(session: Session, invoice: Invoice, clean: _CleanDraft) -> None:
    session.execute(delete(LineItem).where(LineItem.invoice_id == invoice.id))
    invoice.discount_kind = clean.discount_kind
    invoice.discount_value = clean.discount_value
    invoice.tax_inclusive = clean.tax_inclusive
    invoice.tax_rounding = get_settings().invoice_tax_rounding
    rows = _line_rows(clean.lines, clean.taxes, invoice.id)
    session.add_all(rows)
    figures.refresh_figures(session, invoice, rows)


def _get(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id, with_for_update=session.bind.dialect.name != "sqlite")
    if invoice is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return invoice


def line_input(li: LineItem) -> dict:
    """A stored line as the editor submits it (for copies)."""
    return {
        "description": li.description,
        "quantity": li.quantity,
        "unit_price": li.unit_price,
        "discount_kind": li.discount_kind,
        "discount_value": li.discount_value,
        "tax_ids": [i for i in (li.tax1_id, li.tax2_id) if i is not None],
    }


def get_lines(session: Session, invoice_id: int) -> list[LineItem]:
    return list(
        session.execute(
            select(LineItem).where(LineItem.invoice_id == invoice_id).order_by(LineItem.position)
        ).scalars()
    )


def advance_lead(session: Session, invoice: Invoice, target: LeadStatus) -> None:
    """Move the invoice's lead along the pipeline. Paid only when every invoice billing the
    lead is paid: a lead with an open or overdue invoice stays INVOICED."""
    if invoice.lead_id is None:
        return
    lead = session.get(Lead, invoice.lead_id)
    if lead is None:
        return
    if target is LeadStatus.PAID:
        unpaid = session.execute(
            select(Invoice.id).where(
                Invoice.lead_id == lead.id,
                Invoice.id != invoice.id,
                Invoice.status.in_(OPEN),
            ).limit(1)
        ).first()
        if unpaid is not None:
            target = LeadStatus.INVOICED
    if target is LeadStatus.INVOICED and lead.status is LeadStatus.PAID:
        # New work billed for a lead that was paid: it is not all paid any more.
        lead.status = LeadStatus.INVOICED
        lead.updated_at = utcnow()
    elif advance_to(lead.status, target) != lead.status:
        lead.status = advance_to(lead.status, target)
        lead.updated_at = utcnow()


def _lead_for(session: Session, client_id: int, lead_id: int | None) -> int | None:
    """The lead a new draft bills: the one chosen, else the client's latest lead not yet paid."""
    if lead_id is not None:
        lead = session.get(Lead, lead_id)
        if lead is None or lead.client_id != client_id:
            raise ValidationError("That lead does not belong to this client", field="lead_id")
        return lead.id
    return session.execute(
        select(Lead.id)
        .where(Lead.client_id == client_id, Lead.status != LeadStatus.PAID)
        .order_by(Lead.id.desc())
        .limit(1)
    ).scalar()


def load_invoice(invoice_id: int | None) -> Invoice:
    with read_session() as session:
        invoice = session.get(Invoice, invoice_id) if invoice_id is not None else None
    if invoice is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return invoice


def create_invoice(
    data: DraftInput,
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
    lead_id: int | None = None,
    is_sample: bool = False,
) -> Invoice:
    """Create a draft. It takes no number (it gets one when sent); a repeated key returns
    the draft the first submission created."""
    return idempotency.run_once(
        idempotency_key, "create_invoice",
        lambda session: add_draft(session, data, actor, lead_id=lead_id, is_sample=is_sample),
        lambda inv: inv.id, load_invoice,
    )


def add_draft(
    session: Session, data: DraftInput, actor: str = "system", *, lead_id: int | None = None, is_sample: bool = False
) -> Invoice:
    """Inside a transaction: a new draft from the editor's values (``create_invoice``, and the
    recurring profiles that issue invoices in their own transaction)."""
    clean = _parse(session, data)
    invoice = Invoice(
        number=None,
        client_id=clean.client_id,
        project_id=clean.project_id,
        lead_id=_lead_for(session, clean.client_id, lead_id),
        issue_date=clean.issue_date,
        due_date=clean.due_date,
        currency=clean.currency,
        notes=clean.notes,
        status=InvoiceStatus.DRAFT,
        is_sample=is_sample,
    )
    session.add(invoice)
    session.flush()
    _replace_lines(session, invoice, clean)
    label = display_number(None, invoice.id)
    log_event(session, invoice.id, "created", actor, f"{label} created")
    enqueue_sheet_sync(session, invoice.id)
    return invoice


CHANGED_ELSEWHERE = "This draft was changed in another tab or window"
SENT_ELSEWHERE = "This draft was sent in another tab or window as {number}"
# A client chosen in a form, deleted (in another tab) before the form was saved.
CLIENT_DELETED = "This client was deleted in another tab or window: choose another"
DELETED_ELSEWHERE = "This draft was deleted in another tab or window"


def update_draft(
    invoice_id: int,
    data: DraftInput,
    actor: str = "system",
    *,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> Invoice:
    """Save a draft. With ``expected_version`` (the version the editor loaded), a save based
    on an older version is refused: nothing is overwritten unseen; so is a save of a draft
    deleted since it was loaded (its id is never given to another invoice)."""

    def work(session: Session) -> Invoice:
        try:
            invoice = _get(session, invoice_id)
        except NotFound:
            if expected_version is None:
                raise
            raise Conflict(f"{DELETED_ELSEWHERE}.", field="version") from None
        if expected_version is not None and InvoiceStatus(invoice.status) is not InvoiceStatus.DRAFT:
            # The editor's draft was sent meanwhile: a conflict, said with what it became.
            raise Conflict(
                SENT_ELSEWHERE.format(number=display_number(invoice.number, invoice.id))
                + ". Reload it to see it (Duplicate makes a new draft of it).",
                field="version",
            )
        lifecycle.ensure_editable(invoice.status)
        if expected_version is not None and invoice.version != expected_version:
            raise Conflict(f"{CHANGED_ELSEWHERE}. Reload it to see the changes.", field="version")
        clean = _parse(session, data)
        before = invoice.amount
        invoice.client_id = clean.client_id
        invoice.project_id = clean.project_id
        invoice.issue_date = clean.issue_date
        invoice.due_date = clean.due_date
        invoice.currency = clean.currency
        invoice.notes = clean.notes
        _replace_lines(session, invoice, clean)
        invoice.version += 1
        invoice.updated_at = utcnow()
        detail = f"Draft saved, {count_of(len(clean.lines), 'line', 'lines')}"
        if before != invoice.amount:
            detail += f", total {money_mark(before, invoice.currency)} → {money_mark(invoice.amount, invoice.currency)}"
        log_event(session, invoice.id, "edited", actor, detail)
        enqueue_sheet_sync(session, invoice.id)
        return invoice

    return idempotency.run_once(idempotency_key, "update_draft", work, lambda inv: inv.id, load_invoice)


def send_invoice(
    invoice_id: int,
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
    new_due_date: date | None = None,
    refuse_past_due: bool = False,
) -> Invoice:
    """DRAFT -> SENT. The Stripe link, if any, is made by ``payments.prepare_checkout``."""
    return idempotency.run_once(
        idempotency_key,
        "send",
        lambda session: mark_sent(
            session, invoice_id, actor, new_due_date=new_due_date, refuse_past_due=refuse_past_due
        ),
        lambda inv: inv.id,
        load_invoice,
    )


PAST_DUE = "The due date {due} has passed: sent as it is, the invoice would be overdue at once"


def check_due_date_at_send(
    due_date: date | None, new_due_date: date | None, today: date, *, refuse_past_due: bool
) -> date | None:
    """The due date an invoice is sent with. The Send dialog warns when it has passed and
    offers a new one (today plus the terms); it passes ``refuse_past_due`` unless the
    freelancer chose to keep the old date, so a draft never turns overdue silently."""
    if new_due_date is not None:
        if new_due_date < today:
            raise ValidationError("The new due date cannot be in the past", field="due_date")
        return new_due_date
    if refuse_past_due and due_date is not None and due_date < today:
        raise ValidationError(PAST_DUE.format(due=format_date(due_date)), field="due_date")
    return due_date


def mark_sent(
    session: Session,
    invoice_id: int,
    actor: str,
    *,
    new_due_date: date | None = None,
    refuse_past_due: bool = False,
) -> Invoice:
    """Inside a transaction: DRAFT -> SENT with the send rules; the invoice takes the next
    number of the sequence here (so only sent invoices hold numbers, without gaps); log it,
    queue the sheet row. ``send_invoice`` and ``delivery.send_invoice_by_email`` both go through here."""
    invoice = _get(session, invoice_id)
    lifecycle.check_transition(invoice.status, InvoiceStatus.SENT)
    lines = get_lines(session, invoice.id)
    totals = figures.refresh_figures(session, invoice, lines)
    today = lifecycle.business_today(business_timezone())
    lifecycle.ensure_sendable(
        client_id=invoice.client_id,
        due_date=invoice.due_date or new_due_date,
        line_totals=[line.net for line in totals.lines] if totals.total > 0 else [],
    )
    moved_from = invoice.due_date
    invoice.due_date = check_due_date_at_send(
        invoice.due_date, new_due_date, today, refuse_past_due=refuse_past_due
    )
    if invoice.number is None:
        invoice.number = next_invoice_number(session, today)
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = utcnow()
    invoice.updated_at = invoice.sent_at
    invoice.version += 1
    advance_lead(session, invoice, LeadStatus.INVOICED)
    if moved_from != invoice.due_date:
        moved = f"moved from {date_mark(moved_from)} to" if moved_from else "set to"
        log_event(session, invoice.id, "due_moved", actor, f"Due date {moved} {date_mark(invoice.due_date)} at sending")
    log_event(session, invoice.id, "sent", actor, f"Sent as {invoice.number}, {money_mark(invoice.amount, invoice.currency)} due {date_mark(invoice.due_date)}")
    enqueue_sheet_sync(session, invoice.id)
    session.flush()
    return invoice


def mark_paid(
    invoice_id: int,
    paid_on: object = None,
    reference: str = "",
    actor: str = "system",
    *,
    idempotency_key: str | None = None,
) -> Invoice:
    """A manual payment of the whole balance, once per key (see ``ledger.record_payment``)."""
    from invoice_crm.services.ledger import record_payment

    return record_payment(
        invoice_id, "", paid_on, PaymentMethod.MANUAL, reference, actor, idempotency_key=idempotency_key
    )


def duplicate_as_input(invoice_id: int) -> DraftInput:
    """What Duplicate opens in the editor (not saved until the user saves): the same client,
    project, lines and payment terms, dated today. Cancelling leaves nothing behind."""
    with read_session() as session:
        source = session.get(Invoice, invoice_id)
        if source is None:
            raise NotFound("Invoice not found", field="invoice_id")
        lines = get_lines(session, invoice_id)
    today = lifecycle.business_today(business_timezone())
    term = (source.due_date - source.issue_date) if source.due_date else None
    return DraftInput(
        client_id=source.client_id,
        project_id=source.project_id,
        issue_date=today,
        due_date=(today + term) if term is not None else None,
        currency=source.currency,
        notes=source.notes,
        lines=[line_input(li) for li in lines],
        discount_kind=source.discount_kind,
        discount_value=source.discount_value,
        tax_inclusive=source.tax_inclusive,
    )


def duplicate_invoice(invoice_id: int, actor: str = "system", *, idempotency_key: str | None = None) -> Invoice:
    """A new draft copied from an invoice, saved at once (services and tests; the page's
    Duplicate opens an unsaved editor instead)."""
    data = duplicate_as_input(invoice_id)
    copy = create_invoice(data, actor, idempotency_key=idempotency_key)
    with write_session() as session:
        log_event(session, copy.id, "duplicated", actor, f"Copied from invoice {invoice_id}")
    return copy


def delete_draft(invoice_id: int, actor: str = "system") -> str:
    """Drafts only: a sent invoice is a record and stays. A draft holds no number, so nothing
    is freed in the sequence. Returns what the draft was called."""
    with write_session() as session:
        invoice = _get(session, invoice_id)
        if invoice.status is not InvoiceStatus.DRAFT:
            raise ValidationError(
                f"Only drafts can be deleted; this invoice is {InvoiceStatus(invoice.status).label.lower()}",
                field="status",
            )
        label = display_number(invoice.number, invoice.id)
        session.execute(delete(LineItem).where(LineItem.invoice_id == invoice_id))
        session.execute(delete(InvoiceEvent).where(InvoiceEvent.invoice_id == invoice_id))
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.invoice_id == invoice_id, OutboxMessage.topic == SHEET_TOPIC
            )
        )
        # Queued even before the row was first written: a delivery in flight may be adding it.
        enqueue_sheet_clear(session, label)
        session.delete(invoice)
        return label


def sweep_overdue(today: date | None = None) -> int:
    """Turn every SENT invoice past its due date OVERDUE in one statement; log each.

    Idempotent: a second run finds nothing to change.
    """
    today = today or lifecycle.business_today(business_timezone())
    due = (Invoice.status == InvoiceStatus.SENT) & (Invoice.due_date < today)
    # Usually nothing is due: look first, so page loads take no write lock for nothing.
    with read_session() as session:
        if session.execute(select(Invoice.id).where(due).limit(1)).first() is None:
            return 0
    now = utcnow()
    with write_session() as session:
        ids = list(
            session.execute(
                update(Invoice)
                .where(due)
                .values(status=InvoiceStatus.OVERDUE, updated_at=now)
                .returning(Invoice.id)
            ).scalars()
        )
        if ids:
            session.execute(
                insert(InvoiceEvent),
                [
                    {
                        "invoice_id": i,
                        "kind": "overdue",
                        "actor": "system",
                        "details": f"Past due date; overdue as of {date_mark(today)}",
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            enqueue_sheet_syncs(session, ids)
        return len(ids)
