"""Emailing invoices through the outbox, against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from invoice_crm.db import write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.errors import InvalidTransition, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import format_money
from invoice_crm.models import DeliveryStatus, EmailMessage, Invoice
from invoice_crm.services import delivery, email_sender, invoices
from invoice_crm.services.links import pay_url
from tests.fakes.smtp_fixture import MAIL_FROM, SMTP_USERNAME
from tests.integration.email_helpers import *  # noqa: F403  (the smtp_server and mail fixtures)
from tests.integration.email_helpers import configure, emails, events, pdf_text
from tests.integration.helpers import at_once, make_client, make_invoice

LINES = [
    {"description": "Design workshop", "quantity": "4", "unit_price": "120.00"},
    {"description": "Development hours", "quantity": "12.5", "unit_price": "95.00"},
]  # 480.00 + 1187.50 = 1667.50


def _draft(email: str = "billing@acme.example"):
    client = make_client("Acme Robotics", email)
    return make_invoice(client.id, lines=LINES)


def _send(invoice, recipient: str | None = None):
    """Send by email; ``invoice.number`` is set to the number it took."""
    draft = delivery.compose_invoice_email(invoice.id)
    queued = delivery.send_invoice_by_email(invoice.id, recipient or draft.recipient, draft.subject, draft.body, "me@example.com")
    from invoice_crm.db import read_session

    with read_session() as s:
        invoice.number = s.get(Invoice, invoice.id).number
    return queued


def _status(invoice_id: int) -> InvoiceStatus:
    from invoice_crm.db import read_session

    with read_session() as s:
        return s.get(Invoice, invoice_id).status


def test_prefilled_email_names_the_number_amount_due_date_and_pay_link(mail):
    inv = _draft()
    draft = delivery.compose_invoice_email(inv.id)
    assert draft.recipient == "billing@acme.example"
    number = delivery.preview_number(inv.id)  # a draft is numbered when sent: the next number
    assert number == f"INV-{inv.issue_date.year}-0001"
    assert number in draft.subject and "Jane Doe Design" in draft.subject
    assert "$1,667.50" in draft.body
    assert f"{inv.due_date.day} {inv.due_date:%B %Y}" in draft.body
    assert pay_url(inv.public_token) in draft.body


def test_send_by_email_marks_sent_and_delivers_once_after_commit(mail):
    inv = _draft()
    queued = _send(inv)
    assert _status(inv.id) is InvoiceStatus.SENT
    assert [e.status for e in emails(inv.id)] == [DeliveryStatus.PENDING]
    assert mail.messages == []  # delivery happens after the commit, by the sender
    assert delivery.has_emails_in_flight(inv.id)
    assert delivery.email_rows(emails(inv.id))[0]["label"] == "Queued"

    assert email_sender.deliver_pending_emails() == 1
    assert not delivery.has_emails_in_flight(inv.id)
    [got] = mail.messages_to("billing@acme.example")
    assert got.login == SMTP_USERNAME
    assert got.message["From"] == MAIL_FROM
    assert got.message["Subject"] == queued.subject
    assert got.message["Message-ID"] == queued.message_id
    assert pay_url(inv.public_token) in got.text
    [attachment] = got.attachments
    assert attachment.get_filename() == f"{inv.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    text = pdf_text(attachment.get_content())
    assert inv.number in text and format_money(Decimal("1667.50"), "USD") in text

    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.DONE and row.sent_at is not None and row.attempts == 1
    assert email_sender.deliver_pending_emails() == 0
    assert len(mail.messages) == 1
    kinds = [kind for kind, _ in events(inv.id)]
    assert kinds == ["created", "sent", "email_queued", "emailed"]
    assert "billing@acme.example" in events(inv.id)[-1][1]


def test_sending_twice_sends_one_email(mail):
    inv = _draft()
    _send(inv)
    with pytest.raises(InvalidTransition, match="already been sent"):
        _send(inv)
    assert email_sender.deliver_pending_emails() == 1
    assert len(mail.messages) == 1 and len(emails(inv.id)) == 1


def test_refusing_server_leaves_invoice_sent_shows_reason_and_retry_delivers_exactly_one(mail):
    inv = _draft()
    mail.refuse()
    _send(inv)
    assert email_sender.deliver_pending_emails() == 0
    assert _status(inv.id) is InvoiceStatus.SENT
    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.PENDING and "451" in row.last_error
    assert mail.messages == [] and mail.transactions == 1
    kind, details = events(inv.id)[-1]
    assert kind == "email_failed" and "billing@acme.example" in details and "451" in details
    [shown] = delivery.email_rows(emails(inv.id))
    assert shown["label"] == "Retrying" and "451" in shown["detail"] and shown["can_retry"]
    assert not delivery.has_emails_in_flight(inv.id)  # waiting on its backoff, not in flight

    mail.accept()
    delivery.retry_email(row.id, "me@example.com")
    assert email_sender.deliver_pending_emails() == 1
    assert len(mail.messages_to("billing@acme.example")) == 1
    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.DONE and row.last_error == ""
    with pytest.raises(ValidationError, match="already delivered"):
        delivery.retry_email(row.id)
    assert email_sender.deliver_pending_emails(now=utcnow() + timedelta(days=1)) == 0
    assert len(mail.messages) == 1


def test_retries_back_off_then_give_up_and_a_manual_retry_still_works(mail):
    inv = _draft()
    mail.refuse()
    _send(inv)
    t0 = utcnow()
    email_sender.deliver_pending_emails(now=t0)
    assert emails(inv.id)[0].next_attempt_at == t0 + timedelta(seconds=60)
    email_sender.deliver_pending_emails(now=t0 + timedelta(seconds=59))  # not due yet
    assert mail.transactions == 1
    t1 = t0 + timedelta(seconds=60)
    email_sender.deliver_pending_emails(now=t1)
    assert mail.transactions == 2
    assert emails(inv.id)[0].next_attempt_at == t1 + timedelta(seconds=120)  # doubled
    email_sender.deliver_pending_emails(now=t1 + timedelta(seconds=120))
    [row] = emails(inv.id)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)  # EMAIL_MAX_ATTEMPTS=3
    email_sender.deliver_pending_emails(now=t1 + timedelta(days=2))
    assert mail.transactions == 3  # a failed email waits for a person
    assert delivery.email_rows([row])[0]["label"] == "Failed"

    mail.accept()
    delivery.retry_email(row.id)
    assert email_sender.deliver_pending_emails() == 1
    assert len(mail.messages) == 1


@pytest.mark.parametrize(
    ("switch", "env", "reason", "final"),
    [
        ("reject", {}, "refused the recipient billing@acme.example: 550", DeliveryStatus.FAILED),
        ("drop", {}, "closed the connection unexpectedly", DeliveryStatus.PENDING),
        ("accept", {"SMTP_PASSWORD": "not-the-password"}, "refused the login in the server settings", DeliveryStatus.FAILED),
        ("accept", {"SMTP_STARTTLS": "true"}, "does not support STARTTLS", DeliveryStatus.FAILED),
    ],
)
def test_failures_are_readable_and_permanent_ones_are_not_retried(mail, monkeypatch, switch, env, reason, final):
    getattr(mail, switch)()
    configure(monkeypatch, env)
    inv = _draft()
    _send(inv)
    assert email_sender.deliver_pending_emails() == 0
    [row] = emails(inv.id)
    assert reason in row.last_error
    assert row.status is final
    assert "not-the-password" not in row.last_error
    assert mail.messages == []


def test_unreachable_server_is_a_transient_failure(mail, monkeypatch):
    from tests.fakes.fake_smtp import _free_port

    configure(monkeypatch, {"SMTP_PORT": str(_free_port())})  # nothing listens there
    inv = _draft()
    _send(inv)
    email_sender.deliver_pending_emails()
    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.PENDING and "connection refused" in row.last_error


def test_a_sender_that_dies_before_the_hand_over_is_resumed_after_its_lease(mail):
    inv = _draft()
    _send(inv)
    now = utcnow()
    claim = email_sender._claim_next(now)  # a sender took it ... and died while preparing the PDF
    assert claim is not None
    [row] = emails(inv.id)
    assert row.claimed_by and row.lease_expires_at > now and row.status is DeliveryStatus.PENDING
    assert email_sender.deliver_pending_emails(now=now) == 0  # still leased: nobody else takes it
    assert mail.messages == []
    later = now + email_sender._lease() + timedelta(seconds=1)
    assert email_sender.deliver_pending_emails(now=later) == 1  # another sender resumes it
    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.DONE and row.claimed_by is None and row.lease_expires_at is None
    assert [m.message["Message-ID"] for m in mail.messages] == [row.message_id]


def test_interrupted_delivery_is_never_resent_on_its_own(mail):
    inv = _draft()
    _send(inv)
    now = utcnow()
    claim = email_sender._claim_next(now)
    assert claim is not None and email_sender._hand_over(claim)  # handed to the server ... then died
    assert emails(inv.id)[0].status is DeliveryStatus.SENDING
    assert email_sender.deliver_pending_emails(now=now) == 0  # still leased: nobody else takes it
    with pytest.raises(ValidationError, match="being sent right now"):
        delivery.retry_email(claim.id)
    email_sender.deliver_pending_emails(now=now + timedelta(hours=1))
    [row] = emails(inv.id)
    assert row.status is DeliveryStatus.FAILED and "may have been delivered" in row.last_error
    assert row.claimed_by is None
    assert mail.messages == []
    delivery.retry_email(row.id)
    assert email_sender.deliver_pending_emails() == 1
    assert len(mail.messages) == 1


def test_a_sender_whose_lease_was_taken_over_does_not_send(mail):
    inv = _draft()
    _send(inv)
    now = utcnow()
    claim = email_sender._claim_next(now)
    with write_session() as s:  # its lease ran out and another process claimed the email
        s.execute(update(EmailMessage).values(claimed_by="other-host:1:abcd"))
    assert email_sender._hand_over(claim) is False
    assert mail.messages == []


def test_concurrent_senders_deliver_each_email_exactly_once(mail):
    client = make_client("Acme Robotics", "billing@acme.example")
    for _ in range(6):
        _send(make_invoice(client.id, lines=LINES))
    results = at_once(email_sender.deliver_pending_emails, 3)
    assert sum(results) == 6
    ids = [m.message["Message-ID"] for m in mail.messages]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_bad_input_changes_nothing(mail):
    inv = _draft()
    draft = delivery.compose_invoice_email(inv.id)
    bad = [
        ("not-an-address", draft.subject, draft.body, "recipient"),
        ("", draft.subject, draft.body, "recipient"),
        (draft.recipient, "  ", draft.body, "subject"),
        (draft.recipient, "Invoice\nBcc: someone@evil.example", draft.body, "subject"),
        (draft.recipient, draft.subject, "", "body"),
    ]
    for recipient, subject, body, field in bad:
        with pytest.raises(ValidationError) as err:
            delivery.send_invoice_by_email(inv.id, recipient, subject, body)
        assert err.value.field == field
    assert _status(inv.id) is InvoiceStatus.DRAFT and emails(inv.id) == []


def test_a_draft_that_cannot_be_sent_queues_no_email(mail):
    inv = make_invoice(make_client().id, lines=[{"description": "Free", "quantity": "1", "unit_price": "0"}])
    draft = delivery.compose_invoice_email(inv.id)
    with pytest.raises(ValidationError, match="positive total"):
        delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body)
    assert emails(inv.id) == []


def test_without_smtp_settings_only_mark_as_sent_is_possible(database):
    inv = _draft()
    assert not delivery.email_enabled()
    draft = delivery.compose_invoice_email(inv.id)
    with pytest.raises(ValidationError, match="Email is not set up") as err:
        delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body)
    assert err.value.field == "delivery"
    assert _status(inv.id) is InvoiceStatus.DRAFT
    invoices.send_invoice(inv.id)
    assert _status(inv.id) is InvoiceStatus.SENT and emails(inv.id) == []


def test_reminder_goes_to_sent_and_overdue_invoices_with_the_pay_link(mail):
    inv = _draft()
    reminder = delivery.compose_reminder(inv.id)
    with pytest.raises(InvalidTransition, match="this one is draft"):
        delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body)
    _send(inv)
    invoices.sweep_overdue(today=inv.due_date + timedelta(days=3))
    assert _status(inv.id) is InvoiceStatus.OVERDUE
    reminder = delivery.compose_reminder(inv.id)
    assert pay_url(inv.public_token) in reminder.body
    delivery.send_reminder(inv.id, "accounts@acme.example", reminder.subject, reminder.body, "me@example.com")
    assert email_sender.deliver_pending_emails() == 2
    [got] = mail.messages_to("accounts@acme.example")
    assert got.message["Subject"].startswith(f"Reminder: invoice {inv.number}")
    assert pay_url(inv.public_token) in got.text
    assert inv.number in pdf_text(got.attachments[0].get_content())
    assert [e.kind for e in emails(inv.id)] == ["invoice", "reminder"]

    invoices.mark_paid(inv.id)
    with pytest.raises(InvalidTransition, match="this one is paid"):
        delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body)


def _reminder_refused_once(mail):
    """A sent invoice whose reminder the mail server refused once: it waits for its retry."""
    inv = _draft()
    _send(inv)
    email_sender.deliver_pending_emails()
    reminder = delivery.compose_reminder(inv.id)
    mail.refuse()
    delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body)
    email_sender.deliver_pending_emails()
    return inv, reminder


def _retry_reminder(mail, invoice_id: int):
    """The server accepts again and the retry is due: the reminder's row after that attempt."""
    mail.accept()
    email_sender.deliver_pending_emails(now=utcnow() + timedelta(hours=2))
    return emails(invoice_id)[-1]


def test_a_reminder_queued_before_payment_is_not_sent_after_it(mail):
    inv, _reminder = _reminder_refused_once(mail)
    invoices.mark_paid(inv.id)
    row = _retry_reminder(mail, inv.id)
    assert row.status is DeliveryStatus.FAILED and "paid before the reminder" in row.last_error
    with pytest.raises(ValidationError, match="paid"):
        delivery.retry_email(row.id)
    assert len(mail.messages) == 1  # only the invoice itself


def test_background_sender_delivers_at_once_when_woken(mail, monkeypatch):
    """With polling an hour apart, only the wake-up after commit can make the second email go out."""
    import asyncio
    import contextlib

    from invoice_crm import tasks
    from invoice_crm.services import wakeups

    configure(monkeypatch, {"EMAIL_POLL_SECONDS": "3600"})
    first, second = _draft("first@acme.example"), _draft("second@acme.example")

    async def arrived(address: str) -> bool:
        for _ in range(3000):  # a bound, not a timing claim: the sender answers in milliseconds
            if mail.messages_to(address):
                return True
            await asyncio.sleep(0.01)
        return False

    async def scenario() -> tuple[bool, bool]:
        sender = asyncio.create_task(tasks.email_sender())
        while not wakeups.EMAIL.subscribed:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(_send, first)
        got_first = await arrived("first@acme.example")
        await asyncio.to_thread(_send, second)  # the sender is now idle, waiting on its hour
        got_second = await arrived("second@acme.example")
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        return got_first, got_second

    # Its own thread and loop: Playwright's sync API may hold this thread's loop in a full run.
    result: list[tuple[bool, bool]] = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(scenario())))
    runner.start()
    runner.join()
    assert result == [(True, True)]
    assert not wakeups.EMAIL.subscribed  # a stopped sender is not woken
    assert len(mail.messages) == 2


def test_no_login_without_tls_when_the_server_offers_no_starttls(mail, monkeypatch):
    """A stripping attacker removes STARTTLS from the greeting: the password is not sent."""
    configure(monkeypatch, {"SMTP_STARTTLS": "auto", "SMTP_ALLOW_PLAINTEXT_LOGIN": "false"})
    inv = _draft()
    _send(inv)
    logins = mail.logins
    assert email_sender.deliver_pending_emails() == 0
    [row] = emails(inv.id)
    assert "not encrypted" in row.last_error and "SMTP_ALLOW_PLAINTEXT_LOGIN" in row.last_error
    assert row.status is DeliveryStatus.FAILED  # retrying the same server cannot help
    assert mail.logins == logins and mail.messages == []


def test_plaintext_login_only_when_explicitly_allowed(mail, monkeypatch):
    configure(monkeypatch, {"SMTP_STARTTLS": "false", "SMTP_ALLOW_PLAINTEXT_LOGIN": "true"})
    inv = _draft()
    _send(inv)
    assert email_sender.deliver_pending_emails() == 1
    assert mail.messages[0].login == SMTP_USERNAME


def test_starttls_auto_sends_plainly_without_a_login(mail, monkeypatch):
    """Nothing secret to protect: a server without STARTTLS and without login still gets mail."""
    configure(monkeypatch, {"SMTP_STARTTLS": "auto", "SMTP_USERNAME": "", "SMTP_ALLOW_PLAINTEXT_LOGIN": "false"})
    inv = _draft()
    _send(inv)
    assert email_sender.deliver_pending_emails() == 1
    assert len(mail.messages) == 1


def test_no_reminder_goes_out_for_a_void_invoice(mail):
    from invoice_crm.services import ledger

    inv, reminder = _reminder_refused_once(mail)
    ledger.void_invoice(inv.id, "Cancelled by the client")
    row = _retry_reminder(mail, inv.id)
    assert row.status is DeliveryStatus.FAILED and "voided before the reminder" in row.last_error
    with pytest.raises(InvalidTransition, match="this one is void"):
        delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body)
    assert len(mail.messages) == 1  # only the invoice itself
