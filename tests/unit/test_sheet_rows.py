"""The sheet mirror's rules: row contents, finding a row by number, planning the writes."""

from datetime import date
from decimal import Decimal

import pytest

from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.sheet_rows import (
    BLANK_ROW,
    HEADER,
    SheetInvoice,
    amount_cell,
    find_row,
    parse_row_hint,
    plan_writes,
    row_values,
    text_cell,
)


def _inv(invoice_id: int, number: str, hint: int | None = None, **kw) -> SheetInvoice:
    values = {
        "client": "Acme",
        "amount": Decimal("100.00"),
        "status": InvoiceStatus.SENT,
        "due_date": date(2025, 3, 31),
        "paid_date": None,
        **kw,
    }
    return SheetInvoice(invoice_id=invoice_id, number=number, row_hint=hint, **values)


def test_a_row_holds_text_as_text_exact_amounts_and_iso_dates():
    row = row_values(_inv(1, "INV-2025-0001", client="=HYPERLINK(\"x\")", amount=Decimal("1667.51"),
                          status="PAID", paid_date=date(2025, 4, 2), amount_paid=Decimal("1667.51")))
    assert row == ["INV-2025-0001", "'=HYPERLINK(\"x\")", "1667.51", "Paid", "2025-03-31", "2025-04-02"]
    assert len(row) == len(HEADER)


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("INV-2026-0001", "INV-2026-0001"),
        ("Acme Robotics", "Acme Robotics"),
        ("March Design Co", "March Design Co"),
        ("=SUM(A:A)", "'=SUM(A:A)"),
        ("2025-0001", "'2025-0001"),  # a bare number format would become a number or a date
        ("0042", "'0042"),
        ("TRUE", "'TRUE"),
        ("3 March 2025", "'3 March 2025"),
        ("+44 20 7946", "'+44 20 7946"),
    ],
)
def test_only_text_the_sheet_would_reinterpret_is_quoted(typed, written):
    assert text_cell(typed) == written


def test_amounts_are_plain_numerals_with_two_places():
    assert amount_cell(Decimal("5")) == "5.00"
    assert amount_cell(Decimal("999999999.99")) == "999999999.99"
    assert amount_cell(Decimal("1E+3")) == "1000.00"  # never scientific notation
    assert amount_cell(Decimal("0.005")) == "0.01"  # the one rounding rule: half-up


def test_status_says_partially_paid_and_void():
    from dataclasses import replace

    base = _inv(1, "INV-2025-0001", amount=Decimal("100.00"), status="SENT")
    assert row_values(replace(base, amount_paid=Decimal("40.00")))[2:4] == ["100.00", "Partially paid"]
    assert row_values(replace(base, status="VOID"))[3] == "Void"
    # Paid by credit notes alone (nothing received): "Credited"; paid for part, credited the rest: "Paid".
    assert row_values(replace(base, status="PAID", amount_paid=Decimal("0.00")))[3] == "Credited"
    assert row_values(replace(base, status="PAID", amount_paid=Decimal("40.00")))[3] == "Paid"
    assert HEADER == ("Invoice #", "Client", "Amount", "Status", "Due Date", "Paid Date")


def test_empty_dates_and_names_are_empty_cells():
    row = row_values(_inv(1, "INV-1", client="", due_date=None, status=InvoiceStatus.DRAFT))
    assert row[1] == "" and row[4:] == ["", ""]


def test_the_hint_is_used_only_when_column_a_agrees():
    column = ["Invoice #", "INV-1", "INV-2", "INV-3"]
    assert find_row(column, "INV-2", hint=3) == 3
    assert find_row(column, "INV-2", hint=2) == 3  # stale hint: looked up again
    assert find_row(column, "INV-2", hint=40) == 3  # past the end
    assert find_row(column, "INV-9", hint=2) is None  # missing: to be appended
    assert find_row(["Invoice #", " INV-1 "], "INV-1", hint=None) == 2


def test_row_hints_are_positive_row_numbers():
    assert parse_row_hint("12") == 12
    assert [parse_row_hint(v) for v in (None, "", "0", "-3", "A1")] == [None] * 5


def test_plan_updates_found_rows_and_appends_the_rest():
    column = ["Invoice #", "INV-3", "", "INV-1"]
    plan = plan_writes(column, [_inv(1, "INV-1", hint=2), _inv(2, "INV-2"), _inv(3, "INV-3", hint=2)])
    assert [row for row, _ in plan.updates] == [4, 2]
    assert plan.rows == {1: 4, 3: 2}
    assert [i for i, _ in plan.appends] == [2]
    assert not plan.with_header
    assert plan.appended_rows(first_row=5) == {2: 5}


def test_an_empty_tab_gets_the_header_first():
    plan = plan_writes(["", ""], [_inv(7, "INV-7"), _inv(8, "INV-8")])
    assert plan.with_header
    assert plan.append_values()[0] == list(HEADER)
    assert plan.appended_rows(first_row=1) == {7: 2, 8: 3}


def test_no_header_is_written_when_nothing_is_appended():
    assert not plan_writes([], [], cleared_numbers=["INV-1"]).with_header


def test_deleted_drafts_are_blanked_where_found_and_skipped_when_absent():
    plan = plan_writes(["Invoice #", "INV-1", "INV-2"], [], cleared_numbers=["INV-2", "INV-9", "INV-2"])
    assert plan.updates == [(3, list(BLANK_ROW))]
    assert plan.rows == {} and plan.appends == []


# --- Neutralisation, as a property: whatever the text, the cell is never a formula ------

from hypothesis import example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DANGEROUS_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n", " =", "\n=", "\t=", "\r\n@", "  +"]
texts = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from(DANGEROUS_STARTS), st.text()),
    st.builds(lambda a, b: f"{a}\n{b}", st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "-2"]), st.text()),
)


def sheet_would_interpret(cell: str) -> bool:
    """What a spreadsheet (or a CSV export of it) treats as a formula or a control."""
    return bool(cell) and (cell[0] in "\t\r\n" or cell.lstrip()[:1] in "=+-@")


@given(texts)
@example("=1+1\nhello")  # the multi-line formula the old line-by-line check let through
@example("\t=cmd")
@example("\r=cmd")
def test_no_text_reaches_the_sheet_as_a_formula(value):
    cell = text_cell(value)
    assert not sheet_would_interpret(cell)
    # Nothing is lost: the cell is the text itself, or the text behind one apostrophe.
    assert cell == value or cell == "'" + value


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1))
def test_plain_words_are_written_as_typed(word):
    cell = text_cell(word)
    assert cell in (word, "'" + word)
    if word.lower() not in ("true", "false") and not any(m in word.lower() for m in ("jan", "feb", "mar", "apr",
                                                                                    "may", "jun", "jul", "aug",
                                                                                    "sep", "oct", "nov", "dec")):
        assert cell == word
