"""After a payment recorded by hand, the receipt goes to the client by email, PDF attached."""

from __future__ import annotations

import pytest

from invoice_crm.domain.errors import InvalidTransition
from invoice_crm.services import business_settings as biz
from invoice_crm.services import email_sender, invoices, receipts
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import TODAY, make_client, make_invoice


def test_receipt_email_of_a_manual_payment_carries_the_receipt_pdf(mail):
    biz.save_profile({"business_name": "Northwind Studio", "country": "US", "tax_number": "12-3456789"})
    biz.save_email({"receipt_subject": "Paid: {number}", "receipt_body": "Thanks {client_name}, {amount} on {paid_on}."})
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    invoices.send_invoice(inv.id)
    with pytest.raises(InvalidTransition):
        receipts.send_receipt(inv.id)
    invoices.mark_paid(inv.id, TODAY, reference="BANK-7")
    receipts.send_receipt(inv.id, "owner@example.com")
    assert email_sender.deliver_pending_emails() == 1
    [got] = mail.messages_to("billing@acme.example")
    assert got.message["Subject"] == f"Paid: {inv.number}"
    assert got.text.startswith("Thanks Acme, $100.00 on")
    assert "Tax number: 12-3456789" in got.text  # the business's signature
    [attachment] = got.attachments
    assert attachment.get_filename() == f"receipt-{inv.number}.pdf"
    text = pdf_text(attachment.get_content())
    assert "RECEIPT" in text and "Northwind Studio" in text and "BANK-7" in text
