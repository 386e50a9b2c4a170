"""Settings → Email's sender name and reply-to are on every email the app sends: the name
on MAIL_FROM's address in From, and the reply-to in Reply-To."""

from __future__ import annotations

from datetime import timedelta

from invoice_crm.services import business_settings as biz
from invoice_crm.services import connections, delivery, email_sender, invoices, receipts
from tests.integration.helpers import TODAY, make_client, make_invoice

FROM = "Jane Studio Billing <billing@janedoe.example>"  # MAIL_FROM's address, the saved name


def test_invoice_reminder_receipt_and_test_email_carry_the_sender_name_and_reply_to(mail):
    biz.save_email({"sender_name": "Jane Studio Billing", "reply_to": "replies@janedoe.example"})
    inv = make_invoice(make_client("Acme", "billing@acme.example").id)
    draft = delivery.compose_invoice_email(inv.id)
    delivery.send_invoice_by_email(inv.id, draft.recipient, draft.subject, draft.body, "me@example.com")
    invoices.sweep_overdue(today=inv.due_date + timedelta(days=3))
    reminder = delivery.compose_reminder(inv.id)
    delivery.send_reminder(inv.id, reminder.recipient, reminder.subject, reminder.body, "me@example.com")
    assert email_sender.deliver_pending_emails() == 2  # before the payment, which stops a reminder
    invoices.mark_paid(inv.id, TODAY, reference="BANK-7")
    receipts.send_receipt(inv.id, "me@example.com")
    assert email_sender.deliver_pending_emails() == 1
    assert connections.send_test_email("owner@example.com").ok
    sent = mail.messages_to("billing@acme.example") + mail.messages_to("owner@example.com")
    assert len(sent) == 4
    for got in sent:
        assert got.message["From"] == FROM
        assert got.message["Reply-To"] == "replies@janedoe.example"


def test_without_a_saved_name_or_reply_to_mail_from_is_used_as_set(mail):
    biz.save_email({"sender_name": "", "reply_to": ""})
    assert connections.send_test_email("owner@example.com").ok
    [got] = mail.messages_to("owner@example.com")
    assert got.message["From"] == "Jane Doe Design <billing@janedoe.example>"  # MAIL_FROM
    assert got.message["Reply-To"] is None


def test_a_double_clicked_send_a_test_email_sends_one(app, mail):
    """QA: two test emails arrived for a double click on "Send a test email". The click carries
    the button's key; the second, queued behind the first, finds it used. A later click sends."""
    from invoice_crm.state.settings import SettingsState
    from tests.integration.owner_events import OWNER, signed_in
    from tests.support.events import EventRunner, run

    async def scenario():
        async with EventRunner(app) as runner:
            tab = await signed_in(runner)
            await runner.send(tab, SettingsState.on_load, "/settings")
            key = (await runner.state(tab, SettingsState)).test_email_key
            for _ in range(2):  # both clicks drawn with the same key
                await runner.send(tab, SettingsState.send_test_email, "/settings", key=key)
            once = len(mail.messages_to(OWNER))
            later = (await runner.state(tab, SettingsState)).test_email_key
            await runner.send(tab, SettingsState.send_test_email, "/settings", key=later)
            assert runner.server_errors == []
            return once, len(mail.messages_to(OWNER))

    assert run(scenario()) == (1, 2)
