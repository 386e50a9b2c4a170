"""Times, months and long dates as people read them: Babel in the business locale, times on the
business's clock (never raw ISO UTC on a page, a PDF or in the Activity list)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from invoice_crm.domain import numbers

NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM (en_US)
MOMENT = datetime(2026, 11, 26, 19, 32, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz_name", "locale", "expected"),
    [
        ("Europe/Berlin", "en_US", f"Nov 26, 2026, 8:32{NNBSP}PM"),  # UTC+1 in November
        ("Europe/Berlin", "de_DE", "26.11.2026, 20:32"),
        ("America/New_York", "en_US", f"Nov 26, 2026, 2:32{NNBSP}PM"),  # UTC-5
        ("UTC", "de_DE", "26.11.2026, 19:32"),
        ("Europe/London", "en_GB", "26 Nov 2026, 19:32"),
    ],
)
def test_a_timestamp_is_shown_on_the_business_clock_in_its_locale(tz_name, locale, expected):
    assert numbers.format_timestamp(MOMENT, tz_name, locale) == expected


def test_the_business_timezone_can_move_a_timestamp_to_the_next_day():
    late = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert numbers.format_timestamp(late, "Pacific/Auckland", "de_DE") == "11.03.2026, 12:30"
    assert numbers.format_timestamp(late, "America/New_York", "de_DE") == "10.03.2026, 19:30"


def test_a_naive_timestamp_is_read_as_utc_and_none_is_empty():
    naive = MOMENT.replace(tzinfo=None)
    assert numbers.format_timestamp(naive, "Europe/Berlin", "de_DE") == "26.11.2026, 20:32"
    assert numbers.format_timestamp(None, "Europe/Berlin", "de_DE") == ""


def test_a_timestamp_without_a_locale_uses_the_business_locale():
    previous = numbers._locale_source
    numbers.use_locale_source(lambda: "de_DE")
    try:
        assert numbers.format_timestamp(MOMENT, "Europe/Berlin") == "26.11.2026, 20:32"
    finally:
        numbers.use_locale_source(previous)


def test_no_timestamp_text_is_iso_or_says_utc():
    for locale in numbers.SUPPORTED_LOCALES:
        text = numbers.format_timestamp(MOMENT, "Europe/Berlin", locale)
        assert "2026-11-26" not in text and "UTC" not in text, (locale, text)
        assert "20:32" in text or "8:32" in text, (locale, text)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "Nov 2026"), ("de_DE", "Nov. 2026"), ("fr_FR", "nov. 2026"), ("ja_JP", "2026年11月")],
)
def test_a_month_is_named_in_the_locale(locale, expected):
    assert numbers.format_month(date(2026, 11, 26), locale) == expected
    assert numbers.format_month(date(2026, 11, 1), locale) == expected


def test_no_month_is_empty():
    assert numbers.format_month(None, "en_US") == ""


def test_long_dates_are_babels_long_form():
    day = date(2026, 10, 30)
    assert numbers.format_date(day, "de_DE", style="long") == "30. Oktober 2026"
    assert numbers.format_date(day, "en_US", style="long") == "October 30, 2026"
