"""Invoice, reminder and receipt emails go out as plain text plus HTML: the HTML shows the
business's logo (an inline part), name, address and tax number, and carries no script; the
plain-text part says the same as before."""

from __future__ import annotations

import email
import email.policy

from invoice_crm.services import business_settings as biz
from invoice_crm.services import delivery, email_sender, invoices, receipts
from tests.integration.helpers import TODAY, make_client, make_invoice
from tests.integration.settings_page.test_business_settings import png_bytes

PROFILE = {
    "business_name": "Northwind Studio", "address": "Hauptstrasse 5\n10115 Berlin <script>alert(1)</script>",
    "country": "DE", "tax_number": "DE136695976", "brand_color": "#123456",
}


def _parts(raw: bytes) -> dict:
    """The message as a mail client reads it: text part, HTML part, the inline image(s)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    images = [p for p in message.walk() if p.get_content_maintype() == "image"]
    pdfs = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    return {"message": message, "text": plain.get_content(), "html": html.get_content() if html else None,
            "images": images, "pdfs": pdfs}


def _delivered(mail, to: str = "billing@acme.example") -> dict:
    """Delivers the one queued email; its parts as the client at ``to`` reads them."""
    assert email_sender.deliver_pending_emails() == 1
    [got] = mail.messages_to(to)
    return _parts(got.message.as_bytes())


def _check_branded(parts: dict, logo: bytes) -> None:
    html = parts["html"]
    assert html is not None, "no HTML part"
    assert parts["message"].get_content_type() == "multipart/mixed"  # PDF attached beside the two bodies
    for expected in ("Northwind Studio", "Hauptstrasse 5", "10115 Berlin", "Tax number: DE136695976"):
        assert expected in html, expected
    assert "<script" not in html.lower() and "&lt;script&gt;" in html  # typed text is shown, never run
    [image] = parts["images"]
    assert image.get_content() == logo and image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert len(parts["pdfs"]) == 1


def test_invoice_and_reminder_emails_are_html_with_the_logo_and_keep_their_text(mail):
    logo = png_bytes()
    biz.save_profile(PROFILE)
    biz.save_logo(logo)
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    draft = delivery.compose_invoice_email(inv.id)
    delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body)
    parts = _delivered(mail)
    _check_branded(parts, logo)
    # The text part is the message as written, signature included; the HTML says the same.
    assert parts["text"].strip() == draft.body.strip()
    assert "Tax number: DE136695976" in parts["text"]
    assert '<a href="http' in parts["html"] and "/pay/" in parts["html"]  # the pay link, clickable

    mail.clear()
    reminder = delivery.compose_reminder(inv.id)
    delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body)
    parts = _delivered(mail)
    _check_branded(parts, logo)
    assert parts["text"].strip() == reminder.body.strip()


def test_receipt_email_is_html_with_the_logo(mail):
    logo = png_bytes()
    biz.save_profile(PROFILE)
    biz.save_logo(logo)
    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    invoices.mark_paid(inv.id, TODAY, reference="BANK-7")
    receipts.send_receipt(inv.id, "owner@example.com")
    parts = _delivered(mail)
    _check_branded(parts, logo)
    assert inv.number in parts["text"] and inv.number in parts["html"]


def test_without_a_logo_the_html_has_no_image(mail):
    biz.save_profile(PROFILE)
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    draft = delivery.compose_invoice_email(inv.id)
    delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body)
    parts = _delivered(mail)
    assert parts["images"] == [] and "cid:" not in parts["html"] and "Northwind Studio" in parts["html"]
