"""An Activity line keeps its amounts, dates and moments as values and is written when it is
read: the whole timeline in the business locale of that moment, whatever it was when each line
was written (QA: a locale change left one timeline in two formats)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain import numbers
from invoice_crm.domain.activity import activity_text, date_mark, marked_values, money_mark, time_mark
from invoice_crm.domain.money import CURRENCIES, format_money
from invoice_crm.domain.numbers import format_date, format_timestamp


@pytest.fixture(autouse=True)
def _default_locale():
    yield
    numbers.use_business_locale(numbers.DEFAULT_LOCALE)


amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)


@given(amounts, st.sampled_from(sorted(CURRENCIES)), st.sampled_from(numbers.SUPPORTED_LOCALES))
def test_a_marked_amount_reads_as_the_locale_writes_money(amount, currency, locale):
    line = f"Payment of {money_mark(amount, currency)}; balance due {money_mark(amount * 2, currency)}"
    assert activity_text(line, "UTC", locale) == (
        f"Payment of {format_money(amount, currency, locale)}; balance due {format_money(amount * 2, currency, locale)}"
    )


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(numbers.SUPPORTED_LOCALES))
def test_a_marked_date_reads_as_the_locale_writes_dates(day, locale):
    assert activity_text(f"due {date_mark(day)}", "UTC", locale) == f"due {format_date(day, locale)}"


def test_the_same_line_reads_in_the_locale_of_the_moment_it_is_read():
    line = f"Payment of {money_mark(Decimal('1234.5'), 'eur')} on {date_mark(date(2025, 10, 30))}"
    numbers.use_business_locale("en_US")
    assert activity_text(line, "UTC") == "Payment of €1,234.50 on Oct 30, 2025"
    numbers.use_business_locale("de_DE")
    assert activity_text(line, "UTC") == "Payment of 1.234,50\xa0€ on 30.10.2025"


def test_a_marked_moment_reads_on_the_business_clock():
    moment = datetime(2026, 11, 26, 19, 32, tzinfo=UTC)
    line = f"next try at {time_mark(moment)}"
    assert activity_text(line, "Europe/Berlin", "de_DE") == "next try at 26.11.2026, 20:32"
    assert activity_text(line, "America/New_York", "en_US") == f"next try at {format_timestamp(moment, 'America/New_York', 'en_US')}"
    naive = moment.replace(tzinfo=None)  # the database's UTC without its zone
    assert activity_text(f"{time_mark(naive)}", "Europe/Berlin", "de_DE") == "26.11.2026, 20:32"


@pytest.mark.parametrize("line", [
    "Payment of $40.00 on Nov 27, 2026, bank transfer",  # written before values were kept
    "Voided: client asked; ref 12:30",
    "",
])
def test_a_line_without_values_reads_as_it_was_written(line):
    assert activity_text(line, "UTC", "de_DE") == line


def test_a_value_that_cannot_be_read_shows_as_stored_and_no_separator_is_left():
    broken = "\x1fmoney:lots EUR\x1f, \x1fdate:2025-13-40\x1f, \x1ftime:soon\x1f, stray \x1f end"
    assert activity_text(broken, "UTC", "en_US") == "lots EUR, 2025-13-40, soon, stray  end"


whole_or_cents = st.builds(
    lambda cents, currency: (Decimal(cents).scaleb(-CURRENCIES[currency]), currency),
    st.integers(min_value=-9_999_999_999, max_value=9_999_999_999), st.sampled_from(sorted(CURRENCIES)),
)


@given(whole_or_cents, st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(numbers.SUPPORTED_LOCALES))
def test_a_line_written_as_text_gets_its_amounts_and_dates_as_values(money, day, locale):
    """Migration 0019: a line stored as finished text reads the same afterwards in its locale,
    with every amount of its currency and every date kept as a value."""
    amount, currency = money
    line = (f"Payment of {format_money(amount, currency, locale)} on {format_date(day, locale)}, "
            f"reference 12-3,4.5; balance due {format_money(amount / 3, currency, locale)}")
    marked = marked_values(line, currency, locale)
    assert activity_text(marked, "UTC", locale) == line
    assert marked.count("\x1fmoney:") == 2 and marked.count("\x1fdate:") == 1, marked
    assert "reference 12-3,4.5;" in marked


@pytest.mark.parametrize("line, currency, locale", [
    ("Stripe payment pi_1 of €100.00 is in EUR, not in USD", "USD", "en_US"),  # another currency
    ("Payment of 1.234,50\xa0€ on 27.11.2026", "EUR", "en_US"),  # another locale's writing
    ("Payment of $1,234.5 on Nov 32, 2026", "USD", "en_US"),  # not what the app writes
    ("next try at Nov 27, 2026, 8:32 PM", "USD", "de_DE"),
])
def test_text_that_is_not_the_locales_writing_stays_as_written(line, currency, locale):
    assert marked_values(line, currency, locale) == line


@pytest.mark.parametrize("locale", numbers.SUPPORTED_LOCALES)
def test_a_moment_written_as_text_stays_whole(locale):
    """Its date alone as a value would read in the new locale beside a time in the old one."""
    moment = format_timestamp(datetime(2026, 11, 27, 20, 32, tzinfo=UTC), "UTC", locale)
    line = f"Stripe Checkout session cs_1 for x, usable until {moment}"
    assert marked_values(line, "USD", locale) == line
