"""Validation of what a user types into an invoice draft: lines, dates, text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoice_crm.domain import totals as T
from invoice_crm.domain.errors import Problems, ValidationError
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
    """One line from raw form values; ``field`` names it like ``lines.2.quantity``. Every
    refused field of the line is named at once (``FieldErrors``), not only the first. With the
    invoice's ``currency``, a price it cannot bill exactly (999.50 JPY) is refused."""
    problems = Problems()
    description, quantity, unit_price, discount, tax_ids = _read_line(problems, raw, index, currency)
    problems.raise_any()
    return LineInput(description=description, quantity=quantity, unit_price=unit_price, **discount, tax_ids=tax_ids)


def _read_line(problems: Problems, raw: dict, index: int, currency: str | None) -> tuple:
    """Each field of a line read, its refusal recorded in ``problems`` (None in its place)."""
    prefix = f"lines.{index}"
    return (
        problems.check(lambda: clean_text(
            raw.get("description"), field=f"{prefix}.description", label="Description",
            max_length=MAX_DESCRIPTION, required=True,
        )),
        problems.check(lambda: parse_quantity(raw.get("quantity"), field=f"{prefix}.quantity")),
        problems.check(lambda: parse_unit_price(raw.get("unit_price"), field=f"{prefix}.unit_price", currency=currency)),
        problems.check(
            lambda: parse_discount(raw.get("discount_kind"), raw.get("discount_value"), field=f"{prefix}.discount")
        ),
        problems.check(lambda: parse_tax_ids(
            raw.get("tax_ids") if "tax_ids" in raw else [raw.get("tax1"), raw.get("tax2")], field=f"{prefix}.taxes"
        )),
    )


DISCOUNT_PERCENT = NumberField("Discount", 2, Decimal("0"), Decimal("100"))
DISCOUNT_AMOUNT = NumberField("Discount", 2, Decimal("0"), Decimal("999999999.99"))


def parse_discount(kind: object, value: object, *, field: str) -> dict:
    """A discount as typed: kind '' / 'percent' / 'amount' and a value (percent up to 100)."""
    kind = str(kind or "").strip().lower()
    if kind not in ("", "percent", "amount"):
        raise ValidationError("Discount must be a percent or an amount", field=field)
    text = str(value if value is not None else "").strip()
    if text in ("", "0"):
        return {"discount_kind": "", "discount_value": Decimal("0")}
    if not kind:
        # A value with "No discount" was dropped on Save without a word: ask which it is.
        if parse_number(value if isinstance(value, Decimal) else text, DISCOUNT_AMOUNT, field=field) == 0:
            return {"discount_kind": "", "discount_value": Decimal("0")}
        raise ValidationError("Choose Percent or Amount for this discount, or clear it", field=field)
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
    Error fields keep each line's position in the form (``lines.2.quantity``); every refused
    field of every line is named at once (``FieldErrors``)."""
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(f"An invoice can have at most {MAX_LINES} lines", field="lines")
    problems = Problems()
    lines = [problems.check(lambda i=i, raw=raw: parse_line(raw, i, currency)) for i, raw in enumerate(raw_lines) if not is_blank_line(raw)]
    problems.raise_any()
    return lines


def _line_errors(problems: Problems, raw: dict, index: int, currency: str | None) -> T.LineSpec | None:
    """Record every refused field of one line; the line as priced (for the discount checks)
    when its numbers and discount read, else None."""
    prefix = f"lines.{index}"
    _, quantity, price, discount, _ = _read_line(problems, raw, index, currency)
    if quantity is None or price is None or discount is None:
        return None
    spec = T.LineSpec(quantity, price, T.Discount(discount["discount_kind"], discount["discount_value"]))
    # A discount larger than its line (or with more decimals than the currency has) is refused
    # beside it now, with the other fields' errors, not only once they are put right.
    found = len(problems.found)
    problems.check(lambda: _as_field(lambda: T.compute_totals([spec], currency=currency or "USD"), f"{prefix}.discount"))
    return spec if len(problems.found) == found else None


def _as_field(call, field: str):
    """``call()``, its refusal named as ``field`` (the totals name a line by its place among
    the lines they were given, not by its place in the form)."""
    try:
        return call()
    except ValidationError as err:
        raise ValidationError(err.message, field=field) from None


def draft_errors(
    *, client_chosen: bool, issue_date: object, due_date: object, lines: list[dict], notes: object,
    currency: str | None = None, discount_kind: object = "", discount_value: object = "",
) -> dict[str, str]:
    """Every field error of a draft form at once, keyed like the errors the save raises
    (``client_id``, ``due_date``, ``lines.1.unit_price``, ``lines.0.discount``, ``discount`` …),
    so each shows beside its field. The invoice discount is held against the lines only when
    they all read (what it may take off depends on them)."""
    problems = Problems()
    if not client_chosen:
        problems.found["client_id"] = "Choose a client"
    issued = problems.check(lambda: parse_date(issue_date, field="issue_date", label="Issue date"))
    due = problems.check(lambda: parse_date(due_date, field="due_date", label="Due date", required=False))
    if issued is not None and due is not None:
        problems.check(lambda: check_dates(issued, due))
    if len(lines) > MAX_LINES:
        problems.found["lines"] = f"An invoice can have at most {MAX_LINES} lines"
    specs = [
        _line_errors(problems, raw, index, currency)
        for index, raw in enumerate(lines[:MAX_LINES]) if not is_blank_line(raw)
    ]
    terms = problems.check(lambda: parse_discount(discount_kind, discount_value, field="discount"))
    if terms is not None and None not in specs:
        invoice_discount = T.Discount(terms["discount_kind"], terms["discount_value"])
        problems.check(lambda: _as_field(
            lambda: T.compute_totals(specs, currency=currency or "USD", invoice_discount=invoice_discount), "discount"
        ))
    problems.check(lambda: clean_text(notes, field="notes", label="Notes", max_length=MAX_NOTES, required=False))
    return dict(problems.found)


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
