"""A number field shows its value as it will be billed once it is left (``1234,5`` ->
``1.234,50`` under de_DE, ``1,234.50`` under en_US): the invoice editor's lines and the
recurring form's lines both do it with these two functions."""

from __future__ import annotations

import json

import reflex as rx

from invoice_crm.domain.drafts import DISCOUNT_PERCENT
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.money import format_price, format_quantity, parse_quantity, parse_unit_price
from invoice_crm.domain.numbers import format_number, parse_number


def as_billed(field: str, text: object, currency: str | None) -> str | None:
    """``text`` of a ``quantity``, ``unit_price`` or ``discount`` (a percent) field written as
    it will be billed; None when it cannot be read (it stays as typed, its error beside it)."""
    try:
        if field == "quantity":
            return format_quantity(parse_quantity(text))
        if field == "unit_price":
            return format_price(parse_unit_price(text, currency=currency), currency)
        if field == "discount":
            return format_number(parse_number(text, DISCOUNT_PERCENT, field=field), DISCOUNT_PERCENT)
    except ValidationError:
        return None
    return None


def show_in_input(element_id: str, text: str) -> rx.event.EventSpec:
    """Set an input's text where the input is not controlled (so no keystroke waits for the
    server); left alone if the field has the focus again by then."""
    element = json.dumps(element_id)
    return rx.call_script(
        f"(() => {{ const el = document.getElementById({element}); "
        f"if (el && document.activeElement !== el) el.value = {json.dumps(text)}; }})()"
    )
