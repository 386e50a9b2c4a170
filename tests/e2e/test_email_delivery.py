"""Delivering invoices by email, in the browser, against the fake mail server (tests/fakes)."""

from __future__ import annotations

import io
import re
import uuid

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import sign_in

RESULT_TIMEOUT = 30_000  # the sender delivers after commit; the page shows it when it is known
PAY_LINK = re.compile(r"https?://\S+/pay/[A-Za-z0-9_-]+")


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _new_draft(page, app_url: str, *, quantity: str = "3", price: str = "150.00") -> tuple[str, str, str]:
    """A fresh client with a unique address and a one-line draft for it: (number, client email, page url)."""
    tag = uuid.uuid4().hex[:8]
    name, email = f"Client {tag}", f"client-{tag}@example.test"
    page.goto(app_url + "/invoices/new")
    page.locator("#new-client-toggle").click()
    page.locator("#new-client-name").fill(name)
    page.locator("#new-client-email").fill(email)
    page.locator("#add-client").click()
    expect(page.locator("#client-select")).to_contain_text(name)
    page.locator(".line-description input").first.fill("Consulting")
    page.locator(".line-quantity input").first.fill(quantity)
    page.locator(".line-unit-price input").first.fill(price)
    page.locator("#save-draft").click()
    page.wait_for_url(re.compile(r"/invoices/\d+$"), timeout=30_000)
    expect(page.locator("#invoice-status")).to_contain_text("Draft")
    return page.locator("#invoice-number").inner_text(), email, page.url


def _send_by_email(page, draft: str, email: str) -> str:
    """Send the draft by email; returns the number it took (a draft is numbered when sent)."""
    page.locator("#send-invoice").click()
    expect(page.locator("#send-recipient")).to_have_value(email)
    expect(page.locator("#send-subject")).to_have_value(re.compile(r"Invoice \S+-\d+"))
    expect(page.locator("#send-body")).to_have_value(re.compile(r"/pay/"))
    page.locator("#send-confirm").click()
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    number = page.locator("#invoice-number").inner_text()
    assert number != draft and number in page.locator("#timeline").inner_text()
    return number


def test_freelancer_emails_a_draft_with_the_pdf_and_the_pay_link(page, app_url, fake_smtp):
    sign_in(page, app_url)
    number, email, _ = _new_draft(page, app_url)
    number = _send_by_email(page, number, email)
    expect(page.locator(".email-row[data-status=DONE]")).to_contain_text(email, timeout=RESULT_TIMEOUT)
    expect(page.locator("#countdown")).to_contain_text("due in 14 days")

    [got] = fake_smtp.messages_to(email)
    assert got.message["To"] == email
    [attachment] = got.attachments
    assert attachment.get_filename() == f"{number}.pdf"
    text = _pdf_text(attachment.get_content())
    assert number in text and "$450.00" in text
    [link] = PAY_LINK.findall(got.text)
    expect(page.locator("#pay-link")).to_have_text(link)
    # In the timeline (not necessarily first: the payment link may be logged after the delivery).
    expect(page.locator(".timeline-event", has_text=f"Invoice emailed to {email}")).to_have_count(1)

    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    assert download.value.suggested_filename == f"{number}.pdf"
    with open(download.value.path(), "rb") as fh:
        assert "$450.00" in _pdf_text(fh.read())


def test_emailed_pay_link_opens_the_invoice_and_countdown_for_the_client(page, app_url, browser, fake_smtp):
    sign_in(page, app_url)
    number, email, _ = _new_draft(page, app_url)
    number = _send_by_email(page, number, email)
    expect(page.locator(".email-row[data-status=DONE]")).to_be_visible(timeout=RESULT_TIMEOUT)
    [got] = fake_smtp.messages_to(email)
    [link] = PAY_LINK.findall(got.text)

    client_context = browser.new_context()  # a fresh browser: no session, like the client's
    try:
        client_page = client_context.new_page()
        client_page.goto(link)
        expect(client_page.get_by_text(number).first).to_be_visible(timeout=30_000)
        expect(client_page.get_by_text("due in 14 days").first).to_be_visible()
        with client_page.expect_download() as download:
            client_page.locator("#pay-download-pdf").click()
        with open(download.value.path(), "rb") as fh:
            text = _pdf_text(fh.read())
        assert number in text and "$450.00" in text
    finally:
        client_context.close()


def test_refused_email_keeps_the_invoice_sent_shows_why_and_retry_delivers_once(page, app_url, fake_smtp):
    sign_in(page, app_url)
    number, email, _ = _new_draft(page, app_url)
    fake_smtp.refuse()
    number = _send_by_email(page, number, email)
    failed = page.locator(".email-row[data-status=PENDING]")
    expect(failed.locator(".email-detail")).to_contain_text("451", timeout=RESULT_TIMEOUT)
    expect(failed.locator(".email-status")).to_have_text("Retrying")
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    assert fake_smtp.messages_to(email) == []

    fake_smtp.accept()
    failed.locator(".email-retry").click()
    expect(page.locator(".email-row[data-status=DONE]")).to_contain_text(email, timeout=RESULT_TIMEOUT)
    expect(page.locator(".email-retry")).to_have_count(0)
    assert len(fake_smtp.messages_to(email)) == 1
    expect(page.locator("#timeline")).to_contain_text("failed (attempt 1 of 5)")


def test_mark_as_sent_sends_no_email_and_a_reminder_does(page, app_url, fake_smtp):
    sign_in(page, app_url)
    number, email, _ = _new_draft(page, app_url)
    page.locator("#send-invoice").click()
    page.get_by_role("radiogroup", name="How to send").get_by_role("radio", name="Mark as sent").click()
    expect(page.locator("#send-recipient")).to_have_count(0)
    expect(page.locator("#send-confirm")).to_have_text("Mark as sent")
    page.locator("#send-confirm").click()
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    expect(page.locator(".email-row")).to_have_count(0)
    number = page.locator("#invoice-number").inner_text()

    page.locator("#send-reminder").click()
    expect(page.locator("#send-subject")).to_have_value(re.compile(f"Reminder: invoice {re.escape(number)}.*due in 14 days"))
    page.locator("#send-recipient").fill("not an address")
    page.locator("#send-confirm").click()
    expect(page.locator(".field-error")).to_contain_text("Email must look like")
    page.locator("#send-recipient").fill(email)
    page.locator("#send-confirm").click()
    expect(page.locator(".email-row[data-status=DONE]")).to_contain_text("Reminder", timeout=RESULT_TIMEOUT)
    [got] = fake_smtp.messages_to(email)
    assert got.message["Subject"].startswith(f"Reminder: invoice {number}")
