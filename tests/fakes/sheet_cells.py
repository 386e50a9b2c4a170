"""Cells and ranges of the fake Google Sheets API: how USER_ENTERED / RAW input is stored,
how values.get renders it, and A1 notation. Only what the fake server needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

SERIAL_EPOCH = date(1899, 12, 30)  # Sheets' day zero for date serial numbers
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CELL = re.compile(r"^([A-Z]*)(\d*)$")


class RangeError(ValueError):
    """A range the API would answer with 400 "Unable to parse range"."""


class Formula(str):
    """A cell entered as a formula; kept as its text (the fake does not evaluate it)."""


# --- cell values ------------------------------------------------------------------------


def user_entered(value):
    """What Sheets stores for a value sent with valueInputOption=USER_ENTERED."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value)
    if text == "":
        return None
    if text.startswith("'"):
        return text[1:]
    if text.startswith("="):
        return Formula(text)
    if _NUMBER.match(text):
        return Decimal(text)
    if match := _ISO_DATE.match(text):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return text
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    return text


def raw(value):
    """What Sheets stores for valueInputOption=RAW: strings stay strings."""
    if value is None or value == "":
        return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    return value


def render(cell, value_render: str, date_render: str):
    """A stored cell as values.get returns it."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return cell if value_render != "FORMATTED_VALUE" else ("TRUE" if cell else "FALSE")
    if isinstance(cell, Decimal):
        if value_render == "FORMATTED_VALUE":
            return _plain(cell)
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    if isinstance(cell, date):
        if value_render == "FORMATTED_VALUE" or date_render == "FORMATTED_STRING":
            return cell.isoformat()
        return (cell - SERIAL_EPOCH).days
    return str(cell)


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


# --- A1 notation -------------------------------------------------------------------------


def column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Area:
    """A parsed A1 range: 0-based, inclusive; None where the range is open."""

    tab: str
    row0: int | None
    col0: int | None
    row1: int | None
    col1: int | None

    def a1(self, rows: int | None = None, cols: int | None = None) -> str:
        r0, c0 = (self.row0 or 0), (self.col0 or 0)
        r1 = r0 + rows - 1 if rows is not None else self.row1
        c1 = c0 + cols - 1 if cols is not None else self.col1
        start = f"{column_letters(c0)}{r0 + 1}"
        end = f"{column_letters(c1 if c1 is not None else c0)}{(r1 if r1 is not None else r0) + 1}"
        return f"{quote_tab(self.tab)}!{start}:{end}"


def quote_tab(tab: str) -> str:
    return tab if re.fullmatch(r"[A-Za-z0-9_]+", tab) else "'" + tab.replace("'", "''") + "'"


def parse_a1(text: str, default_tab: str) -> Area:
    tab, ref = default_tab, text
    if "!" in text:
        tab, ref = text.rsplit("!", 1)
        if tab.startswith("'") and tab.endswith("'"):
            tab = tab[1:-1].replace("''", "'")
    elif not _CELL.match(text.split(":")[0]):
        tab, ref = text, ""
    if not ref:
        return Area(tab, None, None, None, None)
    parts = ref.split(":")
    if len(parts) > 2:
        raise RangeError(f"Unable to parse range: {text}")
    cells = []
    for part in parts:
        match = _CELL.match(part.upper())
        if not match or not (match.group(1) or match.group(2)):
            raise RangeError(f"Unable to parse range: {text}")
        letters, digits = match.groups()
        cells.append((int(digits) - 1 if digits else None, column_index(letters) if letters else None))
    (r0, c0), (r1, c1) = cells[0], cells[-1]
    if len(parts) == 1:
        r1, c1 = r0, c0
    return Area(tab, r0, c0, r1, c1)


# --- grids -----------------------------------------------------------------------------------


def cell_at(grid: list[list], r: int, c: int):
    if r < len(grid) and c < len(grid[r]):
        return grid[r][c]
    return None


def set_cell(grid: list[list], r: int, c: int, value) -> None:
    while len(grid) <= r:
        grid.append([])
    row = grid[r]
    while len(row) <= c:
        row.append(None)
    row[c] = value


def trim(rows: list[list]) -> list[list]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def pad(rows: list[list]) -> list[list]:
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def trim_rendered(rows: list[list]) -> list[list]:
    return trim([[None if c == "" else c for c in row] for row in rows])


def sort_key(cell):
    if cell is None:
        return (3, "")
    if isinstance(cell, Decimal | bool):
        return (0, cell)
    if isinstance(cell, date):
        return (1, cell)
    return (2, str(cell).lower())
