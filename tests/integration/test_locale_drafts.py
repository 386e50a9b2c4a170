"""Drafts saved with numbers typed in the business locale: the amount stored is the one meant."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_crm.domain.errors import ValidationError
from invoice_crm.services import demo, invoices
from tests.integration.helpers import draft_input, make_client


def test_1_5_is_refused_under_en_us_naming_the_line_field(locale):
    locale("en_US")
    client = make_client()
    with pytest.raises(ValidationError) as err:
        invoices.create_invoice(draft_input(client.id, lines=[{"description": "a", "quantity": "2", "unit_price": "1,5"}]))
    assert err.value.field == "lines.0.unit_price" and "use 1.5" in err.value.message


def test_1_5_bills_1_50_under_de_de(locale):
    locale("de_DE")
    client = make_client()
    invoice = invoices.create_invoice(
        draft_input(client.id, currency="EUR", lines=[{"description": "a", "quantity": "2", "unit_price": "1,5"}])
    )
    assert invoice.amount == Decimal("3.00")
    invoice = invoices.create_invoice(
        draft_input(client.id, currency="EUR", lines=[{"description": "b", "quantity": "1", "unit_price": Decimal("1234.50")}])
    )
    assert invoice.amount == Decimal("1234.50")  # values from code are never re-read as text


def test_demo_data_loads_in_any_locale(locale):
    locale("de_DE")
    assert demo.load_demo_data() > 0
