"""The editor's line fields and the payment amount, driven through their event handlers (no
browser): what a keystroke and leaving a field do to the state the page shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_crm.domain import numbers
from invoice_crm.state.editor import EditorState, new_line
from invoice_crm.state.invoice_page import InvoicePageState


@pytest.fixture(autouse=True)
def back_to_the_default_locale():
    yield
    numbers.use_business_locale(numbers.DEFAULT_LOCALE)


def _editor(currency: str = "USD") -> EditorState:
    state = EditorState(_reflex_internal_init=True)
    state.currency = currency
    state.lines = [new_line(), new_line()]
    return state


def _type(state: EditorState, index: int, field: str, text: str) -> None:
    EditorState.set_line.fn(state, index, field, text)


def test_odd_input_shows_an_error_and_no_total_and_never_raises():
    state = _editor()
    for text in ("1e30", "1e309", "inf", "nan", "１２", "1_0", ",,,,7", "x" * 10_000):
        _type(state, 0, "quantity", text)
        _type(state, 0, "unit_price", "10")
        view = state.line_views[0]
        assert "between 0.001 and 100000" in view["quantity_error"], text
        assert view["total_display"] == "—"
        assert state.total_display == "$0.00"


def test_totals_follow_each_keystroke_and_ambiguous_input_adds_nothing():
    state = _editor()
    _type(state, 0, "quantity", "2")
    _type(state, 0, "unit_price", "1,5")
    assert "use 1.5" in state.line_views[0]["unit_price_error"]
    assert state.total_display == "$0.00"  # never $30.00
    _type(state, 0, "unit_price", "1.5")
    _type(state, 1, "quantity", "3")
    _type(state, 1, "unit_price", "$1,000")
    assert [v["total_display"] for v in state.line_views] == ["$3.00", "$3,000.00"]
    assert state.total_display == "$3,003.00"


def test_leaving_a_field_shows_the_value_as_billed_and_saves_exact_decimals():
    numbers.use_business_locale("de_DE")
    state = _editor("EUR")
    EditorState.leave_line_field.fn(state, 0, "unit_price", "1,5")
    EditorState.leave_line_field.fn(state, 0, "quantity", "2,50")
    assert (state.lines[0]["quantity"], state.lines[0]["unit_price"]) == ("2,5", "1,50")
    EditorState.leave_line_field.fn(state, 1, "unit_price", "1.5")  # unclear: kept as typed
    assert state.lines[1]["unit_price"] == "1.5"
    saved = state._line_for_save(state.lines[0])
    assert (saved["quantity"], saved["unit_price"]) == (Decimal("2.500"), Decimal("1.50"))
    assert state._line_for_save(state.lines[1])["unit_price"] == "1.5"  # the service names the field


def test_the_payment_amount_is_read_in_the_locale_with_the_invoice_currency():
    state = InvoicePageState(_reflex_internal_init=True)
    state.invoice = {"currency": "EUR"}
    InvoicePageState.set_payment_amount.fn(state, "1,5")
    assert "use 1.5" in state.payment_amount_error
    InvoicePageState.set_payment_amount.fn(state, "1e309")
    assert "between 0.01 and 999,999,999.99" in state.payment_amount_error
    InvoicePageState.leave_payment_amount.fn(state, "€1,234.5")
    assert (state.payment_amount, state.payment_amount_error) == ("1,234.50", "")
    assert state._read_payment_amount() == Decimal("1234.50")
