"""A yen invoice (no minor unit) under a locale whose thousands sign is a dot: every figure a
person reads is the figure billed (QA found the breakdown at a hundredth under de_DE, and a
line showing half a yen)."""

from __future__ import annotations

from invoice_crm.domain import numbers
from invoice_crm.services import business_settings as biz
from invoice_crm.services import delivery, figures, invoices, queries, tax_rates
from invoice_crm.services.pdf import render_invoice_pdf
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import make_client, make_invoice

DEFAULTS = {"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14", "timezone": "UTC"}


def test_a_yen_invoice_reads_as_it_is_billed_under_de_de(database):
    biz.save_invoice_defaults({**DEFAULTS, "locale": "de_DE"})
    numbers.use_business_locale("de_DE")
    vat = tax_rates.create_tax_rate("MwSt", "19")
    inv = invoices.send_invoice(make_invoice(make_client().id, currency="JPY", lines=[
        {"description": "Design", "quantity": "3", "unit_price": "33.333", "tax_ids": [vat.id]},  # 99.999 ¥
        {"description": "Extra", "quantity": "1", "unit_price": "1", "tax_ids": [vat.id]},
    ]).id)
    assert inv.amount == 119_000
    body = delivery.compose_invoice_email(inv.id).body
    for shown in ("Subtotal: 100.000\xa0¥", "MwSt 19\xa0% on 100.000\xa0¥: 19.000\xa0¥", "Total: 119.000\xa0¥",
                  "Balance due: 119.000\xa0¥"):
        assert shown in body, body
    stored = _stored_lines(inv.id)
    rows = {r["key"]: r["value"] for r in figures.breakdown_rows(figures.compute(inv, stored))}
    assert (rows["subtotal"], rows["total"], rows["balance"]) == ("100.000\xa0¥", "119.000\xa0¥", "119.000\xa0¥")
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "100.000" in text and "119.000" in text and "1190" not in text


def test_a_yen_line_shows_the_whole_yen_it_is_billed(database):
    numbers.use_business_locale("de_DE")
    inv = make_invoice(make_client().id, currency="JPY", lines=[
        {"description": "Hours", "quantity": "1,5", "unit_price": "333"},  # 499,5 -> 500 ¥, as the total counts it
    ])
    assert inv.amount == 500
    assert [line["total"] for line in queries.line_rows(_stored_lines(inv.id), "JPY")] == ["500\xa0¥"]


def _stored_lines(invoice_id: int):
    from invoice_crm.db import read_session

    with read_session() as session:
        return figures.lines_of(session, invoice_id)


def test_a_yen_clients_page_says_nothing_overdue_in_yen(app):
    """A client whose invoices are all in yen: nothing overdue is 0 ¥, not the business's $0.00."""
    from invoice_crm.state.client_page import ClientPageState
    from tests.integration.owner_events import signed_in
    from tests.support.events import EventRunner, run

    client = make_client("Kyoto Works", "ap@kyoto.example")
    invoices.send_invoice(make_invoice(client.id, currency="JPY", lines=[
        {"description": "Design", "quantity": "1", "unit_price": "50000"}]).id)

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            page = f"/clients/{client.id}"
            await runner.send(tab, ClientPageState.on_load, page)
            state = await runner.state(tab, ClientPageState)
            return state.outstanding, state.overdue

    assert run(scenario()) == ("¥50,000", "¥0")
