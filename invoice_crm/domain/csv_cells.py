"""CSV cells a spreadsheet reads as they are meant: exact money, ISO dates, and text that a
spreadsheet program would run as a formula neutralised with a leading apostrophe.

The formula characters are the sheet mirror's (``domain.sheet_rows``): = + - @ at the start
(also after leading spaces), and a tab or carriage return (or line feed) as the first character.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

from invoice_crm.domain.money import quantize_money
from invoice_crm.domain.sheet_rows import CONTROL_STARTS, FORMULA_STARTS
from invoice_crm.domain.totals import round_money

BOM = "\ufeff"
ENCODINGS = ("utf-8-sig", "utf-8")  # with a BOM (spreadsheet programs), or plain


def is_formula(value: str) -> bool:
    return bool(value) and (value[0] in CONTROL_STARTS or value.lstrip(" ")[:1] in FORMULA_STARTS)


def text(value: object) -> str:
    """Text as a cell: neutralised when a spreadsheet would run it as a formula."""
    value = "" if value is None else str(value)
    return "'" + value if is_formula(value) else value


def money(value: Decimal | None, currency: str | None = None) -> str:
    """A plain decimal numeral (1234.50): no grouping, no symbol; the currency has its own column.
    With the currency, in its own minor units (JPY 4520, USD 4520.00)."""
    if value is None:
        return ""
    return format(round_money(Decimal(value), currency) if currency else quantize_money(Decimal(value)), "f")


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[str]], *, bom: bool = True, batch: int = 500) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks of up to ``batch`` rows: the first chunk (BOM and header)
    at once, then each batch as it is read, so nothing holds more than one batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
