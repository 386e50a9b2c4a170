"""CSV cells: formula text neutralised, money plain, dates ISO, BOM as chosen."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest

from invoice_crm.domain import csv_cells as cell


@pytest.mark.parametrize("value", ["=1+2", "+31 20 123", "-5", "@SUM(A1)", "\tcmd", "\rcmd", "  =HYPERLINK(x)", "\n=1"])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert cell.text(value) == "'" + value


@pytest.mark.parametrize("value", ["Acme", "ACME = best", "a-b", "me@example.com", "", "3 + 4"])
def test_other_text_is_left_as_typed(value):
    assert cell.text(value) == value


def test_money_is_a_plain_decimal_and_dates_iso():
    assert cell.money(D("1234.5")) == "1234.50" and cell.money(D("-0.005")) == "-0.01"
    assert cell.money(D("1000000")) == "1000000.00"
    assert cell.day(date(2026, 3, 4)) == "2026-03-04" and cell.day(None) == ""


def test_the_file_has_a_bom_only_when_chosen_and_arrives_in_batches():
    rows = [[str(i), "x,y", 'say "hi"'] for i in range(5)]
    chunks = list(cell.csv_lines(["N", "A", "B"], rows, batch=2))
    assert len(chunks) == 4  # header, 2 + 2 + 1 rows
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbfN,A,B\r\n")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:] == rows
    plain = b"".join(cell.csv_lines(["N"], [["1"]], bom=False))
    assert plain == b"N\r\n1\r\n"
