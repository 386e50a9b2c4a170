"""Exact money: Decimal with two places, rounded half-up in one place.

Totals with taxes, discounts and payments come from ``domain.totals.compute_totals``;
``line_total`` and ``invoice_total`` are its simplest cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

from invoice_crm.domain.errors import ValidationError

CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.001")
MAX_QUANTITY = Decimal("100000")
MAX_UNIT_PRICE = Decimal("1000000")
MAX_INVOICE_TOTAL = Decimal("999999999.99")

# ISO 4217 currencies this app accepts, with their number of minor-unit digits.
CURRENCIES: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "NZD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "JPY": 0,
}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


class PricedLine(Protocol):
    quantity: Decimal
    unit_price: Decimal


def quantize_money(value: Decimal) -> Decimal:
    """Round to cents, half-up (the one rounding rule for money)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity x unit price, rounded half-up to cents."""
    return quantize_money(Decimal(quantity) * Decimal(unit_price))


def invoice_total(lines: Iterable[PricedLine]) -> Decimal:
    """Sum of the rounded line totals, for lines without tax or discount: the one total
    function (``domain.totals.compute_totals``) with nothing else."""
    from invoice_crm.domain.totals import LineSpec, compute_totals

    return compute_totals([LineSpec(line.quantity, line.unit_price) for line in lines]).total


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Exact amount in the currency's smallest unit (cents), for Stripe."""
    digits = CURRENCIES.get(currency.upper(), 2)
    scaled = quantize_money(amount) * (Decimal(10) ** digits)
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            f"{amount} cannot be expressed in whole {currency} minor units", field="amount"
        )
    return int(scaled)


def plain_number(value: Decimal) -> str:
    """A quantity as typed, without trailing zeros or exponent: 2.500 -> 2.5, 100 -> 100."""
    return format(Decimal(value).normalize(), "f")


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    """Human display: symbol, thousands separators, two places (``$1,234.50``)."""
    if amount is None:
        return ""
    value = quantize_money(Decimal(amount))
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    body = f"{abs(value):,.2f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency.upper()}"


def parse_decimal(
    raw: object,
    *,
    field: str,
    label: str,
    places: Decimal,
    minimum: Decimal,
    maximum: Decimal,
    allow_equal_minimum: bool = True,
) -> Decimal:
    """Parse user text (or a number) to Decimal, refusing what is not an exact, sane value."""
    if isinstance(raw, float):
        raise ValidationError(f"{label} must be given exactly, not as a float", field=field)
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        raise ValidationError(f"{label} is required", field=field)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label} must be a number", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"{label} must be a number", field=field)
    if value.quantize(places, rounding=ROUND_HALF_UP) != value:
        digits = -places.as_tuple().exponent
        raise ValidationError(f"{label} can have at most {digits} decimal places", field=field)
    if value < minimum or (value == minimum and not allow_equal_minimum):
        word = "at least" if allow_equal_minimum else "more than"
        raise ValidationError(f"{label} must be {word} {minimum}", field=field)
    if value > maximum:
        raise ValidationError(f"{label} must be at most {maximum:,}", field=field)
    return value.quantize(places)


def parse_quantity(raw: object, field: str = "quantity") -> Decimal:
    return parse_decimal(
        raw,
        field=field,
        label="Quantity",
        places=QUANTITY_STEP,
        minimum=Decimal("0"),
        maximum=MAX_QUANTITY,
        allow_equal_minimum=False,
    )


def parse_unit_price(raw: object, field: str = "unit_price") -> Decimal:
    return parse_decimal(
        raw,
        field=field,
        label="Unit price",
        places=CENT,
        minimum=Decimal("0"),
        maximum=MAX_UNIT_PRICE,
    )


def parse_amount(raw: object, field: str = "amount") -> Decimal:
    return parse_decimal(
        raw,
        field=field,
        label="Amount",
        places=CENT,
        minimum=Decimal("0"),
        maximum=MAX_INVOICE_TOTAL,
        allow_equal_minimum=False,
    )


def normalize_currency(raw: str | None) -> str:
    code = (raw or "").strip().upper()
    if code not in CURRENCIES:
        raise ValidationError(
            f"Currency must be one of {', '.join(sorted(CURRENCIES))}", field="currency"
        )
    return code
