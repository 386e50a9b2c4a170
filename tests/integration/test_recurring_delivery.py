"""Auto-send recurring invoices through the fake SMTP server: each issued invoice is numbered,
emailed once with its PDF and pay link, however often the worker runs."""

from __future__ import annotations

from datetime import date

import pytest

from invoice_crm.db import read_session
from invoice_crm.domain.errors import ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Invoice
from invoice_crm.services import email_sender, recurring, recurring_issue
from invoice_crm.services.links import pay_url
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.email_helpers import pdf_text
from tests.integration.helpers import make_client

LINES = [{"description": "Hosting", "quantity": "1", "unit_price": "49.00"}]


def test_auto_send_emails_each_issued_invoice_once_with_pdf_and_pay_link(mail):
    client = make_client("Hosted Co", "ap@hosted.example")
    recurring.save_profile(
        recurring.ProfileInput(client_id=client.id, start_date="2027-03-01", lines=LINES, auto_send=True),
        today=date(2027, 3, 1),
    )
    for day in (date(2027, 3, 1), date(2027, 3, 1), date(2027, 4, 1)):
        recurring_issue.issue_due(day)
        email_sender.deliver_pending_emails()
    email_sender.deliver_pending_emails()
    with read_session() as s:
        invoices = s.query(Invoice).order_by(Invoice.issue_date).all()
    assert [i.issue_date for i in invoices] == [date(2027, 3, 1), date(2027, 4, 1)]
    assert {i.status for i in invoices} == {InvoiceStatus.SENT}
    received = mail.messages_to("ap@hosted.example")
    assert len(received) == 2  # one each, never twice
    for inv in invoices:
        message = next(m for m in received if inv.number in m.message["Subject"])
        assert pay_url(inv.public_token) in message.text
        (pdf,) = message.attachments
        assert inv.number in pdf_text(pdf.get_payload(decode=True))


def test_auto_send_is_refused_without_email_set_up(database):
    client = make_client()
    with pytest.raises(ValidationError) as err:
        recurring.save_profile(
            recurring.ProfileInput(client_id=client.id, start_date="2027-03-01", lines=LINES, auto_send=True),
            today=date(2027, 3, 1),
        )
    assert err.value.field == "delivery"


def test_the_profile_page_says_each_auto_sent_invoice_was_emailed_and_to_whom(mail):
    from invoice_crm.domain.numbers import format_date
    from invoice_crm.services import recurring_views

    client = make_client("Hosted Co", "ap@hosted.example")
    profile = recurring.save_profile(
        recurring.ProfileInput(client_id=client.id, start_date="2027-03-01", lines=LINES, auto_send=True),
        today=date(2027, 3, 1),
    )
    recurring_issue.issue_due(date(2027, 3, 1))
    [row] = recurring_views.profile_invoices(profile.id)
    assert row["note"] == "Being emailed to ap@hosted.example"
    email_sender.deliver_pending_emails()
    [row] = recurring_views.profile_invoices(profile.id)
    assert row["note"] == f"Emailed to ap@hosted.example on {format_date(recurring.today_here())}"
