"""Business settings: checked, saved whole or not at all, in effect at once (numbers, PDFs,
emails), the environment's values only until the first save."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from invoice_crm import settings
from invoice_crm.domain.errors import ValidationError
from invoice_crm.services import business_settings as biz
from invoice_crm.services import delivery, email_previews, invoices
from invoice_crm.services.pdf import render_invoice_pdf
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import TODAY, make_client, make_invoice

PROFILE = {
    "business_name": "Northwind Studio",
    "address": "Hauptstrasse 5\n10115 Berlin",
    "country": "DE",
    "email": "hello@northwind.example",
    "phone": "+49 30 1234567",
    "website": "northwind.example",
    "tax_number": "DE 136695976",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
    "payment_instructions": "Please quote the invoice number.",
    "brand_color": "#112233",
}


def png_bytes(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_environment_values_until_the_first_save_then_the_database_wins(database, monkeypatch):
    monkeypatch.setenv("BUSINESS_NAME", "From Env Ltd")
    monkeypatch.setenv("INVOICE_NUMBER_FORMAT", "ENV-{seq}")
    settings.get_settings.cache_clear()
    assert biz.current_business().business_name == "From Env Ltd"
    assert biz.current_business().version == 0
    saved = biz.save_profile(PROFILE)
    assert saved.business_name == "Northwind Studio" and saved.version == 1
    assert saved.number_format == "ENV-{seq}"  # seeded from the environment, untouched by this section
    monkeypatch.setenv("BUSINESS_NAME", "Changed Env")
    settings.get_settings.cache_clear()
    assert biz.current_business().business_name == "Northwind Studio"


def test_profile_fields_are_checked_and_stored_in_standard_form(database):
    saved = biz.save_profile(PROFILE)
    assert saved.tax_number == "DE136695976"
    assert saved.iban == "DE89 3704 0044 0532 0130 00"
    assert saved.website == "https://northwind.example"
    assert saved.payment_lines == ["IBAN: DE89 3704 0044 0532 0130 00", "BIC: COBADEFFXXX", "Please quote the invoice number."]


@pytest.mark.parametrize(
    ("field", "value", "country"),
    [
        ("tax_number", "DE 123", "DE"),
        ("tax_number", "GB 123456789", "GB"),
        ("tax_number", "12-345", "US"),
        ("iban", "DE89 3704 0044 0532 0130 01", "DE"),
        ("bic", "NOTABIC!", "DE"),
        ("brand_color", "red", "DE"),
        ("country", "Germanyland", "DE"),
    ],
)
def test_invalid_values_are_refused_beside_their_field_and_nothing_is_saved(database, field, value, country):
    biz.save_profile(PROFILE)
    with pytest.raises(biz.SettingsErrors) as caught:
        biz.save_profile({**PROFILE, "business_name": "Half Saved", "country": country, field: value})
    assert field in caught.value.errors
    assert biz.current_business().business_name == "Northwind Studio"  # nothing half-saved


def test_tax_number_free_text_where_the_country_has_no_known_format(database):
    assert biz.save_profile({**PROFILE, "country": "CH", "tax_number": "CHE-123.456.788 MWST"}).tax_number == "CHE-123.456.788 MWST"


def test_a_png_logo_is_kept_and_bad_logos_are_refused(database):
    assert biz.save_logo(png_bytes()).logo_type == "image/png"
    for bad in (
        b"this is a text file pretending to be a png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5" height="5"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="http://evil.example/x.png"/></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
    ):
        with pytest.raises(ValidationError) as caught:
            biz.save_logo(bad)
        assert caught.value.field == "logo"
    assert biz.current_business().logo_type == "image/png"  # the good logo stays
    clean_svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#123"/></svg>'
    assert biz.save_logo(clean_svg).logo_type == "image/svg+xml"
    with pytest.raises(ValidationError):
        biz.save_logo(b"\x89PNG" + b"0" * (biz.rules.MAX_LOGO_BYTES + 1))


def test_number_format_preview_and_the_next_invoice_uses_it(database):
    invoices.send_invoice(make_invoice(make_client().id).id)  # numbers are given when sent
    with pytest.raises(biz.SettingsErrors) as caught:
        biz.save_invoice_defaults({"currency": "EUR", "number_format": "NO-SEQ", "payment_terms_days": "30"})
    assert "number_format" in caught.value.errors
    preview = biz.preview_number("ACME/{year}/{seq:03d}", TODAY)
    assert preview == f"ACME/{TODAY.year}/002"  # the year's sequence goes on under the new format
    biz.save_invoice_defaults({"currency": "EUR", "number_format": "ACME/{year}/{seq:03d}", "payment_terms_days": "30",
                               "locale": "en_US", "timezone": "UTC"})
    assert invoices.send_invoice(make_invoice(make_client("Other", "o@example.com").id).id).number == preview
    assert biz.preview_number("ACME/{year}/{seq:03d}", TODAY) == f"ACME/{TODAY.year}/003"


def test_pdf_shows_the_business_and_payment_instructions_when_online_payment_is_off(database):
    biz.save_profile(PROFILE)
    biz.save_logo(png_bytes())
    biz.save_invoice_defaults({"currency": "USD", "number_format": "INV-{seq:04d}", "payment_terms_days": "14",
                               "default_footer": "Northwind Studio GmbH, Berlin"})
    client = make_client("Tax Client", "tax@client.example")
    from invoice_crm.services import clients

    clients.update_client(client.id, "Tax Client", "tax@client.example", tax_number="FR40303265045")
    inv = make_invoice(client.id)
    invoices.send_invoice(inv.id)
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    for expected in ("Northwind Studio", "Hauptstrasse 5", "Germany", "Tax number: DE136695976", "How to pay",
                     "IBAN: DE89 3704 0044 0532 0130 00", "BIC: COBADEFFXXX", "Please quote the invoice number.",
                     "Tax number: FR40303265045", "Northwind Studio GmbH, Berlin"):
        assert expected in text, expected
    assert "Pay online" not in text


def test_pdf_says_pay_online_and_offers_the_bank_details_beside_it_when_stripe_is_on(stripe_api):
    """The IBAN ("shown to clients who pay by bank transfer") never reached a client while
    Stripe was on; it is now printed under the pay link as the other way to pay."""
    biz.save_profile(PROFILE)
    inv = make_invoice(make_client().id)
    invoices.send_invoice(inv.id)
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "Pay online" in text and "Northwind Studio" in text
    assert "Or pay by bank transfer" in text and "IBAN: DE89 3704 0044 0532 0130 00" in text
    assert text.index("Pay online") < text.index("Or pay by bank transfer")
    biz.save_profile({**PROFILE, "iban": "", "bic": "", "payment_instructions": ""})
    text = pdf_text(render_invoice_pdf(inv.id)[1])
    assert "Or pay by bank transfer" not in text and "Please pay as agreed" not in text  # nothing set: nothing said


def test_receipts_and_statements_carry_the_settings_footer_and_page_numbers(database):
    """"Printed at the foot of every PDF": the receipt and the statement had no footer."""
    from invoice_crm.services.documents import render_receipt_pdf, render_statement_pdf

    biz.save_invoice_defaults({"currency": "USD", "number_format": "INV-{seq:04d}", "payment_terms_days": "14",
                               "default_footer": "Northwind Studio GmbH, Berlin · SIRET 123"})
    client = make_client("Footer Client", "footer@client.example")
    inv = invoices.send_invoice(make_invoice(client.id).id)
    invoices.mark_paid(inv.id, TODAY.isoformat())
    for content in (render_receipt_pdf(inv.id)[1], render_statement_pdf(client.id)[1]):
        text = pdf_text(content)
        assert "Northwind Studio GmbH, Berlin" in text and "Page 1 of 1" in text


def test_client_emails_use_the_templates_and_carry_the_business_signature(database, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "localhost")
    monkeypatch.setenv("MAIL_FROM", "billing@northwind.example")
    settings.get_settings.cache_clear()
    biz.save_profile(PROFILE)
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    default = delivery.compose_invoice_email(inv.id)
    assert default.subject == f"Invoice {delivery.preview_number(inv.id)} from Northwind Studio"
    assert "Tax number: DE136695976" in default.body and "Hauptstrasse 5" in default.body
    with pytest.raises(biz.SettingsErrors) as caught:
        biz.save_email({"invoice_subject": "Invoice {nope}"})
    assert "invoice_subject" in caught.value.errors
    biz.save_email({"sender_name": "Northwind", "reply_to": "ask@northwind.example",
                    "invoice_subject": "{business_name}: invoice {number}",
                    "invoice_body": "Dear {client_name}, {amount} please. {pay_link}"})
    drafted = delivery.compose_invoice_email(inv.id)
    assert drafted.subject == f"Northwind Studio: invoice {delivery.preview_number(inv.id)}"
    assert drafted.body.startswith("Dear Acme, $100.00 please. http")
    assert email_previews.preview_template("Hi {client_name}, {amount}") == "Hi Acme Ltd, $1,250.00"
