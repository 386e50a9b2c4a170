"""Validation of what a user types into an invoice draft: lines, dates, text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import line_total, parse_quantity, parse_unit_price
from invoice_crm.domain.numbers import NumberField, parse_number
from invoice_crm.domain.text import clean_text

MAX_DESCRIPTION = 500
MAX_NOTES = 5000
MAX_LINES = 200
MAX_TERM_DAYS = 3650


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_kind: str = ""  # '', 'percent' or 'amount'
    discount_value: Decimal = Decimal("0")
    tax_ids: tuple[int, ...] = ()  # up to two catalogue tax rates, in order

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.unit_price)


def as_id(text: object) -> int | None:
    """A database id as a tab sends it: ASCII digits of a size an id can have (PostgreSQL's
    integer), else None."""
    raw = str(text if text is not None else "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def parse_line(raw: dict, index: int, currency: str | None = None) -> LineInput:
    """One line from raw form values; ``field`` names it like ``lines.2.quantity``. With the
    invoice's ``currency``, a price it cannot bill exactly (999.50 JPY) is refused."""
    prefix = f"lines.{index}"
    return LineInput(
        description=clean_text(
            raw.get("description"),
            field=f"{prefix}.description",
            label="Description",
            max_length=MAX_DESCRIPTION,
            required=True,
        ),
        quantity=parse_quantity(raw.get("quantity"), field=f"{prefix}.quantity"),
        unit_price=parse_unit_price(raw.get("unit_price"), field=f"{prefix}.unit_price", currency=currency),
        **parse_discount(raw.get("discount_kind"), raw.get("discount_value"), field=f"{prefix}.discount"),
        tax_ids=parse_tax_ids(
            raw.get("tax_ids") if "tax_ids" in raw else [raw.get("tax1"), raw.get("tax2")], field=f"{prefix}.taxes"
        ),
    )


DISCOUNT_PERCENT = NumberField("Discount", 2, Decimal("0"), Decimal("100"))
DISCOUNT_AMOUNT = NumberField("Discount", 2, Decimal("0"), Decimal("999999999.99"))


def parse_discount(kind: object, value: object, *, field: str) -> dict:
    """A discount as typed: kind '' / 'percent' / 'amount' and a value (percent up to 100)."""
    kind = str(kind or "").strip().lower()
    if kind not in ("", "percent", "amount"):
        raise ValidationError("Discount must be a percent or an amount", field=field)
    text = str(value if value is not None else "").strip()
    if not kind or text in ("", "0"):
        return {"discount_kind": "", "discount_value": Decimal("0")}
    number = parse_number(value if isinstance(value, Decimal) else text,
                          DISCOUNT_PERCENT if kind == "percent" else DISCOUNT_AMOUNT, field=field)
    return {"discount_kind": kind if number > 0 else "", "discount_value": number}


def parse_tax_ids(raw: object, *, field: str) -> tuple[int, ...]:
    """Up to two distinct tax rate ids; blanks are skipped."""
    values = raw if isinstance(raw, list | tuple) else ([raw] if raw not in (None, "") else [])
    ids: list[int] = []
    for value in values:
        text = str(value or "").strip()
        if not text:
            continue
        if not text.isdigit():
            raise ValidationError("Choose a tax from the list", field=field)
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) > 2:
        raise ValidationError("A line can carry at most two taxes", field=field)
    return tuple(ids)
# What a new line holds before anyone types in it (the editor fills in a quantity of 1).
BLANK_QUANTITIES = ("", "1")


def is_blank_line(raw: dict) -> bool:
    """A line nobody filled in: no description, no price, the quantity left as it came
    (as typed, or already read as the number 1)."""
    quantity = raw.get("quantity")
    untouched = quantity == 1 if isinstance(quantity, Decimal) else str(quantity or "").strip() in BLANK_QUANTITIES
    return untouched and not str(raw.get("description") or "").strip() and not str(raw.get("unit_price") or "").strip()


def parse_lines(raw_lines: list[dict], currency: str | None = None) -> list[LineInput]:
    """The filled-in lines; an untouched empty line is left out rather than refused.
    Error fields keep each line's position in the form (``lines.2.quantity``)."""
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(f"An invoice can have at most {MAX_LINES} lines", field="lines")
    return [parse_line(raw, i, currency) for i, raw in enumerate(raw_lines) if not is_blank_line(raw)]


def _collect(errors: dict[str, str], check, *args, **kwargs) -> object:
    """Run one field's check; record its message (the first per field) instead of stopping."""
    try:
        return check(*args, **kwargs)
    except ValidationError as err:
        errors.setdefault(err.field or "form", err.message)
        return None


def draft_errors(
    *, client_chosen: bool, issue_date: object, due_date: object, lines: list[dict], notes: object,
    currency: str | None = None,
) -> dict[str, str]:
    """Every field error of a draft form at once, keyed like the errors the save raises
    (``client_id``, ``due_date``, ``lines.1.unit_price`` …), so each shows beside its field."""
    errors: dict[str, str] = {}
    if not client_chosen:
        errors["client_id"] = "Choose a client"
    issued = _collect(errors, parse_date, issue_date, field="issue_date", label="Issue date")
    due = _collect(errors, parse_date, due_date, field="due_date", label="Due date", required=False)
    if issued is not None and due is not None:
        _collect(errors, check_dates, issued, due)
    if len(lines) > MAX_LINES:
        errors["lines"] = f"An invoice can have at most {MAX_LINES} lines"
    for index, raw in enumerate(lines[:MAX_LINES]):
        if is_blank_line(raw):
            continue
        prefix = f"lines.{index}"
        _collect(
            errors, clean_text, raw.get("description"), field=f"{prefix}.description", label="Description",
            max_length=MAX_DESCRIPTION, required=True,
        )
        _collect(errors, parse_quantity, raw.get("quantity"), field=f"{prefix}.quantity")
        _collect(errors, parse_unit_price, raw.get("unit_price"), field=f"{prefix}.unit_price", currency=currency)
    _collect(errors, clean_text, notes, field="notes", label="Notes", max_length=MAX_NOTES, required=False)
    return errors


def parse_date(raw: object, *, field: str, label: str, required: bool = True) -> date | None:
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    if not text:
        if required:
            raise ValidationError(f"{label} is required", field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label} must be a date (YYYY-MM-DD)", field=field) from None


def check_dates(issue_date: date, due_date: date | None) -> None:
    if due_date is None:
        return
    if due_date < issue_date:
        raise ValidationError("Due date cannot be before the issue date", field="due_date")
    if (due_date - issue_date).days > MAX_TERM_DAYS:
        raise ValidationError("Due date is more than ten years after the issue date", field="due_date")
