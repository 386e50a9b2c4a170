"""Settings in the real app: the business the client sees (pay page, PDF, receipt) changes
without a restart; the number format's preview is the next number; an empty email template's
preview is the built-in text that is sent; bad logos are refused; the owner's password change
signs the old password and other sessions out.

(The shared app runs with the fake Stripe on; the PDF with Stripe off — payment
instructions, no "Pay online" — is tests/integration/settings_page/test_business_settings.py.)"""

from __future__ import annotations

import io
import re
import secrets

from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in
from tests.e2e.pages import create_client, new_invoice, send_invoice

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
DEFAULT_FORMAT = "INV-{year}-{seq:04d}"


def _pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _open_settings(page: Page, app_url: str, tab: str = "profile") -> None:
    page.goto(f"{app_url}/settings?tab={tab}")
    # The forms show the saved values once loaded; fill them only then.
    first = {"profile": "Business name", "invoices": "Number format"}.get(tab)
    if first:
        expect(page.get_by_label(first)).not_to_have_value("", timeout=30_000)
    else:
        expect(page.locator("#settings-signed-in-as")).to_contain_text("@", timeout=30_000)


def _upload_logo(page: Page, name: str, mime: str, content: bytes) -> None:
    # As a person does: the next file once the last upload's request has finished (its answer
    # can show before its request ends; a file dropped meanwhile was not taken, once, in CI).
    page.wait_for_load_state("networkidle")
    page.get_by_label("Logo (PNG, JPEG or SVG").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def test_business_details_reach_the_client_without_a_restart(signed_in, app_url, browser, fake_stripe_server):
    page = signed_in
    tag = secrets.token_hex(3)
    business = f"Northwind Studio {tag}"
    _open_settings(page, app_url)
    page.get_by_label("Business name").fill(business)
    page.get_by_label("Country").fill("DE")
    page.get_by_label("Tax / VAT number").fill("DE 123")
    page.get_by_role("button", name="Save business profile").click()
    expect(page.locator(".field-error", has_text="not a valid EU VAT number")).to_be_visible()

    page.get_by_label("Tax / VAT number").fill("DE 136695976")
    page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    page.get_by_label("Payment instructions").fill(f"Quote {tag} with your transfer.")
    page.get_by_role("button", name="Save business profile").click()
    expect(page.get_by_text("Business profile saved")).to_be_visible()
    expect(page.get_by_label("Tax / VAT number")).to_have_value("DE136695976")

    # Bad logos are refused beside the field; a real PNG is kept.
    _upload_logo(page, "logo.png", "image/png", b"just some text, not an image")
    expect(page.locator(".field-error", has_text="must be a PNG, JPEG or SVG")).to_be_visible()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    _upload_logo(page, "logo.svg", "image/svg+xml", svg)
    expect(page.locator(".field-error", has_text="may not contain <script>")).to_be_visible()
    _upload_logo(page, "logo.png", "image/png", _png())
    expect(page.get_by_role("img", name="Current logo")).to_be_visible()

    client = f"Branded Client {tag}"
    create_client(page, app_url, client, f"ap-{tag}@client.example")
    new_invoice(page, app_url, client, [("Branding work", "2", "150")])
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    pay_link = page.locator("#pay-link").inner_text()

    # The client page: what this client owes, as the dashboard has it.
    page.goto(app_url + "/clients")
    page.get_by_role("link", name=client).click()
    expect(page.locator("#client-outstanding")).to_have_text("$300.00")
    expect(page.locator("#client-overdue")).to_have_text("$0.00")

    context = browser.new_context(accept_downloads=True)  # the client: no session
    try:
        cp = context.new_page()
        cp.goto(pay_link)
        expect(cp.locator("#business-name")).to_have_text(business)
        expect(cp.locator("#business-tax")).to_have_text("Tax number: DE136695976")
        expect(cp.get_by_role("img", name=f"{business} logo")).to_be_visible()
        expect(cp.locator("#pay-button")).to_be_visible()  # online payment is on here
        with cp.expect_download() as download:
            cp.get_by_role("button", name="Download PDF").click()
        text = _pdf_text(download.value.path())
        assert business in text and "Tax number: DE136695976" in text
        assert "Pay online" in text and "How to pay" not in text

        cp.locator("#pay-button").click()
        cp.wait_for_url(f"{fake_stripe_server.base_url}/checkout/**")
        cp.locator("#fake-pay").click()
        cp.wait_for_url(re.compile(re.escape(pay_link) + r"/paid\?.*"))
        expect(cp.locator("#payment-confirmation")).to_contain_text("Payment received")
        expect(cp.locator("#business-name")).to_have_text(business)
        with cp.expect_download() as receipt:
            cp.get_by_role("button", name="Download receipt").click()
        receipt_text = _pdf_text(receipt.value.path())
        assert "RECEIPT" in receipt_text and business in receipt_text and "$300.00" in receipt_text
    finally:
        context.close()


def test_a_logo_upload_leaves_what_is_typed_in_the_profile_alone(signed_in, app_url):
    """The logo saves on its own: the profile's typed, unsaved fields and a refusal showing
    beside one of them stay as they are."""
    page = signed_in
    _open_settings(page, app_url)
    saved_phone = page.get_by_label("Phone").input_value()
    page.get_by_label("Country").fill("XX")
    page.get_by_role("button", name="Save business profile").click()
    country_error = page.locator("#settings-country-error")
    expect(country_error).to_have_text("Country must be a two-letter code such as DE, GB or US, or a country's name")
    phone = f"+49 30 {secrets.randbelow(10**6):06d}"
    page.get_by_label("Phone").fill(phone)
    _upload_logo(page, "logo.png", "image/png", _png())
    expect(page.get_by_text("Logo saved")).to_be_visible()
    expect(page.locator("#settings-logo-image")).to_be_visible()
    expect(page.get_by_label("Phone")).to_have_value(phone)
    expect(page.get_by_label("Country")).to_have_value("XX")
    expect(country_error).to_be_visible()
    page.reload()  # nothing of the profile was saved with the logo
    expect(page.get_by_label("Business name")).not_to_have_value("", timeout=30_000)
    expect(page.get_by_label("Phone")).to_have_value(saved_phone)


def test_a_logo_over_the_limit_is_refused_beside_the_field_and_one_near_it_is_taken(signed_in, app_url):
    page = signed_in
    _open_settings(page, app_url)
    _upload_logo(page, "huge.png", "image/png", b"\x89PNG" + b"0" * (600 * 1024))
    expect(page.locator(".field-error", has_text="The logo must be at most 512 KB")).to_be_visible()
    # A PNG just under the limit travels (the request bound leaves room for its envelope).
    out = io.BytesIO()
    Image.frombytes("RGB", (416, 416), secrets.token_bytes(416 * 416 * 3)).save(out, format="PNG", compress_level=0)
    near = out.getvalue()
    assert 500 * 1024 < len(near) <= 512 * 1024, len(near)
    _upload_logo(page, "near.png", "image/png", near)
    expect(page.get_by_text("Logo saved")).to_be_visible()
    expect(page.locator(".field-error", has_text="The logo must be")).to_have_count(0)


def test_number_format_preview_is_the_next_number(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(2).upper()
    fmt = f"E2E{tag}-{{seq:03d}}"
    _open_settings(page, app_url, "invoices")
    try:
        page.get_by_label("Number format").fill("NO-SEQUENCE")
        expect(page.locator(".field-error", has_text="must contain {seq}")).to_be_visible()
        page.get_by_label("Number format").fill(fmt)
        expect(page.locator("#number-preview")).to_have_text(f"E2E{tag}-001")
        page.get_by_role("button", name="Save invoice defaults").click()
        expect(page.get_by_text("Invoice defaults saved")).to_be_visible()

        client = f"Numbered {tag}"
        create_client(page, app_url, client, f"n-{tag.lower()}@client.example")
        new_invoice(page, app_url, client, [("Numbered work", "1", "10")])
        send_invoice(page)  # an invoice is numbered when it is sent
        expect(page.locator("#invoice-status")).to_have_text("Sent")
        expect(page.locator("#invoice-number")).to_contain_text(f"E2E{tag}-001")
    finally:
        _open_settings(page, app_url, "invoices")
        page.get_by_label("Number format").fill(DEFAULT_FORMAT)
        page.get_by_role("button", name="Save invoice defaults").click()
        expect(page.get_by_text("Invoice defaults saved")).to_be_visible()


def test_a_number_format_beyond_the_placeholders_is_refused_beside_the_field(signed_in, app_url):
    """QA: ``{seq.__class__}-{year}-{seq:070d}`` was saved, and the next invoice was numbered
    ``<class 'int'>-2026-000…``, 89 characters, its heading running off the card."""
    page = signed_in
    _open_settings(page, app_url, "invoices")
    field = page.get_by_label("Number format")
    field.fill("{seq.__class__}-{year}-{seq:070d}")
    expect(page.locator(".field-error", has_text="may use only {year}, {month} and {seq}")).to_be_visible()
    page.get_by_role("button", name="Save invoice defaults").click()
    expect(page.get_by_text("Not saved: check the highlighted fields")).to_be_visible()
    field.fill("INV-{year}-{seq:070d}")
    expect(page.locator(".field-error", has_text="at most 12 digits")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Number format")).to_have_value(DEFAULT_FORMAT)  # nothing was saved


def test_an_empty_email_template_previews_the_built_in_text(signed_in, app_url):
    """An empty subject or message sends the built-in text: the preview shows it, and says so."""
    page = signed_in
    page.goto(f"{app_url}/settings?tab=email")
    preview = page.locator(".template-preview-invoice")
    expect(preview).to_contain_text("INV-2026-0042", timeout=30_000)  # loaded: the fields hold the saved values
    subject = page.get_by_label("Invoice email subject")
    subject.fill("Pay {number} today")
    expect(preview).to_contain_text("Pay INV-2026-0042 today")
    # The subject is labelled and apart from the message (it ran straight into the body).
    expect(preview.locator(".template-preview-subject")).to_have_text("Subject: Pay INV-2026-0042 today")
    expect(preview.locator(".template-preview-body")).not_to_contain_text("Pay INV-2026-0042 today")
    assert page.get_by_label("Invoice email message").get_attribute("rows") == "8"
    expect(preview.locator(".template-built-in", has_text="Subject")).to_have_count(0)
    subject.fill("")  # not saved: the test changes nothing the others see
    expect(preview).to_contain_text("Invoice INV-2026-0042")
    expect(preview.locator(".template-built-in", has_text="Subject")).to_have_text(
        "Subject field empty: the built-in text is sent"
    )
    page.get_by_label("Invoice email message").fill("")
    expect(preview).to_contain_text("Please find attached invoice INV-2026-0042")
    expect(preview.locator(".template-built-in", has_text="Message")).to_be_visible()


def test_settings_fit_a_phone_and_show_the_integrations(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        _open_settings(page, app_url)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.get_by_role("tab", name="Integrations").click()
        stripe = page.locator(".integration-row", has_text="Stripe").first
        stripe.get_by_role("button", name="Test connection").click()
        expect(stripe.locator(".connection-result")).to_have_text("Connected: Stripe accepted the secret key")
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        assert "sk_test" not in page.content()
    finally:
        context.close()


def _change_password(page: Page, app_url: str, current: str, new: str) -> None:
    _open_settings(page, app_url, "account")
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password").fill(new)
    page.get_by_role("button", name="Change password").click()


def test_owner_changes_the_password_and_other_sessions_end(browser, app_url):
    mine, other, later = browser.new_context(), browser.new_context(), browser.new_context()
    new_password = f"new-{secrets.token_hex(6)}"
    changed = False
    try:
        me, them = mine.new_page(), other.new_page()
        sign_in(me, app_url)
        sign_in(them, app_url)
        _change_password(me, app_url, "not-my-password", new_password)
        expect(me.locator(".field-error", has_text="current password is wrong")).to_be_visible()
        _change_password(me, app_url, ADMIN_PASSWORD, new_password)
        expect(me.get_by_text("Password changed")).to_be_visible()
        changed = True

        them.goto(app_url + "/clients")  # the other browser's session is gone
        them.wait_for_url(re.compile(r".*/login.*"))

        old = later.new_page()
        old.goto(app_url + "/login")
        old.locator("#email").fill(ADMIN_EMAIL)
        old.locator("#password").fill(ADMIN_PASSWORD)
        old.locator("#sign-in").click()
        expect(old.locator("#login-error")).to_contain_text("Email or password is wrong")
        sign_in(old, app_url, password=new_password)

        me.goto(app_url + "/clients")  # this browser stays signed in
        expect(me.get_by_role("button", name="Add client")).to_be_visible()
    finally:
        if changed:  # the other journeys sign in with ADMIN_PASSWORD
            _change_password(me, app_url, new_password, ADMIN_PASSWORD)
            expect(me.get_by_text("Password changed")).to_be_visible()
        for context in (mine, other, later):
            context.close()
