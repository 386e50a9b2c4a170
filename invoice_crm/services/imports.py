"""Import clients, and past invoices with their lines and payments, from CSV files.

``preview`` reads the file with a column mapping and reports every row's errors, importing
nothing. ``run_import`` checks again inside its one transaction and imports either every row
(refused, nothing stored, while any row has an error) or only the valid rows (the others come
back as a CSV of rejected rows). Each imported client and invoice leaves an
``ImportFingerprint`` keyed by its content key (client: email, else name; invoice: number), so
importing the same file again creates nothing twice. Imported invoices keep their numbers,
are marked ``imported``, get their figures from the one total function, their payments
through the ledger, and their status from those payments and the due date; an imported number
of the current format moves the numbering on (``numbering.continue_after``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain import drafts, lifecycle, numbers
from invoice_crm.domain import imports as fmt
from invoice_crm.domain.errors import FieldErrors, Problems, ValidationError
from invoice_crm.domain.imports import Column, RowError, Table
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import (
    format_money,
    normalize_currency,
    parse_amount,
    parse_quantity,
    parse_unit_price,
)
from invoice_crm.domain.totals import round_money
from invoice_crm.models import Client, ImportFingerprint, Invoice, LineItem, PaymentMethod
from invoice_crm.services import figures, ledger, numbering
from invoice_crm.services.activity import enqueue_sheet_sync, log_event
from invoice_crm.services.business_settings import current_business
from invoice_crm.services.clients import client_fields
from invoice_crm.services.tax_rates import RATE
from invoice_crm.settings import get_settings

Progress = Callable[[int, int], None]
ACTOR = "import"
INVOICE_LEVEL = ("client_name", "client_email", "issue_date", "due_date", "currency")


@dataclass
class Checked:
    """What a file would import: the valid items, rows already imported, and every error."""

    table: Table
    items: list = field(default_factory=list)  # _ClientItem / _InvoiceItem, valid and new
    skipped: int = 0  # items already in the app (imported before, or the same client)
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row > 1})

    @property
    def mapping_ok(self) -> bool:
        return not any(e.row == 1 for e in self.errors)


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int
    rejected_rows: int
    rejected_csv: str  # "" when nothing was rejected


@dataclass
class _ClientItem:
    rows: list[int]
    key: str
    digest: str
    fields: dict


@dataclass
class _Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_name: str
    tax_rate: Decimal | None


@dataclass
class _Payment:
    row: int
    amount: Decimal
    paid_on: date
    method: PaymentMethod
    reference: str


@dataclass
class _InvoiceItem:
    rows: list[int]
    number: str
    digest: str
    client: dict
    issue_date: date
    due_date: date
    currency: str
    lines: list[_Line] = field(default_factory=list)
    payments: list[_Payment] = field(default_factory=list)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _err(errors: list[RowError], columns: tuple[Column, ...], row: int, exc: ValidationError) -> None:
    """The row's problems, one line each (every refused field of the row, not only the first)."""
    labels = {c.key: c.label for c in columns}
    found = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "": exc.message}
    for field_name, message in found.items():
        errors.append(RowError(row, labels.get(field_name, "Row"), message))


def template(kind: str) -> str:
    return fmt.template_csv(kind)


def read(kind: str, content: bytes) -> tuple[Table, dict[str, str]]:
    """The file's table and the mapping found from its headers (``ValidationError`` for a
    file that cannot be read)."""
    columns = fmt.columns_of(kind)
    table = fmt.read_csv(content)
    return table, fmt.auto_mapping(columns, table.headers)


def preview(kind: str, content: bytes, mapping: dict[str, str]) -> Checked:
    """Every row checked against the rules and the database; nothing is stored."""
    with read_session() as session:
        return _check(session, kind, content, mapping)


def run_import(
    kind: str, content: bytes, mapping: dict[str, str], *, only_valid: bool, progress: Progress | None = None
) -> ImportResult:
    """One transaction. ``only_valid=False``: all or nothing (refused while any row has an
    error). ``only_valid=True``: the valid rows; the rejected ones come back as CSV."""
    try:
        return _run_import(kind, content, mapping, only_valid=only_valid, progress=progress)
    except IntegrityError:  # a second import of the same rows committed first (unique keys)
        raise ValidationError(
            "Another import stored some of these rows at the same time; nothing was imported here. "
            "Upload the file again to see what is left", field="file",
        ) from None


def _run_import(
    kind: str, content: bytes, mapping: dict[str, str], *, only_valid: bool, progress: Progress | None
) -> ImportResult:
    with write_session() as session:
        checked = _check(session, kind, content, mapping)
        if not checked.mapping_ok:
            raise ValidationError(checked.errors[0].message, field="mapping")
        if checked.errors and not only_valid:
            count = len(checked.error_rows)
            raise ValidationError(
                f"Nothing imported: {count} row{'s' if count != 1 else ''} ha{'ve' if count != 1 else 's'} errors",
                field="file",
            )
        total = len(checked.items)
        store = _store_client if kind == "clients" else _store_invoice
        for done, item in enumerate(checked.items, start=1):
            store(session, item)
            if progress is not None:
                progress(done, total)
            if done % 100 == 0:  # keep the session small: what is stored is not read again
                session.flush()
                session.expunge_all()
        if kind == "invoices":
            numbering.continue_after(session, [item.number for item in checked.items])
    rejected = fmt.rejected_rows_csv(checked.table, checked.errors) if checked.errors else ""
    return ImportResult(total, checked.skipped, len(checked.error_rows), rejected)


# --- checking ---------------------------------------------------------------------------


def _check(session: Session, kind: str, content: bytes, mapping: dict[str, str]) -> Checked:
    columns = fmt.columns_of(kind)
    table = fmt.read_csv(content)
    checked = Checked(table)
    checked.errors = fmt.check_mapping(columns, table.headers, mapping)
    if checked.errors:
        return checked
    rows = fmt.mapped_rows(table, mapping)
    if kind == "clients":
        _check_clients(session, rows, checked)
    else:
        _check_invoices(session, rows, checked)
    checked.errors.sort(key=lambda e: e.row)
    return checked


def _fingerprints(session: Session, kind: str) -> dict[str, str]:
    return dict(session.execute(
        select(ImportFingerprint.natural_key, ImportFingerprint.digest).where(ImportFingerprint.kind == kind)
    ).all())


def client_key(name: str, email: str) -> str:
    return f"email:{email.casefold()}" if email else f"name:{' '.join(name.split()).casefold()}"


def _existing_client_keys(session: Session) -> set[str]:
    keys = set()
    for name, email in session.execute(select(Client.name, Client.email)).all():
        keys.add(client_key(name, email))
        keys.add(client_key(name, ""))  # a row without email matches a client by name
    return keys


def _check_clients(session: Session, rows: list[dict[str, str]], checked: Checked) -> None:
    existing = _existing_client_keys(session) | set(_fingerprints(session, "client"))
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows):
        row = checked.table.row_number(index)
        try:
            fields = client_fields(raw.get("name", ""), raw.get("email", ""), raw.get("company", ""),
                                    raw.get("address", ""), raw.get("tax_number", ""))
        except ValidationError as exc:
            _err(checked.errors, fmt.CLIENT_COLUMNS, row, exc)
            continue
        key = client_key(fields["name"], fields["email"])
        if key in seen:
            checked.errors.append(RowError(row, "Email" if fields["email"] else "Name",
                                           f"The same client as row {seen[key]}"))
            continue
        seen[key] = row
        if key in existing:
            checked.skipped += 1
            continue
        checked.items.append(_ClientItem([row], key, _digest(fields), fields))


def _row_invoice(raw: dict[str, str], row: int, default_currency: str, today: date) -> tuple[dict, _Line | None, _Payment | None]:
    """One invoice row's own values; ``FieldErrors`` naming every column at fault."""
    problems = Problems()
    number = problems.check(lambda: _invoice_number(raw))
    fields = problems.check(lambda: _invoice_client(raw))
    issue = problems.check(lambda: fmt.parse_date(raw.get("issue_date", ""), field="issue_date", label="Issue date", required=True))
    due = problems.check(lambda: fmt.parse_date(raw.get("due_date", ""), field="due_date", label="Due date", required=True))
    currency = problems.check(lambda: normalize_currency(raw.get("currency") or default_currency))
    if issue is not None and due is not None:
        problems.check(lambda: drafts.check_dates(issue, due))
    if issue is not None and issue > today:
        problems.found.setdefault("issue_date", "Issue date is in the future: only past invoices are imported")
    line = problems.check(lambda: _invoice_line(raw, currency)) if currency is not None else None
    payment = problems.check(lambda: _invoice_payment(raw, row, currency, issue, today)) if currency is not None else None
    problems.raise_any()
    if line is None and payment is None:
        raise ValidationError("A row needs a line (description and unit price) or a payment", field="description")
    head = {
        "number": number, "client_name": fields["name"], "client_email": fields["email"],
        "issue_date": issue, "due_date": due, "currency": currency,
    }
    return head, line, payment


def _invoice_number(raw: dict[str, str]) -> str:
    number = drafts.clean_text(raw.get("invoice_number"), field="invoice_number", label="Invoice number",
                               max_length=64, required=True)
    if "\n" in number:
        raise ValidationError("Invoice number must be a single line", field="invoice_number")
    return number


def _invoice_client(raw: dict[str, str]) -> dict:
    try:
        return client_fields(raw.get("client_name", ""), raw.get("client_email", ""), "", "")
    except FieldErrors as exc:
        raise FieldErrors({
            f"client_{field_name}": message.replace("Name", "Client name").replace("Email", "Client email")
            for field_name, message in exc.errors.items()
        }) from None
    except ValidationError as exc:
        raise ValidationError(exc.message.replace("Name", "Client name").replace("Email", "Client email"),
                              field=f"client_{exc.field}") from None


def _invoice_line(raw: dict[str, str], currency: str) -> _Line | None:
    description = drafts.clean_text(raw.get("description"), field="description", label="Description",
                                    max_length=500, required=False)
    if not (description or (raw.get("unit_price") or "").strip()):
        return None
    problems = Problems()
    if not description:
        problems.found["description"] = "Description is required on a line"
    quantity_text = (raw.get("quantity") or "").strip() or "1"
    rate_text = (raw.get("tax_rate") or "").strip()
    rate = problems.check(lambda: numbers.parse_number(rate_text, RATE, field="tax_rate")) if rate_text else None
    tax_name = problems.check(
        lambda: drafts.clean_text(raw.get("tax_name"), field="tax_name", label="Tax name", max_length=64, required=False)
    )
    if tax_name and rate is None and not rate_text:
        problems.found.setdefault("tax_rate", "Give the tax rate for this tax")
    quantity = problems.check(lambda: parse_quantity(quantity_text, field="quantity"))
    unit_price = problems.check(
        lambda: parse_unit_price((raw.get("unit_price") or "").strip(), field="unit_price", currency=currency)
    )
    problems.raise_any()
    return _Line(
        description=description, quantity=quantity, unit_price=unit_price,
        tax_name=(tax_name or "Tax") if rate is not None else "", tax_rate=rate,
    )


def _invoice_payment(raw: dict[str, str], row: int, currency: str, issue: date | None, today: date) -> _Payment | None:
    amount_text = (raw.get("payment_amount") or "").strip()
    if not amount_text:
        if (raw.get("payment_date") or "").strip():
            raise ValidationError("Give the payment amount for this payment date", field="payment_amount")
        return None
    problems = Problems()
    amount = problems.check(lambda: parse_amount(amount_text, field="payment_amount", currency=currency))
    if amount is not None and round_money(amount, currency) != amount:
        problems.found["payment_amount"] = f"Payment amount has more decimals than {currency} allows"
    paid_on = problems.check(
        lambda: fmt.parse_date(raw.get("payment_date", ""), field="payment_date", label="Payment date", required=True)
    )
    if paid_on is not None and issue is not None:
        try:
            ledger.check_payment_date(paid_on, issue, today)
        except ValidationError as exc:
            problems.found.setdefault("payment_date", exc.message)
    try:
        method = ledger.parse_method(raw.get("payment_method", ""))
    except ValidationError:
        method = None
        problems.found["payment_method"] = "Payment method must be Bank transfer, Cash, Cheque, Card or Other"
    reference = problems.check(lambda: drafts.clean_text(
        raw.get("payment_reference"), field="payment_reference", label="Payment reference",
        max_length=ledger.MAX_REFERENCE, required=False,
    ))
    problems.raise_any()
    return _Payment(row, amount, paid_on, method, reference)


def _check_invoices(session: Session, rows: list[dict[str, str]], checked: Checked) -> None:
    business = current_business(session)
    today = lifecycle.business_today(business.timezone)
    default_currency = business.currency
    labels = {c.key: c.label for c in fmt.INVOICE_COLUMNS}
    groups: dict[str, _InvoiceItem] = {}
    bad: dict[str, list[int]] = {}  # invoice number -> its rows, when one of them has an error
    for index, raw in enumerate(rows):
        row = checked.table.row_number(index)
        number = (raw.get("invoice_number") or "").strip()
        try:
            head, line, payment = _row_invoice(raw, row, default_currency, today)
        except ValidationError as exc:
            _err(checked.errors, fmt.INVOICE_COLUMNS, row, exc)
            if number:
                bad.setdefault(number, []).append(row)
            continue
        item = groups.get(head["number"])
        if item is None:
            item = groups[head["number"]] = _InvoiceItem(
                [], head["number"], "", {"name": head["client_name"], "email": head["client_email"]},
                head["issue_date"], head["due_date"], head["currency"],
            )
            first = row
        else:
            first = item.rows[0] if item.rows else row
            current = {"client_name": item.client["name"], "client_email": item.client["email"],
                       "issue_date": item.issue_date, "due_date": item.due_date, "currency": item.currency}
            differs = [k for k in INVOICE_LEVEL if current[k] != head[k]]
            if differs:
                checked.errors.append(RowError(row, labels[differs[0]],
                                               f"Differs from row {first} of invoice {head['number']}"))
                bad.setdefault(head["number"], []).append(row)
                continue
        item.rows.append(row)
        if line is not None:
            item.lines.append(line)
        if payment is not None:
            item.payments.append(payment)
    taken = dict(session.execute(select(Invoice.number, Invoice.imported).where(Invoice.number.in_(list(groups)))).all()) if groups else {}
    imported_before = _fingerprints(session, "invoice")
    for number, item in groups.items():
        first = item.rows[0] if item.rows else 0
        if number in bad:
            # One bad row rejects its whole invoice: its other rows are rejected with it.
            for row in item.rows:
                checked.errors.append(RowError(row, "Invoice number", f"Invoice {number} has an error on row {bad[number][0]}"))
            continue
        if not item.lines:
            for row in item.rows:
                checked.errors.append(RowError(row, "Description", f"Invoice {number} has no line (a description and unit price)"))
            continue
        item.digest = _digest([item.client, item.issue_date, item.due_date, item.currency,
                               [vars(li) for li in item.lines],
                               [[p.amount, p.paid_on, p.method.value, p.reference] for p in item.payments]])
        if number in imported_before:
            if imported_before[number] == item.digest:
                checked.skipped += 1
                continue
            for row in item.rows:
                checked.errors.append(RowError(row, "Invoice number", f"Invoice {number} was imported before with other content"))
            continue
        if number in taken:
            for row in item.rows:
                checked.errors.append(RowError(row, "Invoice number", f"The number {number} is already used by an invoice in the app"))
            continue
        probe = Invoice(number=number, client_id=0, issue_date=item.issue_date, currency=item.currency,
                        tax_rounding=get_settings().invoice_tax_rounding)
        try:
            totals = figures.compute(probe, [_line_row(li, 0, 0) for li in item.lines])
        except ValidationError as exc:
            checked.errors.append(RowError(first, "Row", exc.message))
            continue
        if totals.total <= 0 or totals.total > Decimal("999999999.99"):
            checked.errors.append(RowError(first, "Unit price", "The invoice total must be more than zero and at most 999,999,999.99"))
            continue
        paid = sum((p.amount for p in item.payments), Decimal("0"))
        if paid > totals.total:
            row = item.payments[-1].row
            checked.errors.append(RowError(row, "Payment amount",
                                           f"Payments of invoice {number} add up to {format_money(paid, item.currency)}, "
                                           f"more than its total {format_money(totals.total, item.currency)}"))
            continue
        checked.items.append(item)


# --- storing ----------------------------------------------------------------------------


def _line_row(line: _Line, invoice_id: int, position: int) -> LineItem:
    return LineItem(
        invoice_id=invoice_id, position=position, description=line.description,
        quantity=line.quantity, unit_price=line.unit_price,
        tax1_name=line.tax_name, tax1_rate=line.tax_rate,
    )


def _remember(session: Session, kind: str, key: str, digest: str, result_id: int) -> None:
    session.add(ImportFingerprint(kind=kind, natural_key=key, digest=digest, result_id=result_id, created_at=utcnow()))


def _store_client(session: Session, item: _ClientItem) -> Client:
    client = Client(**item.fields)
    session.add(client)
    session.flush()
    _remember(session, "client", item.key, item.digest, client.id)
    return client


def _find_or_make_client(session: Session, name: str, email: str) -> Client:
    if email:
        found = session.execute(
            select(Client).where(func.lower(Client.email) == email.casefold()).order_by(Client.id).limit(1)
        ).scalar_one_or_none()
        if found is not None:
            return found
    else:
        wanted = " ".join(name.split()).casefold()
        for client in session.execute(select(Client).where(func.lower(Client.name) == name.lower()).order_by(Client.id)).scalars():
            if " ".join(client.name.split()).casefold() == wanted:
                return client
    client = Client(name=name, email=email)
    session.add(client)
    session.flush()
    key = client_key(name, email)
    known = session.execute(
        select(ImportFingerprint.id).where(ImportFingerprint.kind == "client", ImportFingerprint.natural_key == key)
    ).first()
    if known is None:  # (a client imported before and renamed since keeps its first key)
        _remember(session, "client", key, _digest({"name": name, "email": email}), client.id)
    return client


def _store_invoice(session: Session, item: _InvoiceItem) -> Invoice:
    client = _find_or_make_client(session, item.client["name"], item.client["email"])
    sent_at = datetime.combine(item.issue_date, time(12), tzinfo=UTC)
    invoice = Invoice(
        number=item.number, client_id=client.id, currency=item.currency, status=InvoiceStatus.SENT,
        issue_date=item.issue_date, due_date=item.due_date, sent_at=sent_at, imported=True, imported_at=utcnow(),
        tax_rounding=get_settings().invoice_tax_rounding, created_at=sent_at, updated_at=utcnow(),
    )
    session.add(invoice)
    session.flush()
    lines = [_line_row(line, invoice.id, position) for position, line in enumerate(item.lines)]
    session.add_all(lines)
    session.flush()
    totals = figures.refresh_figures(session, invoice, lines)
    log_event(session, invoice.id, "imported", ACTOR, f"Imported as {item.number} from a CSV file")
    for payment in sorted(item.payments, key=lambda p: p.paid_on):
        ledger.apply_payment(session, invoice, paid_on=payment.paid_on, method=payment.method,
                             reference=payment.reference, actor=ACTOR, amount=payment.amount)
    if not item.payments:
        today = lifecycle.business_today(current_business(session).timezone)
        invoice.status = lifecycle.status_after_balance(InvoiceStatus.SENT, totals.balance_due, invoice.due_date, today)
        enqueue_sheet_sync(session, invoice.id)
    _remember(session, "invoice", item.number, item.digest, invoice.id)
    return invoice
