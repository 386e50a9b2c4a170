"""After a payment recorded by hand, the receipt goes to the client by email, PDF attached."""

from __future__ import annotations

import pytest

from invoice_crm.domain.errors import InvalidTransition, ValidationError
from invoice_crm.domain.money import format_money
from invoice_crm.services import business_settings as biz
from invoice_crm.services import email_sender, invoices, receipts
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import TODAY, make_client, make_invoice


def test_receipt_email_of_a_manual_payment_carries_the_receipt_pdf(mail):
    biz.save_profile({"business_name": "Northwind Studio", "country": "US", "tax_number": "12-3456789"})
    biz.save_email({"receipt_subject": "Paid: {number}", "receipt_body": "Thanks {client_name}, {amount} on {paid_on}."})
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    inv = invoices.send_invoice(inv.id)  # numbered when sent
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


def test_record_payment_with_the_receipt_option_queues_one_receipt_in_the_same_transaction(mail):
    from invoice_crm.services import ledger
    from invoice_crm.services.idempotency import new_key
    from tests.integration.email_helpers import emails

    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    key = new_key()
    partial = ledger.record_payment(inv.id, "40.00", TODAY, reference="PART", idempotency_key=new_key(), email_receipt=True)
    assert partial.status == "SENT" and [e.kind for e in emails(inv.id)].count("receipt") == 1
    assert email_sender.deliver_pending_emails() == 1
    [first] = mail.messages_to("billing@acme.example")
    assert "$40.00" in first.text and f"The balance still due is {format_money(inv.amount - 40, 'USD')}" in first.text
    text = pdf_text(first.attachments[0].get_content())
    assert "PART" in text and "Total paid: $40.00" in text and "Balance due:" in text
    for _ in range(2):  # a double click: the same key
        ledger.record_payment(inv.id, "", TODAY, reference="BANK-9", idempotency_key=key, email_receipt=True)
    assert [e.kind for e in emails(inv.id)].count("receipt") == 2  # one per payment, not per click
    assert email_sender.deliver_pending_emails() == 1
    _, got = mail.messages_to("billing@acme.example")
    [attachment] = got.attachments
    assert attachment.get_filename() == f"receipt-{inv.number}.pdf"
    text = pdf_text(attachment.get_content())
    assert "BANK-9" in text and "PART" in text and "Balance due" not in text


def test_a_receipt_that_cannot_be_sent_records_no_payment(mail):
    from invoice_crm.services import clients, ledger
    from tests.integration.email_helpers import emails

    client = clients.create_client("No Mail Ltd", "")
    inv = invoices.send_invoice(make_invoice(client.id).id)
    with pytest.raises(ValidationError, match="no email address"):
        ledger.record_payment(inv.id, "", TODAY, email_receipt=True)
    assert invoices.load_invoice(inv.id).status == "SENT"  # nothing half-done: no payment either
    assert emails(inv.id) == []


def test_the_receipt_names_the_method_recorded_as_the_invoice_page_does(mail):
    from invoice_crm.services import ledger
    from invoice_crm.services.idempotency import new_key

    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    ledger.record_payment(inv.id, "40.00", TODAY, method="BANK_TRANSFER", idempotency_key=new_key(), email_receipt=True)
    ledger.record_payment(inv.id, "", TODAY, method="CHEQUE", reference="CHQ-7", idempotency_key=new_key(), email_receipt=True)
    assert email_sender.deliver_pending_emails() == 2
    first, second = (" ".join(pdf_text(m.attachments[0].get_content()).split()) for m in mail.messages_to("billing@acme.example"))
    assert "Bank transfer $40.00" in first and "Recorded by the sender" not in first
    assert "Bank transfer $40.00" in second and "Cheque (CHQ-7)" in second


def test_the_receipt_email_of_a_credited_invoice_thanks_for_what_was_paid(mail):
    from invoice_crm.services import ledger

    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    ledger.issue_credit_note(inv.id, amount="30.00", reason="Goodwill")
    ledger.record_payment(inv.id, "", TODAY, email_receipt=True)  # the balance: $70.00 settles it
    assert email_sender.deliver_pending_emails() == 1
    [got] = mail.messages_to("billing@acme.example")
    assert "Thank you for your payment of $70.00" in got.text and "$100.00" not in got.text
    assert "Total paid: $70.00" in " ".join(pdf_text(got.attachments[0].get_content()).split())


def _html(received) -> str:
    return received.message.get_body(preferencelist=("html",)).get_content()


def test_the_receipt_of_the_payment_that_settles_an_invoice_names_that_payment_and_says_paid_in_full(mail):
    """QA: after $40.00 by hand, the last $60.00 by hand was thanked as "your payment of
    $100.00" (the invoice's total). The email names this payment, in both parts."""
    from invoice_crm.services import ledger
    from invoice_crm.services.idempotency import new_key

    inv = invoices.send_invoice(make_invoice(make_client("Acme", "billing@acme.example").id).id)
    ledger.record_payment(inv.id, "40.00", TODAY, idempotency_key=new_key(), email_receipt=True)
    ledger.record_payment(inv.id, "", TODAY, method="CHEQUE", idempotency_key=new_key(), email_receipt=True)
    assert email_sender.deliver_pending_emails() == 2
    _, settling = mail.messages_to("billing@acme.example")
    for said in (settling.text, _html(settling)):
        assert "Thank you for your payment of $60.00" in said and "The invoice is now paid in full." in said
        assert "$100.00" not in said and "balance still due" not in said
    # The PDF still gives every payment and the total paid.
    assert "Total paid: $100.00" in " ".join(pdf_text(settling.attachments[0].get_content()).split())


def test_a_receipt_with_a_payment_dated_back_names_that_payment_not_the_latest_dated(mail):
    """A payment recorded today may be dated before an earlier recorded one: its receipt is
    still about it."""
    from datetime import timedelta

    from invoice_crm.services import ledger
    from invoice_crm.services.idempotency import new_key

    client = make_client("Acme", "billing@acme.example")
    inv = invoices.send_invoice(make_invoice(client.id, issue=TODAY - timedelta(days=5)).id)
    ledger.record_payment(inv.id, "40.00", TODAY, idempotency_key=new_key())
    ledger.record_payment(inv.id, "25.00", TODAY - timedelta(days=1), idempotency_key=new_key(), email_receipt=True)
    assert email_sender.deliver_pending_emails() == 1
    [got] = mail.messages_to("billing@acme.example")
    assert "Thank you for your payment of $25.00" in got.text and "The balance still due is $35.00" in got.text
