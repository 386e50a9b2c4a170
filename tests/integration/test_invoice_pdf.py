"""The invoice PDF: what it shows, from the same figures as everywhere else."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from invoice_crm.domain.errors import NotFound
from invoice_crm.domain.money import format_money
from invoice_crm.services import business_settings, clients, invoices, ledger
from invoice_crm.services.links import pay_url
from invoice_crm.services.pdf import render_invoice_pdf, render_public_invoice_pdf
from tests.fakes.smtp_fixture import BUSINESS_NAME
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import TODAY, make_invoice

LINES = [
    {"description": "Design workshop", "quantity": "4", "unit_price": "120.00"},
    {"description": "Hours", "quantity": "12.5", "unit_price": "95"},
    {"description": "Half cent", "quantity": "1", "unit_price": "0.01"},
]


@pytest.fixture
def business(database, monkeypatch):
    from invoice_crm import settings

    monkeypatch.setenv("BUSINESS_NAME", BUSINESS_NAME)
    monkeypatch.setenv("BUSINESS_ADDRESS", "1 Rue de la Paix\\n75002 Paris")
    monkeypatch.setenv("MAIL_FROM", "Jane <billing@janedoe.example>")
    settings.get_settings.cache_clear()


def _long(day: date) -> str:
    """A PDF's date under en_US, as the emails write it: 25 November 2026."""
    return f"{day.day} {day:%B} {day.year}"


def _client():
    return clients.create_client("Acme Robotics", "billing@acme.example", "Acme Robotics Ltd", "12 Gear Street\nSpringfield")


def test_sent_invoice_pdf_shows_both_parties_dates_lines_total_notes_and_pay_link(business):
    inv = make_invoice(_client().id, lines=LINES, notes="Payable by bank transfer.")
    inv = invoices.send_invoice(inv.id)
    filename, content = render_invoice_pdf(inv.id)
    assert filename == f"{inv.number}.pdf" and content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        BUSINESS_NAME, "1 Rue de la Paix", "75002 Paris", "billing@janedoe.example",
        "Acme Robotics", "Acme Robotics Ltd", "12 Gear Street", "Springfield",
        inv.number, "Status: Sent",
        _long(TODAY), _long(inv.due_date),
        "Design workshop", "$480.00", "12.5", "$1,187.50", "$0.01",
        "Total (USD)", format_money(Decimal("1667.51"), "USD"),
        "Payable by bank transfer.", pay_url(inv.public_token),
    ):
        assert expected in text, expected
    assert "PAID" not in text


def test_paid_invoice_pdf_has_the_paid_stamp_and_date_and_no_pay_link(business):
    inv = make_invoice(_client().id, lines=LINES, issue=TODAY - timedelta(days=5))
    invoices.send_invoice(inv.id)
    paid_on = TODAY - timedelta(days=1)
    invoices.mark_paid(inv.id, paid_on.isoformat())
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "PAID" in text and f"Paid on {_long(paid_on)}" in text
    assert pay_url(inv.public_token) not in text


def test_the_email_the_pdf_and_the_receipt_write_a_date_alike(business):
    """Under en_US the email said "due on 11 December 2026" and the PDF "December 11, 2026"."""
    from invoice_crm.services import delivery
    from invoice_crm.services.documents import render_receipt_pdf

    inv = invoices.send_invoice(make_invoice(_client().id, lines=LINES, due=date(2026, 12, 11)).id)
    assert "due on 11 December 2026" in delivery.compose_invoice_email(inv.id).body
    assert "11 December 2026" in pdf_text(render_invoice_pdf(inv.id)[1])
    invoices.mark_paid(inv.id, TODAY.isoformat())
    assert _long(TODAY) in pdf_text(render_receipt_pdf(inv.id)[1])
    assert f"Paid on {_long(TODAY)}" in pdf_text(render_invoice_pdf(inv.id)[1])


def test_a_german_pdf_writes_long_dates_as_german_does(business):
    """Babel's long form in the business locale: "30. Oktober 2025", with the day's period."""
    business_settings.save_invoice_defaults({
        "currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
        "locale": "de_DE", "timezone": "Europe/Berlin",
    })
    lines = [{"description": "Beratung", "quantity": "4", "unit_price": "120,00"}]
    inv = make_invoice(_client().id, lines=lines, issue=date(2025, 10, 1), due=date(2025, 10, 31))
    invoices.send_invoice(inv.id)
    invoices.mark_paid(inv.id, "2025-10-30")
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    for expected in ("1. Oktober 2025", "31. Oktober 2025", "Paid on 30. Oktober 2025"):
        assert expected in text, expected
    assert "30 Oktober 2025" not in text


def test_a_void_invoices_pdf_asks_for_nothing(business):
    inv = make_invoice(_client().id, lines=LINES)
    invoices.send_invoice(inv.id)
    before = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "Balance due" in before
    ledger.void_invoice(inv.id, "Sent to the wrong client")
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "Total" in text and "Balance due" not in text  # a void invoice is owed nothing


def test_draft_pdf_is_marked_draft_and_not_available_by_token(business):
    inv = make_invoice(_client().id, lines=LINES)
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "DRAFT" in text and pay_url(inv.public_token) not in text
    with pytest.raises(NotFound):
        render_public_invoice_pdf(inv.public_token)
    with pytest.raises(NotFound):
        render_public_invoice_pdf("no-such-token")
    inv = invoices.send_invoice(inv.id)
    filename, content = render_public_invoice_pdf(inv.public_token)
    assert filename == f"{inv.number}.pdf" and inv.number in pdf_text(content)


def test_euro_and_names_beyond_latin1_print_without_failing(business):
    client = clients.create_client("Zoë Łukasz 李", "zoe@example.com", "Café Ünïcode", "")
    inv = make_invoice(
        client.id,
        lines=[{"description": "Traduction — révision «finale»", "quantity": "2", "unit_price": "1234.50"}],
        currency="EUR",
    )
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "Zoë Łukasz 李" in text and "Café Ünïcode" in text  # embedded fonts (test_pdf_scripts.py)
    assert "Traduction — révision «finale»" in text
    assert "€2,469.00" in text and "Total (EUR)" in text


def test_missing_invoice_is_not_found(database):
    with pytest.raises(NotFound):
        render_invoice_pdf(12345)
