"""Tax rates and percent discounts are written as the business locale writes a percentage
(8.875% under en_US, 8,875 % under de_DE: "8.875" would read as eight thousand there), on
every text a person reads; files keep the plain number."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from invoice_crm.domain.numbers import parse_number
from invoice_crm.services import business_settings as biz
from invoice_crm.services import delivery, invoices, report_files, reports, tax_rates
from invoice_crm.services.pdf import render_invoice_pdf
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import make_invoice

DEFAULTS = {"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14", "timezone": "UTC"}


def test_rates_and_percent_discounts_follow_the_business_locale(database):
    from invoice_crm.state.taxes import rate_row

    sales = tax_rates.create_tax_rate("Sales tax", "8.875")
    inv = invoices.send_invoice(make_invoice(currency="EUR", lines=[
        {"description": "Design", "quantity": "1", "unit_price": "1000", "tax_ids": [sales.id],
         "discount_kind": "percent", "discount_value": "12.5"},
    ]).id)

    biz.save_invoice_defaults({**DEFAULTS, "locale": "de_DE"})
    body = delivery.compose_invoice_email(inv.id).body
    assert "Sales tax 8,875\xa0% on 875,00\xa0€" in body, body
    assert "8.875" not in body
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "8,875" in text and "8.875" not in text
    assert "-12,5" in text and "12.5" not in text  # the line's own discount

    row = rate_row(sales)
    assert row["rate"] == "8,875\xa0%" and row["rate_plain"] == "8,875"
    # What the edit form is filled with is read back as the same rate (8.875 there is refused).
    assert parse_number(row["rate_plain"], tax_rates.RATE, field="tax_rate") == sales.rate

    today = date.today()
    table = reports.tax_report(today - timedelta(days=30), today)
    row = next(r for r in table.rows if r[0] == "Sales tax")
    assert reports.cell_text(row[1], "EUR") == "8,875"
    assert b"Sales tax,8.875,EUR" in report_files.csv_bytes(table)

    biz.save_invoice_defaults({**DEFAULTS, "locale": "en_US"})
    assert "Sales tax 8.875% on €875.00" in delivery.compose_invoice_email(inv.id).body
    assert reports.cell_text(row[1], "EUR") == "8.875"


def test_the_rate_fields_example_is_written_as_the_locale_reads_it(app):
    """Under de_DE the Rate field suggests 9,975 (its 9.975 was refused as "unclear")."""
    from invoice_crm.state.taxes import TaxesState
    from tests.integration.owner_events import signed_in
    from tests.support.events import EventRunner, run

    biz.save_invoice_defaults({**DEFAULTS, "locale": "de_DE"})

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, TaxesState.on_load, "/settings")
            return (await runner.state(tab, TaxesState)).rate_example

    example = run(scenario())
    assert example == "20 or 9,975"
    assert parse_number(example.split(" or ")[1], tax_rates.RATE, field="tax_rate") == Decimal("9.975")


def test_an_empty_catalogue_says_so_only_once_it_was_read(app):
    """The table showed its headers and nothing else when no rate existed (as on a fresh start)."""
    from invoice_crm.state.taxes import TaxesState
    from tests.integration.owner_events import signed_in
    from tests.support.events import EventRunner, run

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            before = (await runner.state(tab, TaxesState)).loaded
            await runner.send(tab, TaxesState.on_load, "/taxes")
            state = await runner.state(tab, TaxesState)
            empty = (state.loaded, list(state.rates))
            tax_rates.create_tax_rate("VAT", "20")
            await runner.send(tab, TaxesState.on_load, "/taxes")
            return before, empty, [r["name"] for r in (await runner.state(tab, TaxesState)).rates]

    before, empty, after = run(scenario())
    assert before is False  # not "none yet" before the read: no flash of an empty state
    assert empty == (True, [])
    assert after == ["VAT"]
