"""CSV files to import: the columns each kind expects, reading a file safely, matching its
headers to those columns, and writing back the rows that were rejected with their errors.

Pure rules: no database, no Reflex. ``services/imports.py`` checks the rows and stores them.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel import dates as babel_dates

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError

MAX_FILE_BYTES = 500_000  # under the backend's request bound (api/hardening.MAX_BODY)
FILE_TOO_LARGE = f"The file is larger than {MAX_FILE_BYTES // 1000} KB; split it into smaller files"
MAX_ROWS = 5_000
MAX_COLUMNS = 60
MAX_CELL = 2_000
NOT_IMPORTED = ""  # a column mapped to nothing


# The examples in a column's help are numbers, written as the business locale writes them.
_EXAMPLE = numbers.NumberField("Example", 4, Decimal("0"), Decimal("1000"), grouped=False)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    help: str  # "{}" stands for each of ``examples``, in order
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    def help_in(self, locale: str | None = None) -> str:
        """The help as the file is read: ``e.g. 2 or 1,5`` under de_DE; ``{date}``: 31 March
        2025 as the locale's short date (``31.03.25``)."""
        return self.help.format(
            *(numbers.format_number(Decimal(e), _EXAMPLE, locale) for e in self.examples),
            date=babel_dates.format_date(date(2025, 3, 31), format="short", locale=locale or numbers.business_locale()),
        )


CLIENT_COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", True, "the client's name (up to 200 characters)", ("client", "client name", "customer", "full name", "contact")),
    Column("email", "Email", False, "one address, name@example.com", ("e-mail", "email address", "mail")),
    Column("company", "Company", False, "company name", ("organisation", "organization", "business")),
    Column("address", "Address", False, "postal address; line breaks allowed", ("postal address", "street", "billing address")),
    Column("tax_number", "Tax number", False, "VAT / GST / tax id", ("vat", "vat number", "tax id", "vat id", "gst number")),
)

INVOICE_COLUMNS: tuple[Column, ...] = (
    Column("invoice_number", "Invoice number", True, "kept as it is; rows with the same number form one invoice", ("number", "invoice", "invoice no", "invoice #", "no")),
    Column("client_name", "Client name", True, "matched to an existing client (by email, else by name) or created", ("client", "customer", "customer name")),
    Column("client_email", "Client email", False, "the client's email, used to find the client", ("email", "e-mail", "email address", "customer email")),
    Column("issue_date", "Issue date", True, "2025-03-31 or {date} (the business locale's short date)", ("date", "invoice date", "issued")),
    Column("due_date", "Due date", True, "2025-03-31 or {date} (the business locale's short date)", ("due", "due on")),
    Column("currency", "Currency", False, "three-letter code such as USD or EUR; blank: the default currency", ("cur", "currency code")),
    Column("description", "Description", False, "the line's text; blank on a row that only records a payment", ("item", "line", "line description", "service")),
    Column("quantity", "Quantity", False, "e.g. {} or {}; blank: 1", ("qty", "hours", "units"), ("2", "1.5")),
    Column("unit_price", "Unit price", False, "price of one unit before tax (business locale)", ("price", "rate", "unit cost", "amount")),
    Column("tax_name", "Tax name", False, "e.g. VAT; blank: Tax", ("tax",)),
    Column("tax_rate", "Tax rate (%)", False, "percent, e.g. {} or {}; blank: no tax", ("tax rate", "tax %", "vat rate", "vat %"), ("20", "9.975")),
    Column("payment_amount", "Payment amount", False, "a payment received for this invoice (one per row)", ("paid", "amount paid", "payment")),
    Column("payment_date", "Payment date", False, "date of that payment, as the dates above (needed with an amount)", ("paid on", "paid date", "date paid")),
    Column("payment_method", "Payment method", False, "Bank transfer, Cash, Cheque, Card or Other; blank: Bank transfer", ("method",)),
    Column("payment_reference", "Payment reference", False, "e.g. the bank reference", ("reference", "ref")),
)

KINDS: dict[str, tuple[Column, ...]] = {"clients": CLIENT_COLUMNS, "invoices": INVOICE_COLUMNS}

TEMPLATES: dict[str, list[list[str]]] = {
    "clients": [
        ["Name", "Email", "Company", "Address", "Tax number"],
        ["Ada Lovelace", "ada@example.com", "Analytical Engines Ltd", "12 St James's Square, London", "GB123456789"],
        ["Grace Hopper", "grace@example.com", "", "", ""],
    ],
    "invoices": [
        [c.label for c in INVOICE_COLUMNS],
        ["INV-2025-0001", "Ada Lovelace", "ada@example.com", "2025-03-01", "2025-03-31", "USD", "Design work", "10", "80.00", "VAT", "20", "", "", "", ""],
        ["INV-2025-0001", "Ada Lovelace", "ada@example.com", "2025-03-01", "2025-03-31", "USD", "Hosting", "1", "25.00", "", "", "985.00", "2025-03-20", "Bank transfer", "TRX-1"],
        ["INV-2025-0002", "Grace Hopper", "grace@example.com", "2025-04-01", "2025-04-15", "USD", "Consulting", "4", "120.00", "", "", "200.00", "2025-04-10", "Card", ""],
    ],
}


@dataclass(frozen=True)
class Table:
    """A CSV file as read: its header cells and its data rows (each as long as the header)."""

    headers: list[str]
    rows: list[list[str]]
    # Each row's number as a spreadsheet shows the file (blank lines counted, the header row 1
    # when the file starts with it); a table made without them numbers its rows from 2.
    numbers: list[int] = field(default_factory=list)

    def row_number(self, index: int) -> int:
        """The row as a spreadsheet numbers it, so a refusal names the row to fix."""
        return self.numbers[index] if self.numbers else index + 2


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (header = 1)
    field: str  # the column's label, or "Row"
    message: str


def columns_of(kind: str) -> tuple[Column, ...]:
    if kind not in KINDS:
        raise ValidationError("Choose what to import: clients or invoices", field="kind")
    return KINDS[kind]


def read_csv(content: bytes) -> Table:
    """The file's header and rows: UTF-8 (with or without BOM; Windows-1252 as a fallback),
    comma, semicolon or tab separated, bounded in size, rows and columns."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_LARGE, field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError("The file is not a text (CSV) file; save it as CSV UTF-8", field="file") from None
    if "\x00" in text:
        raise ValidationError("The file is not a text (CSV) file; save it as CSV UTF-8", field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    numbers: list[int] = []  # each record's row in a spreadsheet (one per record, blank ones too)
    try:
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue  # blank lines (also trailing ones) are not rows, but they are counted
            if len(records) > MAX_ROWS:
                raise ValidationError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files", field="file")
            records.append(record)
            numbers.append(number)
    except csv.Error:
        raise ValidationError("The file could not be read as CSV (check its quotes)", field="file") from None
    if not records:
        raise ValidationError("The file is empty", field="file")
    headers = [h.strip() for h in records[0]]
    if len(headers) > MAX_COLUMNS:
        raise ValidationError(f"The file has more than {MAX_COLUMNS} columns", field="file")
    if len(records) == 1:
        raise ValidationError("The file has a header row but no rows to import", field="file")
    width = len(headers)
    rows = []
    for record in records[1:]:
        cells = [cell[:MAX_CELL + 1] for cell in record[:width]]
        cells += [""] * (width - len(cells))
        rows.append(cells)
    return Table(headers, rows, numbers[1:])


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z%#]+", " ", text.casefold()).strip()


def auto_mapping(columns: tuple[Column, ...], headers: list[str]) -> dict[str, str]:
    """Each column's header in the file, found by name (label, key or a usual alias), or ""."""
    by_name = {}
    for header in headers:
        by_name.setdefault(_norm(header), header)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        for name in (column.label, column.key.replace("_", " "), *column.aliases):
            header = by_name.get(_norm(name))
            if header is not None and header not in taken:
                mapping[column.key] = header
                taken.add(header)
                break
        else:
            mapping[column.key] = NOT_IMPORTED
    return mapping


def check_mapping(columns: tuple[Column, ...], headers: list[str], mapping: dict[str, str]) -> list[RowError]:
    """Problems with the mapping itself (row 1 is the header)."""
    problems = []
    used: dict[str, str] = {}
    for column in columns:
        header = mapping.get(column.key, NOT_IMPORTED)
        if header and header not in headers:
            problems.append(RowError(1, column.label, f"The file has no column “{header}”"))
        elif header and header in used:
            problems.append(RowError(1, column.label, f"The column “{header}” is already used for {used[header]}"))
        elif header:
            used[header] = column.label
        elif column.required:
            problems.append(RowError(1, column.label, "Choose the file's column for this field"))
    return problems


def mapped_rows(table: Table, mapping: dict[str, str]) -> list[dict[str, str]]:
    """Each data row as {column key: cell} by the mapping (unmapped columns are blank)."""
    index = {header: i for i, header in reversed(list(enumerate(table.headers)))}
    picks = {key: index[header] for key, header in mapping.items() if header and header in index}
    return [{key: row[i] for key, i in picks.items()} for row in table.rows]


def parse_date(raw: str, *, field: str, label: str, required: bool) -> date | None:
    """ISO ``2025-03-31``, or the business locale's short date (``31.03.2025`` under de_DE)."""
    text = (raw or "").strip()
    if not text:
        if required:
            raise ValidationError(f"{label} is required", field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    value = _locale_short_date(text)
    if value is not None:
        return value
    example = babel_dates.format_date(date(2025, 3, 31), format="short", locale=numbers.business_locale())
    raise ValidationError(f"{label} must be a date such as 2025-03-31 or {example}", field=field)


def _locale_short_date(text: str) -> date | None:
    """The date as the business locale's short pattern writes it (Babel: ``M/d/yy`` under
    en_US, ``dd.MM.yy`` under de_DE), strictly: its order and its separators, a year of two or
    four digits. ``31/03/2025`` is no date under en_US, nor ``04.03.25`` (a German file's 4 March
    would be read as 3 April), nor ``3/4/25`` under de_DE."""
    match = _short_date_regex(numbers.business_locale()).fullmatch(text)
    if match is None:
        return None
    values = {key: int(value) for key, value in match.groupdict().items()}
    if len(match.group("y")) == 2:
        values["y"] += 2000
    try:
        return date(values["y"], values["M"], values["d"])
    except ValueError:
        return None


@functools.lru_cache(maxsize=32)
def _short_date_regex(locale: str) -> re.Pattern:
    """The locale's numeric short date pattern as a regex; one that never matches where the
    pattern is not day, month and year in digits."""
    pattern = babel_dates.get_date_format("short", locale=locale).pattern
    parts, seen = [], set()
    for token in re.findall(r"d+|M+|y+|'[^']*'|.", pattern):
        kind = token[0]
        if kind in "dMy":
            if kind in seen or (kind == "M" and len(token) > 2):  # a month name: not read here
                return re.compile(r"(?!)")
            seen.add(kind)
            parts.append(f"(?P<{kind}>" + (r"\d{2}|\d{4}" if kind == "y" else r"\d{1,2}") + ")")
        elif kind == "'":
            parts.append(re.escape(token.strip("'")))
        elif token.isalpha():  # another field (an era, a weekday): not a plain numeric date
            return re.compile(r"(?!)")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) if seen == {"d", "M", "y"} else r"(?!)")


def write_csv(rows: list[list[str]]) -> str:
    """CSV text; a cell a spreadsheet would run as a formula is quoted with a leading '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([("'" + c) if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row])
    return out.getvalue()


def rejected_rows_csv(table: Table, errors: list[RowError]) -> str:
    """The rejected rows as they were in the file, with their row number and errors first."""
    by_row: dict[int, list[str]] = {}
    for error in errors:
        if error.row > 1:
            by_row.setdefault(error.row, []).append(f"{error.field}: {error.message}")
    rows = [["Row", "Errors", *table.headers]]
    for index, cells in enumerate(table.rows):
        number = table.row_number(index)
        if number in by_row:
            rows.append([str(number), "; ".join(by_row[number]), *cells])
    return write_csv(rows)


def template_csv(kind: str) -> str:
    columns_of(kind)
    return write_csv(TEMPLATES[kind])
