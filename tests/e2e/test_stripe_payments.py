"""Paying online: the freelancer sends, the client pays through (fake) Stripe Checkout from
the app's own pay link, and the payment is recorded once; forged returns change nothing."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import choose, client_row, send_invoice
from tests.fakes.fake_stripe import FakeStripe

INVOICE_URL = re.compile(r".*/invoices/(\d+)$")


def _client_with_lead(page: Page, app_url: str, name: str) -> None:
    page.goto(app_url + "/clients")
    page.locator("#client-name").fill(name)
    page.get_by_label("Client email").first.fill(f"ap@{name.lower().replace(' ', '-')}.example")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".client-row", has_text=name)).to_be_visible()
    page.goto(app_url + "/leads")
    choose(page, "#lead-client", name)
    page.get_by_label("Lead title").fill(f"Website for {name}")
    page.get_by_role("button", name="Add lead").click()
    expect(page.locator(".lead-row", has_text=name)).to_be_visible()


def _draft_for(page: Page, app_url: str, name: str) -> int:
    client_row(page, app_url, name).get_by_role("link", name="New invoice").click()
    page.wait_for_url("**/invoices/new?client=*")
    page.locator(".line-description input").first.fill("Website build")
    page.locator(".line-quantity input").first.fill("3")
    page.locator(".line-unit-price input").first.fill("123.45")
    expect(page.locator("#invoice-total")).to_have_text("$370.35")
    page.locator("#save-draft").click()
    page.wait_for_url(INVOICE_URL)
    return int(INVOICE_URL.match(page.url).group(1))


def _first_invoice_with_status(page: Page, app_url: str, status: str) -> int:
    page.goto(f"{app_url}/?status={status}")
    row = page.locator(f".invoice-row[data-status={status}]").first
    row.get_by_role("link").click()
    page.wait_for_url(INVOICE_URL)
    expect(page.locator("#invoice-status")).to_contain_text(status.capitalize())
    return int(INVOICE_URL.match(page.url).group(1))


def test_client_pays_through_checkout_and_the_freelancer_sees_it_paid(
    signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe
):
    page = signed_in
    name = f"Payer {secrets.token_hex(3)}"
    _client_with_lead(page, app_url, name)
    invoice_id = _draft_for(page, app_url, name)

    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    number = page.locator("#invoice-number").inner_text()
    expect(page.locator("#payment-link-missing")).to_have_count(0)
    pay_link = page.locator("#pay-link").inner_text()
    assert pay_link.startswith(app_url + "/pay/") and "stripe" not in pay_link and "checkout" not in pay_link
    [session] = fake_stripe_server.sessions_for(invoice_id)
    assert session["amount_total"] == 37035
    # Activity names each event in words, never by its stored code ("payment_link").
    expect(page.locator(".timeline-event", has_text="Payment link")).to_have_count(1)
    labels = page.locator(".timeline-label").all_inner_texts()
    assert "Sent" in labels and not any("_" in label for label in labels), labels

    client = browser.new_context()  # the client: another browser, not signed in
    try:
        cp = client.new_page()
        cp.goto(pay_link)
        expect(cp.locator("#pay-invoice-number")).to_contain_text(number)
        expect(cp.locator("#pay-invoice-total")).to_have_text("$370.35")
        expect(cp.locator("#pay-invoice-status")).to_contain_text("Sent")
        expect(cp.locator("#pay-invoice-countdown")).to_contain_text("due in")
        expect(cp.locator(".line-row")).to_have_count(1)
        expect(cp.locator("#sign-out")).to_have_count(0)

        cp.locator("#pay-button").click()
        cp.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        expect(cp.locator("#fake-checkout-product")).to_have_text(f"Invoice #{number}")
        expect(cp.locator("#fake-checkout-amount")).to_have_text("USD 370.35")
        cp.locator("#fake-pay").click()

        cp.wait_for_url(re.compile(re.escape(pay_link) + r"/paid\?paid=true&session_id=cs_test_\w+$"))
        expect(cp.locator("#payment-confirmation")).to_contain_text("Payment received")
        expect(cp.locator("#pay-invoice-status")).to_contain_text("Paid")
        expect(cp.locator("#paid-notice")).to_contain_text("Paid on")
        expect(cp.locator("#pay-button")).to_have_count(0)
    finally:
        client.close()

    intent = fake_stripe_server.get(session["id"])["payment_intent"]
    assert intent.startswith("pi_")
    page.reload()
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    expect(page.locator(".payment-row")).to_have_count(1)
    expect(page.locator(".payment-reference")).to_have_text(intent)
    expect(page.locator(".payment-row")).to_contain_text("Stripe")
    page.goto(f"{app_url}/?q={number}")
    expect(page.locator(".invoice-row[data-status=PAID]", has_text=number)).to_be_visible()
    page.goto(app_url + "/leads")
    expect(page.locator(".lead-row", has_text=name).locator(".lead-status")).to_contain_text("Paid")


def test_forged_returns_change_nothing(signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe):
    page = signed_in
    invoice_id = _first_invoice_with_status(page, app_url, "SENT")
    pay_link = page.locator("#pay-link").inner_text()

    # The freelancer's own return with ?paid=true alone.
    page.goto(f"{app_url}/invoices/{invoice_id}?paid=true")
    expect(page.locator("#checkout-return")).to_contain_text("Payment not confirmed yet")
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    expect(page.locator(".payment-row")).to_have_count(0)

    client = browser.new_context()
    try:
        cp = client.new_page()
        for query in ("paid=true", "paid=true&session_id=cs_test_unknown"):
            cp.goto(f"{pay_link}/paid?{query}")
            expect(cp.locator("#payment-confirmation")).to_contain_text("Payment not confirmed yet")
            expect(cp.locator("#pay-invoice-status")).to_contain_text("Sent")
            expect(cp.locator("#pay-button")).to_be_visible()
        # An unpaid session of this very invoice (the client opened Checkout and left).
        cp.goto(pay_link)
        cp.locator("#pay-button").click()
        cp.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        unpaid = cp.url.rsplit("/", 1)[1]
        cp.locator("#fake-cancel").click()
        cp.wait_for_url(pay_link)
        cp.goto(f"{pay_link}/paid?paid=true&session_id={unpaid}")
        expect(cp.locator("#payment-confirmation")).to_contain_text("unpaid")
        expect(cp.locator("#pay-invoice-status")).to_contain_text("Sent")

        cp.goto(f"{app_url}/pay/{secrets.token_urlsafe(32)}")
        expect(cp.locator("#not-available")).to_be_visible()
        expect(cp.locator("#pay-invoice-number")).to_have_count(0)
    finally:
        client.close()

    page.goto(f"{app_url}/invoices/{invoice_id}")
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    expect(page.locator(".payment-row")).to_have_count(0)


@pytest.mark.parametrize("path", ["/pay", "/pay/", "/pay/not-a-real-token"])
def test_a_pay_link_cut_short_or_wrong_says_the_invoice_is_not_available(browser, app_url: str, path: str):
    """The client's view of a pay link without its token (or with a wrong one): the same page,
    in words, not a bare 404, and nothing of the freelancer's invoices."""
    client = browser.new_context()  # the client: not signed in
    try:
        cp = client.new_page()
        cp.goto(app_url + path)
        expect(cp.get_by_role("heading", name="This invoice is not available")).to_be_visible()
        expect(cp.get_by_text("Check the link you were sent, or ask the sender for a new one.")).to_be_visible()
        expect(cp).to_have_title(re.compile(r"^Invoice · "))
        expect(cp.get_by_text("404")).to_have_count(0)
        expect(cp.locator("#pay-invoice-number")).to_have_count(0)
        expect(cp.get_by_role("button")).to_have_count(0)  # no Pay, no Download PDF
        body = cp.locator("body").inner_text()
        assert "INV-" not in body and "$" not in body, body
    finally:
        client.close()


def test_webhook_on_the_app_port_records_the_payment(
    signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe
):
    page = signed_in
    invoice_id = _first_invoice_with_status(page, app_url, "OVERDUE")
    pay_link = page.locator("#pay-link").inner_text()
    client = browser.new_context()
    try:
        cp = client.new_page()
        cp.goto(pay_link)
        cp.locator("#pay-button").click()  # no session yet (demo data): made on demand
        cp.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        session_id = cp.url.rsplit("/", 1)[1]
    finally:
        client.close()  # paid, then the tab was closed: only the webhook reports it
    fake_stripe_server.pay(session_id)
    event = fake_stripe_server.event_for(session_id)
    webhook = app_url + "/api/stripe/webhook"

    assert fake_stripe_server.deliver_webhook(webhook, event, tamper=True)[0] == 400
    assert fake_stripe_server.deliver_webhook(webhook, event, secret="whsec_wrong")[0] == 400
    page.reload()
    expect(page.locator("#invoice-status")).to_contain_text("Overdue")

    status, body = fake_stripe_server.deliver_webhook(webhook, event)
    assert (status, '"outcome":"recorded"' in body.replace(" ", "")) == (200, True)
    assert fake_stripe_server.deliver_webhook(webhook, event)[0] == 200  # redelivery
    page.reload()
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    expect(page.locator(".payment-row")).to_have_count(1)
    assert len(fake_stripe_server.sessions_for(invoice_id)) == 1


def test_stripe_down_while_sending_leaves_it_sent_with_a_retry(signed_in: Page, app_url: str, fake_stripe_server: FakeStripe):
    page = signed_in
    invoice_id = _first_invoice_with_status(page, app_url, "DRAFT")
    fake_stripe_server.fail_next(100, "500")
    try:
        send_invoice(page)
        expect(page.locator("#invoice-status")).to_contain_text(re.compile("Sent|Overdue"))  # demo due dates vary
        expect(page.locator("#payment-link-missing")).to_contain_text("not available")
        expect(page.get_by_text("Sent, but no payment link yet")).to_be_visible()
        assert fake_stripe_server.sessions_for(invoice_id) == []
    finally:
        fake_stripe_server.clear_failures()
    page.reload()
    expect(page.locator("#payment-link-missing")).to_be_visible()  # still there after a reload
    page.locator("#create-payment-link").click()
    expect(page.locator("#payment-link-missing")).to_have_count(0)
    assert len(fake_stripe_server.sessions_for(invoice_id)) == 1


def test_a_pay_page_left_open_says_what_changed_instead_of_paying_it(
    signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe
):
    """The client's tab was open while the freelancer part-paid one invoice by hand and voided
    another: Pay opens no Checkout for what the page did not show; it says what is true now,
    and the page shows it (the new balance on the button; cancelled, with no button)."""
    page = signed_in
    name = f"Stale {secrets.token_hex(3)}"
    _client_with_lead(page, app_url, name)
    links = {}
    for which in ("part paid", "voided"):
        invoice_id = _draft_for(page, app_url, name)
        send_invoice(page)
        expect(page.locator("#invoice-status")).to_contain_text("Sent")
        links[which] = (invoice_id, page.locator("#pay-link").inner_text())

    client = browser.new_context()
    try:
        part_paid, voided = client.new_page(), client.new_page()
        for tab, which in ((part_paid, "part paid"), (voided, "voided")):
            tab.goto(links[which][1])
            expect(tab.get_by_role("button", name="Pay $370.35")).to_be_visible()

        page.goto(f"{app_url}/invoices/{links['part paid'][0]}")
        page.get_by_role("button", name="Record payment").click()
        page.get_by_label("Amount").fill("70.35")
        page.get_by_role("button", name="Save payment").click()
        expect(page.locator("#invoice-balance")).to_have_text("$300.00")
        page.goto(f"{app_url}/invoices/{links['voided'][0]}")
        page.get_by_role("button", name="Void").click()
        page.get_by_label("Reason for voiding").fill("Wrong client")
        page.get_by_role("button", name="Void invoice").click()
        expect(page.locator("#invoice-status")).to_contain_text("Void")

        # Pressed twice before the first answer: refused twice, said once.
        part_paid.get_by_role("button", name="Pay $370.35").evaluate("b => { b.click(); b.click(); }")
        refused = part_paid.get_by_text("The balance is now $300.00. Press Pay again to pay it.")
        expect(refused).to_be_visible()
        part_paid.wait_for_timeout(1000)
        expect(refused).to_have_count(1)
        expect(part_paid.get_by_role("button", name="Pay $300.00")).to_be_visible()
        assert part_paid.url == links["part paid"][1]  # no Checkout for $300.00 yet
        part_paid.get_by_role("button", name="Pay $300.00").click()
        part_paid.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        expect(part_paid.locator("#fake-checkout-amount")).to_have_text("USD 300.00")

        voided.get_by_role("button", name="Pay $370.35").click()
        expect(voided.get_by_text("This invoice was cancelled; there is nothing to pay").first).to_be_visible()
        expect(voided.locator("#cancelled-notice")).to_be_visible()
        expect(voided.locator("#pay-invoice-status")).to_contain_text("Void")
        expect(voided.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)
        assert fake_stripe_server.sessions_for(links["voided"][0])[-1]["status"] == "expired"
    finally:
        client.close()


def test_a_payment_taken_for_an_earlier_balance_is_not_asked_again(
    signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe
):
    """QA: the client paid $370.35 at Stripe while the freelancer recorded 70.35 by hand. Back
    from Checkout the client is told the payment was taken and not recorded — not "not
    confirmed yet" with a Pay $300.00 button — and the invoice page says it at the top."""
    page = signed_in
    name = f"Early {secrets.token_hex(3)}"
    _client_with_lead(page, app_url, name)
    invoice_id = _draft_for(page, app_url, name)
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    pay_link = page.locator("#pay-link").inner_text()

    client = browser.new_context()
    try:
        cp = client.new_page()
        cp.goto(pay_link)
        cp.get_by_role("button", name="Pay $370.35").click()
        cp.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        session_id = fake_stripe_server.sessions_for(invoice_id)[-1]["id"]
        fake_stripe_server.pay(session_id)  # paid at Stripe; the return is not back yet

        page.get_by_role("button", name="Record payment").click()
        page.get_by_label("Amount").fill("70.35")
        page.get_by_role("button", name="Save payment").click()
        expect(page.locator("#invoice-balance")).to_have_text("$300.00")

        cp.goto(f"{pay_link}/paid?paid=true&session_id={session_id}")
        notice = cp.locator("#payment-confirmation")
        expect(notice).to_contain_text("Your payment of $370.35 reached us after the amount due had changed")
        expect(notice).not_to_contain_text("not confirmed")
        expect(cp.locator("#pay-invoice-total")).to_be_visible()
        expect(cp.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)
    finally:
        client.close()

    page.reload()
    expect(page.locator(".unrecorded-payment")).to_contain_text("of $370.35 was for an earlier balance")
    expect(page.locator(".unrecorded-payment")).to_contain_text("refund it in Stripe")
