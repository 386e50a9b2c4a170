"""The production shape end to end: `make serve` with 3 backend workers on PostgreSQL and Redis,
behind nginx. Three browsers send and pay the same invoices at once while the fake Stripe
delivers every webhook ten times and one browser resyncs the sheet. Afterwards: one Payment per
paid invoice, one email per send, the sheet equals the database, nothing left claimed."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import DeliveryStatus, EmailMessage, Invoice, OutboxMessage, Payment
from tests.e2e.conftest import chromium_launch_args
from tests.integration.helpers import make_client, make_invoice
from tests.integration.sheets.support import assert_sheet_equals_database
from tests.production.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

BROWSERS = 3
INVOICES = 3
WEBHOOK_DELIVERIES = 10


def _count(model, *where) -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _sign_in(page, url: str) -> None:
    page.goto(url + "/login")
    page.locator("#email").fill(ADMIN_EMAIL)  # as tests/e2e/conftest.py signs in
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/", timeout=60_000)


def _send_and_pay(page, client_page, url: str, invoice_id: int) -> None:
    """What a freelancer and a client do to one invoice: send it by email, then pay it online."""
    page.goto(f"{url}/invoices/{invoice_id}")
    status = page.locator("#invoice-status")
    expect(status).to_be_visible(timeout=60_000)
    send = page.get_by_role("button", name="Send", exact=True)
    if "Draft" in status.inner_text() and send.is_visible():
        send.click()
        page.locator("#send-confirm").click()  # by email (the dialog's default), to the client
    _reload_until(page, lambda: re.search("Sent|Overdue|Paid", status.inner_text()) and page.locator("#pay-link").count())
    pay_link = page.locator("#pay-link").inner_text().strip()
    assert pay_link.startswith(url + "/pay/")
    client_page.goto(pay_link)
    expect(client_page.locator("#pay-invoice-status")).to_be_visible(timeout=60_000)
    pay = client_page.locator("#pay-button")
    if pay.count() and pay.is_visible():
        pay.click()
        # This test's webhooks may pay the invoice between the look and the click: then the
        # page says Paid and makes no Checkout, which is right. Either answer ends the wait.
        client_page.wait_for_function(
            "() => location.pathname.includes('/checkout/')"
            " || (document.querySelector('#pay-invoice-status')?.innerText || '').includes('Paid')",
            timeout=60_000,
        )
        if "/checkout/" in client_page.url:
            client_page.locator("#fake-pay").click()
            client_page.wait_for_url(re.compile(re.escape(pay_link) + r"/paid\?.*"), timeout=60_000)
        expect(client_page.locator("#pay-invoice-status")).to_contain_text("Paid", timeout=60_000)


def _reload_until(page, check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up on {page.url}")
        time.sleep(1)
        page.reload()
        page.locator("#invoice-status").wait_for(timeout=60_000)


def _what_it_shows(page, screenshot) -> str:
    """For a failure's report: the page's address and text, and a screenshot beside the app's log."""
    try:
        page.screenshot(path=str(screenshot))
        return f"{page.url} shows {page.inner_text('body')[:300]!r} (screenshot: {screenshot})"
    except Exception as err:  # the page may be gone with its browser
        return f"(could not read the page: {err})"


def _browser_journey(index: int, url: str, invoice_ids: list[int], errors: list, shots) -> None:
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_args())
            try:
                contexts = [browser.new_context(), browser.new_context()]  # the client's: not signed in
                for context in contexts:
                    context.set_default_timeout(120_000)  # three Chromiums and the app share two cores
                freelancer, client = (context.new_page() for context in contexts)
                try:
                    _sign_in(freelancer, url)
                    order = invoice_ids[index:] + invoice_ids[:index]  # each starts on another invoice
                    for invoice_id in order:
                        _send_and_pay(freelancer, client, url, invoice_id)
                    if index == 0:
                        freelancer.goto(url + "/")
                        freelancer.get_by_role("button", name="Resync all").click()
                        expect(freelancer.locator("#resync-result")).to_be_visible(timeout=120_000)
                except Exception as exc:
                    seen = [_what_it_shows(page, shots / f"browser{index}-{who}.png")
                            for who, page in (("freelancer", freelancer), ("client", client))]
                    raise AssertionError(f"{exc}\n" + "\n".join(seen)) from exc
            finally:
                browser.close()
    except Exception as exc:  # reported by the main thread
        errors.append((index, exc))


def _webhooks(app, invoice_ids: list[int], stop: threading.Event, answers: list[int]) -> None:
    """Every paid Checkout session's event, delivered ten times at once, as soon as it is paid."""
    delivered: set[str] = set()
    with ThreadPoolExecutor(max_workers=WEBHOOK_DELIVERIES) as pool:
        while True:
            finished = stop.is_set()
            for invoice_id in invoice_ids:
                for session in app.stripe.sessions_for(invoice_id):
                    if session["payment_status"] == "paid" and session["id"] not in delivered:
                        delivered.add(session["id"])
                        event = app.stripe.event_for(session["id"])
                        answers += pool.map(
                            lambda e: app.stripe.deliver_webhook(app.url + "/api/stripe/webhook", e)[0],
                            [event] * WEBHOOK_DELIVERIES,
                        )
            if finished:
                return
            time.sleep(0.2)


def test_three_browsers_and_webhooks_at_once_on_three_workers(production_db):
    app = production_db
    client = make_client("Concurrent Clients Ltd", "ap@concurrent.example")
    invoice_ids = [
        make_invoice(client.id, lines=[{"description": f"Work {i}", "quantity": "3", "unit_price": "123.45"}]).id
        for i in range(INVOICES)
    ]
    errors: list = []
    answers: list[int] = []
    stop = threading.Event()
    hooks = threading.Thread(target=_webhooks, args=(app, invoice_ids, stop, answers))
    hooks.start()
    browsers = [
        threading.Thread(target=_browser_journey, args=(i, app.url, invoice_ids, errors, app.log.parent))
        for i in range(BROWSERS)
    ]
    for thread in browsers:
        thread.start()
    for thread in browsers:
        thread.join(timeout=600)
    stop.set()
    hooks.join(timeout=120)
    assert errors == [], f"{errors}\n{app.log.read_text()[-3000:]}"
    assert answers and set(answers) == {200}  # every delivery of every event answered 200

    # The background work settles: every email and sheet message delivered, none left claimed.
    _wait(lambda: _count(EmailMessage, EmailMessage.status != DeliveryStatus.DONE) == 0, 90, "the emails")
    _wait(lambda: _count(OutboxMessage, OutboxMessage.status != DeliveryStatus.DONE) == 0, 90, "the sheet outbox")
    with read_session() as s:
        for invoice_id in invoice_ids:
            assert s.get(Invoice, invoice_id).status is InvoiceStatus.PAID
            assert s.execute(select(func.count()).where(Payment.invoice_id == invoice_id)).scalar_one() == 1
            emails = s.execute(select(EmailMessage).where(EmailMessage.invoice_id == invoice_id)).scalars().all()
            # One send, whichever browser won it, and one receipt for the one payment, however
            # often and on whichever worker the webhook was delivered.
            assert sorted(e.kind for e in emails) == ["invoice", "receipt"]
            for email in emails:
                received = [m for m in app.smtp.messages if m.message["Message-ID"] == email.message_id]
                assert len(received) == 1  # ... and each out once, whichever worker delivered it
    assert len(app.smtp.messages) == 2 * INVOICES
    assert _count(OutboxMessage, OutboxMessage.claimed_by.is_not(None)) == 0
    assert _count(EmailMessage, EmailMessage.claimed_by.is_not(None)) == 0
    assert_sheet_equals_database(app.sheets)
