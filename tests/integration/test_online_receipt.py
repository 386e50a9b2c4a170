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
