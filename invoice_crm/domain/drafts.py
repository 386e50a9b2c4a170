"""Validation of what a user types into an invoice draft: lines, dates, text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import line_total, parse_quantity, parse_unit_price
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

    @property
    def total(self) -> Decimal:
        return line_total(self.quantity, self.unit_price)


def parse_line(raw: dict, index: int) -> LineInput:
    """One line from raw form values; ``field`` names it like ``lines.2.quantity``."""
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
        unit_price=parse_unit_price(raw.get("unit_price"), field=f"{prefix}.unit_price"),
    )


def parse_lines(raw_lines: list[dict]) -> list[LineInput]:
    if len(raw_lines) > MAX_LINES:
        raise ValidationError(f"An invoice can have at most {MAX_LINES} lines", field="lines")
    return [parse_line(raw, i) for i, raw in enumerate(raw_lines)]


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
