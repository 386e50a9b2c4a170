"""Issue 11 in the browser: the same breakdown in the editor, the invoice page, the pay page
and the PDF; partial payments and the Checkout for the balance; void; a credit note's PDF.
Each test makes its own client and invoices (the suite shares one app and its demo data)."""

from __future__ import annotations

import io
import re
import secrets
from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.pages import choose, create_client, send_invoice
from tests.fakes.fake_stripe import FakeStripe

INVOICE_URL = re.compile(r".*/invoices/(\d+)$")


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _download_text(page: Page, button) -> tuple[str, str]:
    with page.expect_download() as download:
        button.click()
    with open(download.value.path(), "rb") as fh:
        return download.value.suggested_filename, _pdf_text(fh.read())


def _add_tax_rate(page: Page, app_url: str, name: str, rate: str) -> None:
    page.goto(app_url + "/taxes")
    page.get_by_label("Tax name").fill(name)
    page.get_by_label("Rate (%)").fill(rate)
    page.get_by_role("button", name="Add tax rate").click()
    expect(page.locator(".tax-row", has_text=name)).to_be_visible()


def _client(page: Page, app_url: str, prefix: str) -> str:
    name = f"{prefix} {secrets.token_hex(3)}"
    create_client(page, app_url, name, f"ap-{secrets.token_hex(3)}@example.com")
    return name


def _draft(page: Page, app_url: str, client: str, lines: list[tuple[str, str, str]]) -> None:
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible()
    choose(page, "#client-select", client)
    for index, (description, quantity, price) in enumerate(lines):
        if index:
            page.get_by_role("button", name="Add line").click()
        line = page.locator(".line-item").nth(index)
        line.get_by_label("Description").fill(description)
        line.get_by_label("Quantity").fill(quantity)
        line.get_by_label("Unit price").fill(price)


def _save(page: Page) -> int:
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(INVOICE_URL)
    return int(INVOICE_URL.match(page.url).group(1))


def _sent_invoice(page: Page, app_url: str, prefix: str, price: str) -> tuple[int, str]:
    client = _client(page, app_url, prefix)
    _draft(page, app_url, client, [("Work", "1", price)])
    invoice_id = _save(page)
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    return invoice_id, page.locator("#pay-link").inner_text()


def _breakdown(page: Page, prefix: str) -> dict[str, str]:
    page.locator(f"#{prefix}-total").wait_for()
    rows = page.locator(f"#{prefix} .breakdown-row")
    return {
        rows.nth(i).get_attribute("data-key"): rows.nth(i).locator(".breakdown-value").inner_text()
        for i in range(rows.count())
    }


def _record_payment(page: Page, amount: str | None, method: str, reference: str) -> None:
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    if amount is not None:
        dialog.get_by_label("Amount").fill(amount)
    dialog.get_by_label("Method").select_option(label=method)
    dialog.get_by_label("Reference").fill(reference)
    dialog.get_by_role("button", name="Save payment").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_two_tax_rates_and_an_invoice_discount_show_the_same_figures_everywhere(signed_in: Page, app_url: str, browser):
    page = signed_in
    tag = secrets.token_hex(2)
    vat, reduced = f"VAT-{tag}", f"Reduced-{tag}"
    _add_tax_rate(page, app_url, vat, "20")
    _add_tax_rate(page, app_url, reduced, "5.5")
    client = _client(page, app_url, "Taxed")
    _draft(page, app_url, client, [("Design", "3", "19.99"), ("Printing", "2", "45.50")])
    lines = page.locator(".line-item")
    lines.nth(0).get_by_label("Tax", exact=True).select_option(label=f"{vat} 20%")
    lines.nth(1).get_by_label("Tax", exact=True).select_option(label=f"{reduced} 5.5%")
    page.get_by_label("Invoice discount type").select_option(label="Percent")
    page.get_by_label("Invoice discount", exact=True).fill("10")

    expected = {
        "subtotal": "$150.97",
        "invoice-discount": "-$15.10",
        "tax-0": "$10.79",  # 20% of 53.97 (59.97 less its share of the discount)
        "tax-1": "$4.50",  # 5.5% of 81.90
        "total": "$151.16",
    }
    expect(page.locator("#editor-breakdown-total")).to_have_text("$151.16")
    editor = _breakdown(page, "editor-breakdown")
    assert editor == expected
    expect(page.locator("#editor-breakdown")).to_contain_text(f"{vat} 20% on $53.97")
    expect(page.locator("#editor-breakdown")).to_contain_text(f"{reduced} 5.5% on $81.90")

    _save(page)
    expect(page.locator("#breakdown-total")).to_have_text("$151.16")
    shown = _breakdown(page, "breakdown")
    assert {k: v for k, v in shown.items() if k in expected} == expected
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    expect(page.locator("#breakdown-balance")).to_have_text("$151.16")
    pay_link = page.locator("#pay-link").inner_text()

    client_ctx = browser.new_context()
    try:
        cp = client_ctx.new_page()
        cp.goto(pay_link)
        expect(cp.locator("#pay-breakdown-total")).to_have_text("$151.16")
        assert {k: v for k, v in _breakdown(cp, "pay-breakdown").items() if k in expected} == expected
        expect(cp.locator("#pay-breakdown")).to_contain_text(f"{vat} 20% on $53.97")
        _, text = _download_text(cp, cp.get_by_role("button", name="Download PDF"))
    finally:
        client_ctx.close()
    for label, value in (("Subtotal", "$150.97"), ("Invoice discount", "-$15.10"),
                         (f"{vat} 20% on $53.97", "$10.79"), (f"{reduced} 5.5% on $81.90", "$4.50"),
                         ("Total (USD)", "$151.16")):
        assert re.search(re.escape(label) + r"\s*" + re.escape(value), text), (label, value, text)


def test_a_partial_payment_leaves_the_balance_which_checkout_charges_then_the_rest_pays_it(
    signed_in: Page, app_url: str, browser, fake_stripe_server: FakeStripe
):
    page = signed_in
    invoice_id, pay_link = _sent_invoice(page, app_url, "Instalment", "250.00")
    _record_payment(page, "100.00", "Cash", "DEPOSIT-1")
    expect(page.locator("#invoice-balance")).to_have_text("$150.00")
    expect(page.locator("#invoice-status")).to_contain_text("Partially paid")
    expect(page.locator("#breakdown-paid")).to_have_text("-$100.00")
    expect(page.locator(".payment-row", has_text="DEPOSIT-1")).to_contain_text("Cash")

    client_ctx = browser.new_context()
    try:
        cp = client_ctx.new_page()
        cp.goto(pay_link)
        expect(cp.locator("#pay-breakdown-balance")).to_have_text("$150.00")
        cp.get_by_role("button", name="Pay $150.00").click()
        cp.wait_for_url(re.compile(re.escape(fake_stripe_server.base_url) + r"/checkout/.*"))
    finally:
        client_ctx.close()
    session = fake_stripe_server.sessions_for(invoice_id)[-1]
    assert session["amount_total"] == 15000 and session["status"] == "open"

    # A refused payment says why once, beside the field it is about, and records nothing.
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Payment date").fill((date.today() + timedelta(days=3)).isoformat())
    dialog.get_by_role("button", name="Save payment").click()
    expect(dialog.locator("#paid-on-error")).to_have_text("Payment date cannot be in the future")
    expect(dialog.get_by_text("cannot be in the future")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".payment-row")).to_have_count(1)

    _record_payment(page, None, "Bank transfer", "REST-2")  # the amount defaults to the balance
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    expect(page.locator("#breakdown-balance")).to_have_text("$0.00")


def _usd(text: str) -> Decimal:
    match = re.search(r"\$([\d,]+\.\d\d)", text)
    return Decimal(match.group(1).replace(",", "")) if match else Decimal("0")


def _outstanding(page: Page, app_url: str) -> Decimal:
    """The dashboard's outstanding figure in dollars, once the dashboard has loaded its rows."""
    page.goto(app_url + "/")
    page.locator(".invoice-row").first.wait_for()
    page.wait_for_load_state("networkidle")
    return _usd(page.locator("#card-outstanding").inner_text())


def test_voiding_removes_it_from_outstanding_and_its_pay_page_offers_no_payment(signed_in: Page, app_url: str, browser):
    page = signed_in
    invoice_id, pay_link = _sent_invoice(page, app_url, "Voided", "77.77")
    before = _outstanding(page, app_url)
    page.goto(f"{app_url}/invoices/{invoice_id}")
    page.get_by_role("button", name="Void").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason for voiding").fill("Sent to the wrong client")
    dialog.get_by_role("button", name="Void invoice").dblclick()  # the second click finds it done
    expect(page.locator("#invoice-status")).to_contain_text("Void")
    expect(page.locator("#void-notice")).to_contain_text("Sent to the wrong client")
    expect(page.get_by_text("is void", exact=False).first).to_be_visible()
    expect(page.get_by_text(re.compile("cannot go from"))).to_have_count(0)
    expect(page.locator("#breakdown-balance")).to_have_count(0)  # a void invoice is owed nothing
    after = _outstanding(page, app_url)
    assert before - after == Decimal("77.77"), (before, after)

    client_ctx = browser.new_context()
    try:
        cp = client_ctx.new_page()
        cp.goto(pay_link)
        expect(cp.locator("#cancelled-notice")).to_contain_text("cancelled")
        expect(cp.get_by_role("button", name=re.compile(r"^Pay"))).to_have_count(0)
    finally:
        client_ctx.close()


def test_a_credit_note_on_a_paid_invoice_has_its_own_numbered_pdf(signed_in: Page, app_url: str):
    page = signed_in
    _sent_invoice(page, app_url, "Credited", "120.00")
    number = page.locator("#invoice-number").inner_text()
    _record_payment(page, None, "Card", "CARD-1")
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    page.get_by_role("button", name="Credit note").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Credit amount").fill("20.00")
    dialog.get_by_label("Reason").fill("Late delivery")
    dialog.get_by_role("button", name="Issue credit note").dblclick()  # one note per intent
    row = page.locator(".credit-note-row")
    expect(row).to_contain_text("$20.00")
    page.wait_for_load_state("networkidle")
    expect(row).to_have_count(1)
    note_number = row.locator(".credit-note-number").inner_text()
    assert re.fullmatch(r"CN-\d{4}-\d{4}", note_number)
    expect(page.locator("#breakdown-credited")).to_have_text("-$20.00")
    expect(page.get_by_role("button", name="Record refund of $20.00")).to_be_visible()
    filename, text = _download_text(page, page.get_by_role("button", name=f"Download {note_number}"))
    assert filename == f"{note_number}.pdf"
    assert "CREDIT NOTE" in text and note_number in text and number in text and "$20.00" in text

    # The refund dialog: a double click records one refund.
    page.get_by_role("button", name="Record refund of $20.00").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Refund amount").fill("5.00")
    dialog.get_by_role("button", name="Save refund").dblclick()
    expect(page.get_by_role("button", name="Record refund of $15.00")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name="Record refund of $15.00")).to_be_visible()
    expect(row.get_by_text(re.compile(r"Refunded \$5\.00"))).to_have_count(1)
