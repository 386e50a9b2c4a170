"""Numbers, money and dates in the business locale: what is accepted, what is refused and why,
and (hypothesis) that formatting then parsing is exact and no input is read 10^k times off."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from babel import numbers as babel_numbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoice_crm.domain import numbers
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import (
    AMOUNT,
    CURRENCIES,
    QUANTITY,
    UNIT_PRICE,
    format_money,
    format_price,
    format_quantity,
    parse_amount,
    parse_quantity,
    parse_unit_price,
)

LOCALES = numbers.SUPPORTED_LOCALES
SPECS = (QUANTITY, UNIT_PRICE, AMOUNT)


@pytest.fixture(autouse=True)
def back_to_the_default_locale():
    yield
    numbers.use_business_locale(numbers.DEFAULT_LOCALE)


def _read(text: str, spec: numbers.NumberField, locale: str, currency: str | None = None) -> Decimal:
    return numbers.parse_number(text, spec, field="f", locale=locale, currency=currency)


def _refusal(text: str, spec=UNIT_PRICE, locale="en_US", currency: str | None = None) -> str:
    with pytest.raises(ValidationError) as err:
        _read(text, spec, locale, currency)
    assert err.value.field == "f"
    return err.value.message


@pytest.mark.parametrize(
    ("locale", "text", "currency", "expected"),
    [
        ("en_US", "1.5", None, "1.50"),
        ("en_US", "1,234.5", None, "1234.50"),
        ("en_US", "1,234", None, "1234.00"),  # a price: 1.234 has three places, so grouping
        ("en_US", "$50", "USD", "50.00"),
        ("en_US", "USD 1,000,000", "USD", "1000000.00"),
        ("en_US", "1 234.50", None, "1234.50"),  # a typed space groups too
        ("en_US", "1\u00a0234.50", None, "1234.50"),
        ("de_DE", "1,5", None, "1.50"),
        ("de_DE", "€ 1.234,50", "EUR", "1234.50"),
        ("de_DE", "1.234,50 €", "EUR", "1234.50"),
        ("de_DE", "1.234", None, "1234.00"),
        ("fr_FR", "1 234,50", None, "1234.50"),
        ("fr_FR", "1\u202f234,50\u00a0€", "EUR", "1234.50"),
        ("de_CH", "1'234.50", None, "1234.50"),
        ("de_CH", "CHF 1’234.50", "CHF", "1234.50"),
        ("ja_JP", "￥1,234", "JPY", "1234.00"),
        ("es_ES", "1.234,5", None, "1234.50"),
        ("nl_NL", "€ 1.234,50", "EUR", "1234.50"),
        ("en_US", ".5", None, "0.50"),
    ],
)
def test_locale_text_with_signs_spaces_and_grouping_is_read(locale, text, currency, expected):
    assert _read(text, UNIT_PRICE, locale, currency) == Decimal(expected)


@pytest.mark.parametrize(
    ("locale", "text", "hint"),
    [
        ("en_US", "1,5", "use 1.5"),
        ("en_US", "1,50", "use 1.50"),
        ("en_US", "12,5", "use 12.5"),
        ("en_US", "1.234,50", "use 1,234.50"),
        ("de_DE", "1.5", "use 1,5"),
        ("de_DE", "1,234.50", "use 1.234,50"),
        ("fr_FR", "1.5", "use 1,5"),
        ("de_CH", "1,5", "use 1.5"),
    ],
)
def test_the_other_conventions_decimal_is_refused_with_a_hint(locale, text, hint):
    assert hint in _refusal(text, UNIT_PRICE, locale)


@pytest.mark.parametrize(
    ("locale", "text", "hint"),
    [("en_US", "1,234", "use 1234 or 1.234"), ("de_DE", "1.234", "use 1,234 or 1234"), ("ja_JP", "2,500", "use 2500 or 2.5")],
)
def test_a_lone_separator_before_three_digits_is_unclear_in_a_quantity(locale, text, hint):
    """1,234 hours or 1.234 hours? A quantity may have three places, so both readings are plausible."""
    assert hint in _refusal(text, QUANTITY, locale)
    assert _read(text.replace(",", "").replace(".", ""), QUANTITY, locale) > 1000


@pytest.mark.parametrize(
    "text", ["1e30", "1e309", "1E5", "inf", "-inf", "Infinity", "nan", "NaN", "1_0", ",,,,7", "1,,5", "1..5", "1.2.3",
             "0x10", "(5)", "5-", "--5", "abc", "1/2", "½", "12 34", "", " ", "1" * 100, "$5", "€5"],
)
def test_odd_input_is_refused_naming_the_range(text):
    message = _refusal(text, QUANTITY)
    assert "required" in message or "between 0.001 and 100000" in message


def test_full_width_and_other_scripts_digits_are_refused():
    for text in ("１２", "١٢", "१२", "12３"):
        assert "digits 0-9" in _refusal(text, QUANTITY)


@pytest.mark.parametrize(
    ("spec", "text", "words"),
    [
        (UNIT_PRICE, "-5", "between 0.00 and 1,000,000.00"),
        (QUANTITY, "-1", "between 0.001 and 100000"),
        (QUANTITY, "0", "between 0.001 and 100000"),
        (QUANTITY, "100001", "between 0.001 and 100000"),
        (UNIT_PRICE, "1000000.01", "between 0.00 and 1,000,000.00"),
        (UNIT_PRICE, "10.001", "at most 2 decimal places, between 0.00 and 1,000,000.00"),
        (UNIT_PRICE, "10.000", "at most 2 decimal places"),  # 10.000 could be ten thousand
        (QUANTITY, "1.2345", "at most 3 decimal places, between 0.001 and 100000"),
        (AMOUNT, "0", "between 0.01 and 999,999,999.99"),
    ],
)
def test_out_of_range_negative_and_too_precise_are_refused_naming_the_range(spec, text, words):
    assert words in _refusal(text, spec)


def test_the_range_is_written_in_the_locale():
    assert "between 0,00 and 1.000.000,00" in _refusal("-1", UNIT_PRICE, "de_DE")


def test_another_currency_sign_is_refused():
    _refusal("$50", UNIT_PRICE, "en_US", currency="EUR")
    _refusal("50 SEK", UNIT_PRICE, "en_US", currency="EUR")


def test_values_from_code_are_checked_not_reinterpreted():
    assert parse_quantity(Decimal("2.500")) == Decimal("2.500")
    assert parse_unit_price(7) == Decimal("7.00")
    for bad in (Decimal("Infinity"), Decimal("NaN"), Decimal("1E+30"), Decimal("0.001"), 0.1, True):
        with pytest.raises(ValidationError):
            parse_unit_price(bad)


def test_the_business_locale_drives_the_money_helpers():
    numbers.use_business_locale("de_DE")
    assert parse_unit_price("1,5") == Decimal("1.50")
    assert format_money(Decimal("1234.5"), "EUR") == "1.234,50\u00a0€"
    assert format_price(Decimal("1.5")) == "1,50"
    assert format_quantity(Decimal("2.500")) == "2,5"
    assert numbers.format_date(date(2026, 11, 5)) == "05.11.2026"
    numbers.use_business_locale("en_US")
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert numbers.format_date(date(2026, 11, 5)) == "Nov 5, 2026"


def test_unsupported_locales_are_refused():
    assert numbers.check_locale("de-DE") == "de_DE"
    for bad in ("xx_YY", "en", "", "klingon"):
        with pytest.raises(ValueError, match="unsupported locale"):
            numbers.check_locale(bad)


# --- properties --------------------------------------------------------------------------

def _amounts(spec: numbers.NumberField):
    return st.decimals(min_value=spec.minimum, max_value=spec.maximum, places=spec.places, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(locale=st.sampled_from(LOCALES), value=_amounts(UNIT_PRICE), currency=st.sampled_from(sorted(CURRENCIES)))
def test_money_formatted_then_parsed_is_the_same_decimal(locale, value, currency):
    assert _read(numbers.format_number(value, UNIT_PRICE, locale), UNIT_PRICE, locale) == value
    shown = numbers.format_currency(value, currency, locale)
    assert _read(shown, UNIT_PRICE, locale, currency=currency) == value, shown


@settings(max_examples=300, deadline=None)
@given(locale=st.sampled_from(LOCALES), value=_amounts(AMOUNT), currency=st.sampled_from(sorted(CURRENCIES)))
def test_payment_amounts_formatted_then_parsed_are_the_same_decimal(locale, value, currency):
    """In the currency's smallest unit (a whole yen: a fraction of one is refused)."""
    numbers.use_business_locale(locale)
    assert parse_amount(format_price(value)) == value
    if CURRENCIES[currency] == 0 and value != value.to_integral_value():
        with pytest.raises(ValidationError, match="whole number in JPY"):
            parse_amount(format_money(value, currency), currency=currency)
        value = max(value.to_integral_value(rounding=ROUND_DOWN), Decimal(1))
    assert parse_amount(format_money(value, currency), currency=currency) == value
    assert parse_amount(format_price(value, currency), currency=currency) == value


@settings(max_examples=300, deadline=None)
@given(locale=st.sampled_from(LOCALES), value=_amounts(QUANTITY))
def test_quantities_formatted_then_parsed_are_the_same_decimal(locale, value):
    assert _read(numbers.format_number(value, QUANTITY, locale), QUANTITY, locale) == value


_TYPED = st.text(alphabet="0123456789.,", min_size=1, max_size=12) | st.builds(
    lambda a, sep, b: f"{a}{sep}{b}",
    st.integers(0, 99999).map(str),
    st.sampled_from([".", ","]),
    st.text(alphabet="0123456789", min_size=0, max_size=4),
)


def _reading(text: str, spec, locale) -> Decimal | None:
    try:
        return _read(text, spec, locale)
    except ValidationError:
        return None


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TYPED, spec=st.sampled_from(SPECS))
def test_no_accepted_input_is_read_as_another_value_by_the_other_convention(text, spec):
    """Whatever a person of either convention types, no two locales that differ in their
    decimal sign both accept it with different values: a 1,5 is never a silent 15."""
    readings = {locale: _reading(text, spec, locale) for locale in LOCALES}
    for a, value_a in readings.items():
        for b, value_b in readings.items():
            if value_a is None or value_b is None:
                continue
            if numbers.babel_numbers.get_decimal_symbol(a) != numbers.babel_numbers.get_decimal_symbol(b):
                assert value_a == value_b, (text, a, value_a, b, value_b)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=50), locale=st.sampled_from(LOCALES), spec=st.sampled_from(SPECS),
       currency=st.none() | st.sampled_from(sorted(CURRENCIES)))
def test_any_text_is_read_within_range_or_refused_never_raised(text, locale, spec, currency):
    try:
        value = _read(text, spec, locale, currency)
    except ValidationError as err:
        assert err.message
        return
    assert spec.minimum <= value <= spec.maximum
    assert value == value.quantize(Decimal(1).scaleb(-spec.places))
    assert all(c.isascii() or not c.isdigit() for c in text)


@settings(max_examples=600, deadline=None)
@given(
    locale=st.sampled_from(LOCALES),
    value=st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(sorted(CURRENCIES)),
)
def test_amounts_read_exactly_as_babels_format_currency_writes_them(locale, value, currency):
    """The currency's sign and digits are written into the locale's pattern once (for speed);
    every amount still reads as Babel's own format_currency writes it (with the letter-digit
    spacing added), in every supported locale and currency, negatives and -0.00 included."""
    expected = babel_numbers.format_currency(value, currency, locale=locale, decimal_quantization=False)
    assert numbers.format_currency(value, currency, locale) == numbers._LETTER_DIGIT.sub("\xa0", expected)


def test_a_pattern_not_prepared_is_written_by_babel_itself(monkeypatch):
    """A currency pattern naming the currency (none of the supported locales' does) is not
    prepared: Babel's format_currency writes the amount, with the same spacing rule."""
    value = Decimal("1234.5")
    monkeypatch.setattr(numbers, "_currency_pattern", lambda currency, locale: None)
    numbers._currency_text.cache_clear()
    try:
        assert numbers.format_currency(value, "SEK", "en_US") == numbers._LETTER_DIGIT.sub(
            "\xa0", babel_numbers.format_currency(value, "SEK", locale="en_US", decimal_quantization=False)
        ) == "SEK\xa01,234.50"
    finally:
        numbers._currency_text.cache_clear()


def test_remembered_texts_follow_the_locale_and_the_sign():
    """Formatted amounts and dates are remembered (a page of rows formats the same ones again),
    keyed by the locale in effect and the exact amount: nothing carries over between them."""
    zero, minus_zero = Decimal("0.00"), Decimal("-0.00")
    assert numbers.format_currency(minus_zero, "USD", "en_US") == "-$0.00"
    assert numbers.format_currency(zero, "USD", "en_US") == "$0.00"
    assert numbers.format_currency(Decimal("1234.5"), "EUR", "en_US") == "€1,234.50"
    assert numbers.format_currency(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"
    assert numbers.format_currency(Decimal("1234.5"), "eur", "de_DE") == "1.234,50\xa0€"
    day = date(2026, 11, 5)
    assert numbers.format_date(day, "en_US") == "Nov 5, 2026"
    assert numbers.format_date(day, "de_DE") == "05.11.2026"
    previous = numbers._locale_source
    numbers.use_locale_source(lambda: "de_DE")
    try:
        assert numbers.format_currency(Decimal("2.5"), "EUR") == "2,50\xa0€"
        assert numbers.format_date(day) == "05.11.2026"
        numbers.use_locale_source(lambda: "en_US")
        assert numbers.format_currency(Decimal("2.5"), "EUR") == "€2.50"
        assert numbers.format_date(day) == "Nov 5, 2026"
    finally:
        numbers.use_locale_source(previous)


@pytest.mark.parametrize(("rate", "locale", "shown"), [
    ("8.875", "en_US", "8.875%"), ("8.875", "de_DE", "8,875\xa0%"), ("8.875", "fr_FR", "8,875\xa0%"),
    ("20.0000", "en_US", "20%"), ("9.975", "de_CH", "9.975%"), ("100", "en_US", "100%"), ("0.5", "de_DE", "0,5\xa0%"),
])
def test_a_rate_is_written_as_the_locale_writes_a_percentage(rate, locale, shown):
    assert numbers.format_percent(Decimal(rate), locale) == shown


@pytest.mark.parametrize(("locale", "written"), [
    ("en_US", "14 March 2025"), ("en_GB", "14 March 2025"), ("de_DE", "14. März 2025"), ("fr_FR", "14 mars 2025"),
    ("es_ES", "14 de marzo de 2025"), ("ja_JP", "2025年3月14日"),
])
def test_emails_write_a_date_in_full_as_the_locale_does_the_day_before_the_month(locale, written):
    """German emails said "14 März 2025" (no period after the day): the locale's own long form,
    except that a month-first form (en_US) keeps the day first."""
    assert numbers.format_long_date(date(2025, 3, 14), locale) == written
