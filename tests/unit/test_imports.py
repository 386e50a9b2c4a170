"""CSV import rules without a database: reading files, matching headers, dates, numbers."""

from __future__ import annotations

from datetime import date

import pytest
from babel import dates as babel_dates
from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain import imports as fmt
from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.numbering import sequence_of


@pytest.fixture
def locale():
    before = numbers.business_locale()
    yield numbers.use_business_locale
    numbers.use_business_locale(before)


def test_reads_utf8_with_bom_and_semicolons_skipping_blank_lines():
    table = fmt.read_csv("\ufeffName;Email\r\nJosé;jose@example.com\r\n\r\n;\r\nAnn\r\n".encode())
    assert table.headers == ["Name", "Email"]
    assert table.rows == [["José", "jose@example.com"], ["Ann", ""]]


def test_reads_windows_1252_files():
    assert fmt.read_csv("Name\nJosé\n".encode("cp1252")).rows == [["José"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Name,Email\n", "no rows"),
        (b"x" * (fmt.MAX_FILE_BYTES + 1), "larger than"),
        (b"Name\n" + b"a\n" * (fmt.MAX_ROWS + 1), "more than"),
        (b"Name\x00\n", "not a text"),
    ],
)
def test_refuses_files_it_cannot_take(content, message):
    with pytest.raises(ValidationError, match=message):
        fmt.read_csv(content)


def test_headers_are_matched_by_label_key_or_alias_once_each():
    mapping = fmt.auto_mapping(fmt.INVOICE_COLUMNS, ["No", "Customer", "E-mail", "unit_price", "Qty", "Notes", "Tax rate"])
    assert mapping["invoice_number"] == "No"
    assert mapping["client_name"] == "Customer"
    assert mapping["client_email"] == "E-mail"
    assert mapping["unit_price"] == "unit_price"
    assert mapping["quantity"] == "Qty"
    assert mapping["tax_rate"] == "Tax rate"
    assert mapping["tax_name"] == ""  # "Tax rate" is taken by the rate
    assert "Notes" not in mapping.values()


def test_a_mapping_must_name_the_required_columns_once():
    headers = ["Full name", "Mail"]
    problems = fmt.check_mapping(fmt.CLIENT_COLUMNS, headers, {"name": "", "email": "Mail"})
    assert [(p.row, p.field) for p in problems] == [(1, "Name")]
    problems = fmt.check_mapping(fmt.CLIENT_COLUMNS, headers, {"name": "Mail", "email": "Mail"})
    assert "already used" in problems[0].message
    assert fmt.check_mapping(fmt.CLIENT_COLUMNS, headers, {"name": "Nope"})[0].message == "The file has no column “Nope”"


@pytest.mark.parametrize(
    ("loc", "text", "expected"),
    [
        ("en_US", "2025-03-31", date(2025, 3, 31)),
        ("en_US", "3/31/25", date(2025, 3, 31)),
        ("de_DE", "31.03.2025", date(2025, 3, 31)),
        ("en_GB", "31/03/2025", date(2025, 3, 31)),
        ("en_US", "31/03/2025", None),  # not the en_US order: refused, never guessed
        ("de_DE", "2025-02-30", None),
        ("en_US", "yesterday", None),
        # Another locale's separators: refused, not read in this locale's order (a German
        # file's 04.03.25, 4 March, was read as 3 April under en_US; a US file's 3/4/25 as
        # 3 April under de_DE).
        ("en_US", "04.03.25", None),
        ("en_US", "4-3-25", None),
        ("de_DE", "3/4/25", None),
        ("de_DE", "3-5-25", None),
        ("de_DE", "4.3.2025", date(2025, 3, 4)),
        ("de_DE", "04.03.25", date(2025, 3, 4)),
        ("en_US", "3/4/2025", date(2025, 3, 4)),
        ("en_US", "3/4/202", None),  # a three-digit year
    ],
)
def test_dates_are_iso_or_the_locale_short_date(locale, loc, text, expected):
    locale(loc)
    if expected is None:
        with pytest.raises(ValidationError, match="must be a date such as 2025-03-31"):
            fmt.parse_date(text, field="issue_date", label="Issue date", required=True)
    else:
        assert fmt.parse_date(text, field="issue_date", label="Issue date", required=True) == expected


def test_rejected_rows_keep_the_file_columns_and_neutralise_formulas():
    table = fmt.Table(["Name", "Email"], [["Ann", "a@example.com"], ["=HYPERLINK(1)", "bad"]])
    text = fmt.rejected_rows_csv(table, [fmt.RowError(3, "Email", "Email must look like name@example.com")])
    assert text.splitlines() == [
        "Row,Errors,Name,Email",
        "3,Email: Email must look like name@example.com,'=HYPERLINK(1),bad",
    ]


def test_templates_read_back_with_every_column_matched():
    for kind, columns in fmt.KINDS.items():
        table = fmt.read_csv(fmt.template_csv(kind).encode())
        mapping = fmt.auto_mapping(columns, table.headers)
        assert fmt.check_mapping(columns, table.headers, mapping) == []
        assert all(mapping[c.key] for c in columns if c.key in ("name", "invoice_number", "unit_price"))


@pytest.mark.parametrize(
    ("fmt_", "number", "expected"),
    [
        ("INV-{year}-{seq:04d}", "INV-2025-0042", ("2025", 42)),
        ("INV-{year}-{seq:04d}", "INV-2025-42", ("2025", 42)),
        ("{year}/{month:02d}/{seq}", "2025/03/7", ("2025", 7)),
        ("F{seq:05d}", "F00012", ("all", 12)),
        ("INV-{year}-{seq:04d}", "2019/77", None),
        ("INV-{year}-{seq:04d}", "INV-2025-0042b", None),
    ],
)
def test_sequence_of_a_number_in_the_current_format(fmt_, number, expected):
    assert sequence_of(fmt_, number) == expected


def test_rows_are_numbered_as_a_spreadsheet_shows_the_file():
    """Blank lines are no rows to import but keep their place, and a quoted cell over two lines
    is one row: a refusal names the row a spreadsheet shows, and the rejected rows say the same."""
    content = b'Name,Email\r\nAnn,a@example.com\r\n\r\n"Bob\nSmith",bad\r\n,\r\nCid,c@example.com\r\n'
    table = fmt.read_csv(content)
    assert [table.row_number(i) for i in range(len(table.rows))] == [2, 4, 6]
    assert table.rows[1] == ["Bob\nSmith", "bad"]
    text = fmt.rejected_rows_csv(table, [fmt.RowError(4, "Email", "Email must look like name@example.com")])
    assert text.splitlines()[1].startswith("4,Email: Email must look like name@example.com")


@pytest.mark.parametrize("loc, quantity, rate", [
    ("en_US", "e.g. 2 or 1.5; blank: 1", "percent, e.g. 20 or 9.975; blank: no tax"),
    ("de_DE", "e.g. 2 or 1,5; blank: 1", "percent, e.g. 20 or 9,975; blank: no tax"),
    ("fr_FR", "e.g. 2 or 1,5; blank: 1", "percent, e.g. 20 or 9,975; blank: no tax"),
])
def test_the_columns_examples_are_written_as_the_file_is_read(locale, loc, quantity, rate):
    # The help said "20 or 9.975" under de_DE, where 9.975 is read as nine thousand.
    locale(loc)
    help_of = {c.key: c.help_in() for c in fmt.INVOICE_COLUMNS}
    assert help_of["quantity"] == quantity and help_of["tax_rate"] == rate
    assert all("{}" not in c.help_in() for c in fmt.CLIENT_COLUMNS + fmt.INVOICE_COLUMNS)


@given(st.sampled_from(numbers.SUPPORTED_LOCALES), st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_every_supported_locales_short_date_reads_back_as_the_same_day(loc, day):
    before = numbers.business_locale()
    numbers.use_business_locale(loc)
    try:
        written = babel_dates.format_date(day, format="short", locale=loc)
        assert fmt.parse_date(written, field="issue_date", label="Issue date", required=True) == day
    finally:
        numbers.use_business_locale(before)


def test_the_date_columns_help_shows_the_locales_short_date(locale):
    locale("de_DE")
    help_of = {c.key: c.help_in() for c in fmt.INVOICE_COLUMNS}
    assert help_of["issue_date"] == "2025-03-31 or 31.03.25 (the business locale's short date)"
    locale("en_US")
    assert {c.key: c.help_in() for c in fmt.INVOICE_COLUMNS}["due_date"].startswith("2025-03-31 or 3/31/25 ")
