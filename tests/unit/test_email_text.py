"""Email texts, their rules, the PDF text sanitiser, and how mail failures read."""

from __future__ import annotations

import smtplib
import socket
from datetime import date

import pytest

from invoice_crm.domain import email_text
from invoice_crm.domain.errors import ValidationError
from invoice_crm.integrations import mailer
from invoice_crm.services.pdf import pdf_filename, pdf_text
from invoice_crm.settings import Settings


def test_invoice_email_template():
    subject, body = email_text.invoice_email(
        number="INV-2025-0007", client_name="Acme", amount="$1,667.50", due_date=date(2025, 3, 14),
        pay_link="https://app.example/pay/tok", business_name="Jane Doe Design",
    )
    assert subject == "Invoice INV-2025-0007 from Jane Doe Design"
    assert "invoice INV-2025-0007 for $1,667.50, due on 14 March 2025" in body
    assert "https://app.example/pay/tok" in body and body.endswith("Jane Doe Design")


def test_reminder_template_uses_the_countdown():
    subject, body = email_text.reminder_email(
        number="INV-1", client_name="Acme", amount="€10.00", due_date=date(2025, 3, 1),
        countdown="3 days overdue", pay_link="https://app.example/pay/t", business_name="",
    )
    assert subject == "Reminder: invoice INV-1 (€10.00) is 3 days overdue"
    assert "https://app.example/pay/t" in body and body.endswith("Thank you.")


@pytest.mark.parametrize(
    ("subject", "message"),
    [("", "required"), ("a\nb", "single line"), ("x" * 301, "at most 300")],
)
def test_subject_rules(subject, message):
    with pytest.raises(ValidationError, match=message) as err:
        email_text.clean_subject(subject)
    assert err.value.field == "subject"


def test_body_rules():
    assert email_text.clean_body("  hi \n") == "hi"
    with pytest.raises(ValidationError, match="required"):
        email_text.clean_body(" ")
    with pytest.raises(ValidationError, match="at most"):
        email_text.clean_body("x" * 20001)


def test_pdf_text_keeps_windows_1252_and_reduces_the_rest():
    assert pdf_text("€ £ ¥ Zoë — «ok»") == "€ £ ¥ Zoë — «ok»"
    assert pdf_text("Łódź Dvořák 李") == "Lódz Dvorák ?"  # ó and á are in Windows-1252
    assert pdf_filename("INV/2025 #7") == "INV-2025-7.pdf"


SETTINGS = Settings(smtp_host="mail.example", smtp_port=587, mail_from="Jane <jane@example.com>", smtp_timeout=5)


@pytest.mark.parametrize(
    ("exc", "reason", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"No such user")}), "refused the recipient a@b.example: 550 No such user", True),
        (smtplib.SMTPRecipientsRefused({"a@b.example": (450, b"Greylisted")}), "450 Greylisted", False),
        (smtplib.SMTPSenderRefused(553, b"Not yours", "jane@example.com"), "refused the sender jane@example.com (the sender address in the server settings)", True),
        (smtplib.SMTPDataError(451, b"Try later"), "refused the message: 451 Try later", False),
        (smtplib.SMTPDataError(554, b"Spam"), "refused the message: 554 Spam", True),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), "refused the login in the server settings", True),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), "does not support STARTTLS", True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "closed the connection", False),
        (ConnectionRefusedError(111, "Connection refused"), "mail.example:587 (connection refused)", False),
        (socket.gaierror(-2, "Name or service not known"), "host 'mail.example' could not be found", False),
        (TimeoutError("timed out"), "did not answer in 5 s", False),
    ],
)
def test_mail_failures_read_well(exc, reason, permanent):
    err = mailer.describe_failure(exc, SETTINGS)
    assert reason in err.message
    assert err.permanent is permanent


def test_message_carries_the_pdf_and_a_stable_message_id():
    message_id = mailer.new_message_id(SETTINGS)
    assert message_id.endswith("@example.com>")
    built = mailer.build_message(
        mailer.OutgoingEmail("client@example.org", "Invoice 1", "Hello", message_id, mailer.Attachment("INV-1.pdf", b"%PDF-1.4")),
        SETTINGS,
    )
    assert built["Message-ID"] == message_id and built["To"] == "client@example.org"
    [attachment] = built.iter_attachments()
    assert attachment.get_filename() == "INV-1.pdf" and attachment.get_content() == b"%PDF-1.4"


def test_unconfigured_mailer_refuses_plainly():
    with pytest.raises(mailer.MailDeliveryError, match="not set up"):
        mailer.send_email(mailer.OutgoingEmail("a@b.example", "s", "b", "<x@y>"), Settings(smtp_host="", mail_from=""))
