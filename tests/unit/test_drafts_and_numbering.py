from datetime import date

import pytest

from invoice_crm.domain.drafts import MAX_DESCRIPTION, check_dates, parse_date, parse_lines
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.leads import LeadStatus, advance_to
from invoice_crm.domain.numbering import counter_key, format_number, validate_format


def test_lines_name_the_failing_field_by_position():
    good = {"description": "Work", "quantity": "1", "unit_price": "10"}
    with pytest.raises(ValidationError) as err:
        parse_lines([good, {"description": "  ", "quantity": "1", "unit_price": "5"}])
    assert err.value.field == "lines.1.description"
    with pytest.raises(ValidationError) as err:
        parse_lines([good, good, {"description": "x", "quantity": "two", "unit_price": "5"}])
    assert err.value.field == "lines.2.quantity"


def test_overlong_description_is_refused():
    with pytest.raises(ValidationError, match=f"at most {MAX_DESCRIPTION}"):
        parse_lines([{"description": "x" * (MAX_DESCRIPTION + 1), "quantity": "1", "unit_price": "1"}])


def test_due_date_before_issue_date_is_refused():
    with pytest.raises(ValidationError) as err:
        check_dates(date(2026, 5, 10), date(2026, 5, 9))
    assert err.value.field == "due_date"
    check_dates(date(2026, 5, 10), date(2026, 5, 10))


def test_dates_must_be_iso():
    assert parse_date("2026-02-03", field="d", label="Date") == date(2026, 2, 3)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse_date("03/02/2026", field="d", label="Date")
    assert parse_date("", field="d", label="Date", required=False) is None


def test_number_format():
    assert format_number("INV-{year}-{seq:04d}", date(2026, 1, 5), 7) == "INV-2026-0007"
    assert counter_key("INV-{year}-{seq:04d}", date(2026, 1, 5)) == "2026"
    assert counter_key("#{seq}", date(2026, 1, 5)) == "all"
    with pytest.raises(ValidationError):
        validate_format("INV-{year}")
    with pytest.raises(ValidationError):
        validate_format("INV-{client}-{seq}")


@pytest.mark.parametrize("fmt, expected", [
    ("INV-{year}-{seq:04d}", "INV-2026-0007"),
    ("{year}{month:02d}/{seq}", "202601/7"),
    ("{{braces}}-{seq:012d}", "{braces}-000000000007"),
    ("N" * 58 + "{seq}", "N" * 58 + "7"),  # 64 characters with a six-digit sequence
])
def test_the_documented_placeholders_are_accepted(fmt, expected):
    assert format_number(validate_format(fmt), date(2026, 1, 5), 7) == expected


@pytest.mark.parametrize("fmt, reason", [
    ("{seq.__class__}-{year}-{seq:070d}", "may use only"),  # QA: numbered "<class 'int'>-2026-000…"
    ("{seq[0]}", "may use only"),
    ("{seq!r}", "may use only"),
    ("{year.real}-{seq}", "may use only"),
    ("{}-{seq}", "may use only"),
    ("{0}-{seq}", "may use only"),
    ("{seq:>10}", "may use only"),
    ("{seq:4d}", "may use only"),  # spaces in a number
    ("{year:{seq}}-{seq}", "may use only"),
    ("{seq:0999999999d}", "may use only"),  # would have built a gigabyte string
    ("{seq:013d}", "at most 12 digits"),
    ("INV-{seq", "unmatched"),
    ("N" * 59 + "{seq}", "too long"),
    ("{year}-{month}-{seq:012d}" + "-" * 45, "too long"),
])
def test_anything_else_is_refused_before_any_formatting(fmt, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_format(fmt)
    with pytest.raises(ValidationError):  # a format read from the database is checked too
        format_number(fmt, date(2026, 1, 5), 7)


def test_leads_only_move_forward():
    assert advance_to(LeadStatus.WON, LeadStatus.PAID) is LeadStatus.PAID
    assert advance_to(LeadStatus.PAID, LeadStatus.INVOICED) is LeadStatus.PAID


def test_an_untouched_empty_line_is_left_out_not_refused():
    from invoice_crm.domain.drafts import is_blank_line, parse_lines

    lines = [
        {"description": "Work", "quantity": "2", "unit_price": "10"},
        {"description": "", "quantity": "1", "unit_price": ""},
        {"description": " ", "quantity": "", "unit_price": ""},
    ]
    assert [line.description for line in parse_lines(lines)] == ["Work"]
    assert not is_blank_line({"description": "", "quantity": "3", "unit_price": ""})
    assert not is_blank_line({"description": "", "quantity": "1", "unit_price": "5"})


def test_every_field_error_of_a_draft_at_once():
    from invoice_crm.domain.drafts import draft_errors

    errors = draft_errors(
        client_chosen=False,
        issue_date="2026-03-10",
        due_date="2026-03-01",
        lines=[
            {"description": "", "quantity": "-3", "unit_price": "abc"},
            {"description": "", "quantity": "1", "unit_price": ""},  # untouched: no error
            {"description": "Fine", "quantity": "1", "unit_price": "x"},
        ],
        notes="n" * 6000,
    )
    assert set(errors) == {
        "client_id", "due_date", "lines.0.description", "lines.0.quantity", "lines.0.unit_price",
        "lines.2.unit_price", "notes",
    }
    assert errors["due_date"] == "Due date cannot be before the issue date"
    ok = draft_errors(client_chosen=True, issue_date="2026-03-01", due_date="", lines=[], notes="")
    assert ok == {}
