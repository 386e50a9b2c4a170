"""The Google Sheet mirror's rules: what an invoice's row holds, and where it goes.

One row per invoice: Invoice #, Client, Amount, Status, Due Date, Paid Date. The row is
found by its invoice number in column A — freelancers sort, insert and delete rows — and
the remembered row number is only a hint, trusted when column A still says so.
Values are written USER_ENTERED, so the sheet types them: amounts become numbers, ISO
dates become dates, and text the sheet would reinterpret gets a leading apostrophe so it
stays text (a client called "=SUM(A:A)" or a number format like "2025-0001" stays as typed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import quantize_money

HEADER: tuple[str, ...] = ("Invoice #", "Client", "Amount", "Status", "Due Date", "Paid Date")
WIDTH = len(HEADER)
BLANK_ROW: tuple[str, ...] = ("",) * WIDTH


@dataclass(frozen=True)
class SheetInvoice:
    """What the sheet shows of one invoice, plus the row it was last written to."""

    invoice_id: int
    number: str
    client: str
    amount: Decimal
    status: InvoiceStatus | str
    due_date: date | None
    paid_date: date | None
    row_hint: int | None = None


_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_REINTERPRETED = re.compile(
    rf"""^\s*(?:
        [=+\-@'].*                          # a formula, a sign, or an apostrophe of its own
      | [^A-Za-z]*                           # no letters: a number, date, time, percent ...
      | (?:true|false)                       # a boolean
      | [\d.,]+e[+-]?\d+                    # scientific notation
      | .*\b(?:{_MONTHS})[a-z]*\.?\s*\d.*    # "Mar 3", "3 March 2025"
      | \d.*\b(?:{_MONTHS})[a-z]*\b.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# Characters that make a cell a formula (or start one) wherever the value goes next (a CSV
# export, another spreadsheet): checked before any whitespace, and after leading whitespace.
FORMULA_STARTS = frozenset("=+-@")
CONTROL_STARTS = frozenset("\t\r\n")


def needs_quote(value: str) -> bool:
    """Would the sheet (or a CSV export of it) read this text as something else?"""
    if not value:
        return False
    return (
        value[0] in CONTROL_STARTS
        or value.lstrip()[:1] in FORMULA_STARTS
        or value[0] == "'"
        or _REINTERPRETED.fullmatch(value) is not None
    )


def text_cell(value: str) -> str:
    """Text that USER_ENTERED keeps as typed. Only text the sheet would turn into a formula,
    number, date or boolean gets the leading apostrophe (which the sheet does not show);
    multi-line values are judged as a whole, not by their first line."""
    if not value:
        return ""
    return "'" + value if needs_quote(value) else value


def amount_cell(amount: Decimal) -> str:
    """The exact amount as a plain decimal numeral (the sheet stores it as a number)."""
    return format(quantize_money(amount), "f")


def date_cell(value: date | None) -> str:
    return value.isoformat() if value else ""


def row_values(invoice: SheetInvoice) -> list[str]:
    return [
        text_cell(invoice.number),
        text_cell(invoice.client),
        amount_cell(invoice.amount),
        InvoiceStatus(invoice.status).label,
        date_cell(invoice.due_date),
        date_cell(invoice.paid_date),
    ]


def parse_row_hint(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


@dataclass
class WritePlan:
    """The writes for one delivery: rows to overwrite in place and rows to append."""

    updates: list[tuple[int, list[str]]] = field(default_factory=list)  # (1-based row, values)
    appends: list[tuple[int, list[str]]] = field(default_factory=list)  # (invoice id, values)
    with_header: bool = False  # the tab is empty: the header goes first in the append
    rows: dict[int, int] = field(default_factory=dict)  # invoice id -> row, for updated rows

    def append_values(self) -> list[list[str]]:
        values = [values for _, values in self.appends]
        return [list(HEADER), *values] if self.with_header else values

    def appended_rows(self, first_row: int) -> dict[int, int]:
        """Invoice id -> row, given the first row the append wrote."""
        offset = first_row + (1 if self.with_header else 0)
        return {invoice_id: offset + i for i, (invoice_id, _) in enumerate(self.appends)}


def _first_rows(column_a: Sequence[str]) -> dict[str, int]:
    rows: dict[str, int] = {}
    for index, value in enumerate(column_a):
        rows.setdefault(value.strip(), index + 1)
    return rows


def find_row(column_a: Sequence[str], number: str, hint: int | None, index: dict[str, int] | None = None) -> int | None:
    """The row holding ``number`` in column A: the hint when column A agrees, else a lookup."""
    if hint is not None and 1 <= hint <= len(column_a) and column_a[hint - 1].strip() == number:
        return hint
    return (index if index is not None else _first_rows(column_a)).get(number)


def plan_writes(
    column_a: Sequence[str], invoices: Iterable[SheetInvoice], cleared_numbers: Iterable[str] = ()
) -> WritePlan:
    """Decide, from the sheet's column A, which rows to overwrite, clear and append."""
    index = _first_rows(column_a)
    plan = WritePlan(with_header=not any(value.strip() for value in column_a))
    for invoice in invoices:
        row = find_row(column_a, invoice.number, invoice.row_hint, index)
        if row is None:
            plan.appends.append((invoice.invoice_id, row_values(invoice)))
        else:
            plan.updates.append((row, row_values(invoice)))
            plan.rows[invoice.invoice_id] = row
    for number in dict.fromkeys(cleared_numbers):
        row = index.get(number)
        if row is not None:
            plan.updates.append((row, list(BLANK_ROW)))
    if not plan.appends:
        plan.with_header = False
    return plan
