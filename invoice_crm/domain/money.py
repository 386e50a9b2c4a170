"""Exact money: Decimal with two places, rounded half-up in one place.

Totals with taxes, discounts and payments come from ``domain.totals.compute_totals``;
``line_total`` and ``invoice_total`` are its simplest cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from invoice_crm.domain import numbers
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


class PricedLine(Protocol):
    quantity: Decimal
    unit_price: Decimal


def quantize_money(value: Decimal) -> Decimal:
    """Round to cents, half-up (the one rounding rule for money)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, currency: str = "USD") -> Decimal:
    """quantity x unit price, rounded half-up to the currency's smallest unit (cents; the
    yen for JPY), as the one total function rounds a line's amount."""
    from invoice_crm.domain.totals import round_money

    return round_money(Decimal(quantity) * Decimal(unit_price), currency)


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
    """A quantity in machine form, without trailing zeros or exponent: 2.500 -> 2.5, 100 -> 100."""
    return format(Decimal(value).normalize(), "f")


def format_money(amount: Decimal | None, currency: str = "USD", locale: str | None = None) -> str:
    """Money as the freelancer reads it, in the business locale: ``$1,234.50`` (en_US),
    ``1.234,50 €`` (de_DE). The one function every screen, PDF and email uses."""
    if amount is None or amount == "":
        return ""
    return numbers.format_currency(Decimal(amount), currency, locale)


def format_quantity(value: Decimal) -> str:
    """A quantity in the business locale, as typed: ``2.5`` (en_US), ``2,5`` (de_DE)."""
    return numbers.format_number(value, QUANTITY)


def format_price(value: Decimal, currency: str | None = None) -> str:
    """A unit price or amount for an input, as it will be billed: ``1,234.50`` / ``1.234,50``;
    ``1,234`` in a currency without cents (JPY)."""
    digits = CURRENCIES.get((currency or "").upper(), UNIT_PRICE.places)
    return numbers.format_number(value, UNIT_PRICE, places=min(digits, UNIT_PRICE.places))


QUANTITY = numbers.NumberField("Quantity", 3, QUANTITY_STEP, MAX_QUANTITY, grouped=False)
UNIT_PRICE = numbers.NumberField("Unit price", 2, Decimal("0"), MAX_UNIT_PRICE)
AMOUNT = numbers.NumberField("Amount", 2, CENT, MAX_INVOICE_TOTAL)


def parse_quantity(raw: object, field: str = "quantity") -> Decimal:
    """A quantity typed in the business locale (or a Decimal): more than 0, at most 100000, 3 places."""
    return numbers.parse_number(raw, QUANTITY, field=field)


def parse_unit_price(raw: object, field: str = "unit_price", currency: str | None = None) -> Decimal:
    """A unit price typed in the business locale, with or without ``currency``'s sign; in
    ``currency``'s smallest unit (whole yen for JPY)."""
    value = numbers.parse_number(
        raw, UNIT_PRICE, field=field, currency=currency, minor_places=CURRENCIES.get((currency or "").upper())
    )
    return check_minor_units(value, currency, field=field, label=UNIT_PRICE.label)


def parse_amount(raw: object, field: str = "amount", currency: str | None = None) -> Decimal:
    """A payment amount typed in the business locale, with or without ``currency``'s sign; in
    ``currency``'s smallest unit."""
    value = numbers.parse_number(
        raw, AMOUNT, field=field, currency=currency, minor_places=CURRENCIES.get((currency or "").upper())
    )
    return check_minor_units(value, currency, field=field, label=AMOUNT.label)


def check_minor_units(value: Decimal, currency: str | None, *, field: str, label: str) -> Decimal:
    """``value`` unchanged if ``currency`` can bill it exactly: ``999.50`` JPY cannot (the yen
    has no smaller unit), and its line would be rounded to 1,000 while showing 999.50.
    ``1000.00`` JPY is 1,000 exactly and passes. Without a currency nothing is checked."""
    digits = CURRENCIES.get((currency or "").upper())
    if digits is None or value == value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):
        return value
    if digits == 0:
        raise ValidationError(f"{label} must be a whole number in {currency.upper()}: it has no smaller unit", field=field)
    raise ValidationError(f"{label} can have at most {digits} decimal places in {currency.upper()}", field=field)


def normalize_currency(raw: str | None) -> str:
    code = (raw or "").strip().upper()
    if code not in CURRENCIES:
        raise ValidationError(
            f"Currency must be one of {', '.join(sorted(CURRENCIES))}", field="currency"
        )
    return code
