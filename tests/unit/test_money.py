from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain.drafts import LineInput
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import (
    CURRENCIES,
    format_money,
    invoice_total,
    line_total,
    parse_amount,
    parse_quantity,
    parse_unit_price,
    quantize_money,
    to_minor_units,
)
from invoice_crm.domain.totals import LineSpec, compute_totals


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        ("1", "0.005", "0.01"),  # half-up, not banker's rounding
        ("1", "0.015", "0.02"),
        ("1", "0.025", "0.03"),
        ("3", "33.333", "100.00"),
        ("0.333", "10", "3.33"),
        ("2.5", "19.99", "49.98"),  # 49.975 rounds up
        ("12.5", "95", "1187.50"),
    ],
)
def test_line_total_rounds_half_up_to_cents(quantity, price, expected):
    assert line_total(Decimal(quantity), Decimal(price)) == Decimal(expected)


def test_invoice_total_sums_rounded_lines_exactly():
    lines = [LineInput("a", Decimal("1"), Decimal("0.10")) for _ in range(3)]
    assert invoice_total(lines) == Decimal("0.30")  # never 0.30000000000000004
    assert invoice_total([]) == Decimal("0.00")


def test_invoice_total_rounds_each_line_before_summing():
    lines = [LineInput("a", Decimal("1"), Decimal("0.005")), LineInput("b", Decimal("1"), Decimal("0.005"))]
    assert invoice_total(lines) == Decimal("0.02")


def test_minor_units_are_exact():
    assert to_minor_units(Decimal("1234.56"), "USD") == 123456
    assert to_minor_units(Decimal("0.07"), "EUR") == 7
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    with pytest.raises(ValidationError):
        to_minor_units(Decimal("10.50"), "JPY")


def test_quantize_and_format():
    assert quantize_money(Decimal("2.675")) == Decimal("2.68")
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("-3"), "EUR") == "-€3.00"
    assert format_money(Decimal("10"), "SEK") == "SEK\u00a010.00"  # a code is never glued to digits


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Quantity is required"),
        ("abc", "Quantity must be a number between 0.001 and 100000"),
        ("-1", "Quantity must be between 0.001 and 100000"),
        ("0", "Quantity must be between 0.001 and 100000"),
        ("1e9", "Quantity must be a number between 0.001 and 100000"),
        ("1000000", "Quantity must be between 0.001 and 100000"),
        ("1.2345", "at most 3 decimal places"),
        ("NaN", "Quantity must be a number"),
        ("Infinity", "Quantity must be a number"),
    ],
)
def test_bad_quantities_are_refused_with_the_field_named(raw, message):
    with pytest.raises(ValidationError) as err:
        parse_quantity(raw)
    assert message in err.value.message
    assert err.value.field == "quantity"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5", "Unit price must be between 0.00 and 1,000,000.00"),
        ("ten", "Unit price must be a number between 0.00 and 1,000,000.00"),
        ("10.001", "at most 2 decimal places"),
        ("99999999999", "Unit price must be between 0.00 and 1,000,000.00"),
    ],
)
def test_bad_prices_are_refused(raw, message):
    with pytest.raises(ValidationError) as err:
        parse_unit_price(raw)
    assert message in err.value.message
    assert err.value.field == "unit_price"


def test_floats_are_refused_and_text_with_separators_accepted():
    with pytest.raises(ValidationError):
        parse_unit_price(0.1)
    assert parse_unit_price("1,250.50") == Decimal("1250.50")
    assert parse_quantity(" 2.5 ") == Decimal("2.500")


def test_quantities_display_as_typed():
    from invoice_crm.domain.money import plain_number

    assert plain_number(Decimal("2.500")) == "2.5"
    assert plain_number(Decimal("100.000")) == "100"  # never 1E+2
    assert plain_number(Decimal("0.125")) == "0.125"


@pytest.mark.parametrize(("typed", "currency", "kept"), [
    ("1000", "JPY", Decimal("1000")), ("1,000.00", "JPY", Decimal("1000")), ("¥1,500", "JPY", Decimal("1500")),
    ("999.50", "USD", Decimal("999.50")), ("999.5", None, Decimal("999.50")),
])
def test_a_price_the_currency_can_bill_exactly_is_kept(typed, currency, kept):
    assert parse_unit_price(typed, currency=currency) == kept


@pytest.mark.parametrize("typed", ["999.50", "0.5", "1,000.01", "¥12.30"])
def test_a_yen_price_with_a_fraction_of_a_yen_is_refused_beside_its_field(typed):
    """The line would be billed rounded (999.50 -> 1,000) while showing the price as typed: the
    lines would not add up to the total the client pays."""
    with pytest.raises(ValidationError) as refused:
        parse_unit_price(typed, field="lines.0.unit_price", currency="JPY")
    assert refused.value.field == "lines.0.unit_price"
    assert refused.value.message == "Unit price must be a whole number in JPY: it has no smaller unit"


@given(st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(sorted(CURRENCIES)))
def test_every_accepted_price_is_billed_as_it_is_shown(price, currency):
    """Whatever is accepted for a currency, its line at quantity 1 is the price itself: the
    total function has nothing to round away."""
    try:
        kept = parse_unit_price(price, currency=currency)
    except ValidationError:
        assert CURRENCIES[currency] == 0 and price != price.to_integral_value()
        return
    assert compute_totals([LineSpec(Decimal(1), kept)], currency=currency).total == kept


def test_a_price_field_shows_a_yen_price_without_decimals():
    from invoice_crm.domain.money import format_price

    assert format_price(Decimal("1500"), "JPY") == "1,500"
    assert format_price(Decimal("1500"), "USD") == "1,500.00"
    assert format_price(Decimal("1500")) == "1,500.00"
    assert parse_unit_price(format_price(Decimal("1500"), "JPY"), currency="JPY") == Decimal("1500")


def test_a_refused_yen_amount_never_suggests_a_fraction_of_a_yen():
    """Under ja_JP, "1.234,50" was answered "use 1,234.50", which the yen's own check then
    refused; its range read "0.00 to …". A refusal in yen writes whole yen only."""
    from invoice_crm.domain import numbers

    numbers.use_business_locale("ja_JP")
    try:
        for typed in ("1.234,50", "1,5", "12.505"):
            with pytest.raises(ValidationError) as refused:
                parse_amount(typed, currency="JPY")
            message = refused.value.message
            assert ".5" not in message and ".00" not in message and ",50" not in message, message
        with pytest.raises(ValidationError, match=r"unclear here: use 1\.5"):
            parse_amount("1,5", currency="USD")  # two decimals in dollars: suggested as before
        assert parse_amount("1,000.00", currency="JPY") == Decimal("1000")  # whole, written with zeros: kept
    finally:
        numbers.use_business_locale("en_US")


@pytest.mark.parametrize(("locale", "typed", "currency", "kept"), [
    ("ja_JP", "110,000円", "JPY", Decimal("110000")), ("ja_JP", "5,000 円", "JPY", Decimal("5000")),
    ("de_CH", "Fr. 12.50", "CHF", Decimal("12.50")), ("de_CH", "1’234.50 Fr.", "CHF", Decimal("1234.50")),
])
def test_an_amount_with_its_currencys_everyday_sign_is_read(locale, typed, currency, kept):
    from invoice_crm.domain import numbers

    numbers.use_business_locale(locale)
    try:
        assert parse_amount(typed, currency=currency) == kept
    finally:
        numbers.use_business_locale("en_US")
