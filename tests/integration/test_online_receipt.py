"""A client who pays online is emailed the receipt, once: the fake Stripe and the fake SMTP
server, through stripe-python and smtplib."""

from __future__ import annotations

from datetime import UTC, datetime

from invoice_crm.integrations import stripe_gateway
from invoice_crm.services import checkout, email_sender
from invoice_crm.services.payments import fulfil_checkout
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.email_helpers import pdf_text
from tests.integration.stripe_helpers import paid_session, sent_invoice


def _receipts(mail) -> list:
    return [m for m in mail.messages if m.message["Subject"].startswith("Receipt")]


def test_a_client_who_pays_online_is_emailed_the_receipt_once(stripe_api, mail):
    """A payment recorded by hand could email the receipt; an online one sent nothing."""
    inv = sent_invoice("Online Payer")
    session = paid_session(stripe_api, inv.id)
    assert checkout.pay_now(inv.public_token).paid  # recorded (its return was lost)
    again = stripe_gateway.retrieve_checkout_session(session["id"])
    assert fulfil_checkout(again, paid_at=datetime.now(UTC)).outcome == "duplicate"  # reported again
    email_sender.deliver_pending_emails()
    [receipt] = _receipts(mail)
    assert list(receipt.rcpt_tos) == ["billing@online-payer.example"]
    attachment = next(p for p in receipt.message.iter_attachments() if p.get_content_type() == "application/pdf")
    text = " ".join(pdf_text(attachment.get_content()).split())
    assert "Online (Stripe)" in text and "RECEIPT" in text


def test_without_email_set_up_an_online_payment_still_stands(stripe_api):
    inv = sent_invoice("No Mail Payer")
    paid_session(stripe_api, inv.id)
    assert checkout.pay_now(inv.public_token).paid


def test_the_online_payment_that_settles_an_invoice_is_thanked_for_its_own_amount(stripe_api, mail):
    """QA: $40.00 by hand, then the client paid the last $60.00 by card and read "Thank you for
    your payment of $100.00". The receipt names the $60.00 taken, and that the invoice is paid."""
    from invoice_crm.services import ledger
    from invoice_crm.services.idempotency import new_key
    from tests.integration.helpers import TODAY

    inv = sent_invoice("Part Payer")
    ledger.record_payment(inv.id, "40.00", TODAY, idempotency_key=new_key())
    session = paid_session(stripe_api, inv.id)
    assert session["amount_total"] == 6000
    assert checkout.pay_now(inv.public_token).paid
    email_sender.deliver_pending_emails()
    [receipt] = _receipts(mail)
    html = receipt.message.get_body(preferencelist=("html",)).get_content()
    for said in (receipt.text, html):
        assert "Thank you for your payment of $60.00" in said and "The invoice is now paid in full." in said
        assert "$100.00" not in said
