"""Settings, the rest of issue 16, in the real app: the locale saved in Settings shows at once
(no restart); the tax catalogue is a Settings tab; the editor's inline "add client" asks
before adding a second client of the same name; Record payment can email the receipt, once."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from contextlib import closing

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import ServerAnswers, create_client, new_invoice, send_invoice

TIMEOUT = 30_000


def _db(app_env, sql: str, *params) -> list[tuple]:
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        rows = conn.execute(sql, params).fetchall()
        conn.commit()
        return rows


def _set_locale(page: Page, app_url: str, locale: str) -> None:
    page.goto(f"{app_url}/settings?tab=invoices")
    field = page.get_by_label("Business locale")
    expect(field).not_to_have_value("", timeout=TIMEOUT)
    field.fill(locale)
    page.get_by_role("button", name="Save invoice defaults").click()
    expect(page.get_by_text("Invoice defaults saved")).to_be_visible(timeout=TIMEOUT)


def _until_shown(page: Page, url: str, locator: str, text: str, seconds: float = 20) -> None:
    """Open ``url`` until ``locator`` reads ``text``: another server process may hold the old
    locale for a few seconds (its short cache), never until a restart."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        shown = page.locator(locator)
        expect(shown).not_to_have_text("", timeout=TIMEOUT)
        if shown.inner_text().strip() == text or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(shown).to_have_text(text)


def test_a_locale_saved_in_settings_shows_amounts_without_a_restart(page: Page, app_url, app_env):
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    client = f"Locale {tag}"
    create_client(page, app_url, client, f"locale-{tag}@example.test")
    invoice_id = new_invoice(page, app_url, client, [("Design", "1", "1234.50")])
    url = f"{app_url}/invoices/{invoice_id}"
    _until_shown(page, url, "#invoice-amount", "$1,234.50")
    try:
        _set_locale(page, app_url, "de_DE")
        _until_shown(page, url, "#invoice-amount", "1.234,50\u00a0$")
    finally:
        _set_locale(page, app_url, "en_US")
    _until_shown(page, url, "#invoice-amount", "$1,234.50")


def test_the_tax_catalogue_is_a_settings_tab(page: Page, app_url):
    sign_in(page, app_url)
    name = f"GST {uuid.uuid4().hex[:6]}"
    page.goto(f"{app_url}/settings")
    page.get_by_role("tab", name="Taxes").click()
    expect(page).to_have_url(re.compile(r".*/settings\?tab=taxes$"))
    page.get_by_label("Tax name").fill(name)
    page.get_by_label("Rate (%)").fill("7.5")
    page.get_by_role("button", name="Add tax rate").click()
    expect(page.locator(".tax-row", has_text=name)).to_contain_text("7.5%", timeout=TIMEOUT)
    # The tab opens from its address, and /taxes shows the same catalogue.
    page.goto(f"{app_url}/settings?tab=taxes")
    expect(page.locator(".tax-row", has_text=name)).to_be_visible(timeout=TIMEOUT)
    page.goto(f"{app_url}/taxes")
    expect(page.locator(".tax-row", has_text=name)).to_be_visible(timeout=TIMEOUT)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_what_is_typed_in_a_settings_tab_is_still_there_after_visiting_another(page: Page, app_url):
    """Typed, not saved, another tab chosen (by click and by arrow keys) and this one again: the
    fields show what was typed. Saving one form keeps what is typed in another; a reload shows
    what is saved."""
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:6]
    page.goto(f"{app_url}/settings?tab=invoices")
    expect(page.get_by_label("Business locale")).not_to_have_value("", timeout=TIMEOUT)  # the settings are read
    page.get_by_role("tab", name="Business").click()
    address = page.get_by_label("Address")
    expect(address).to_be_visible(timeout=TIMEOUT)
    saved_address = address.input_value()
    address.fill(f"Typed street {tag}\n10115 Berlin")
    page.get_by_label("Phone").fill(f"+49 30 {tag}")
    page.get_by_role("tab", name="Invoices").click()
    footer = page.get_by_label("Footer")
    saved_footer = footer.input_value()
    footer.fill(f"Typed footer {tag}")
    page.get_by_role("tab", name="Invoices").focus()
    page.keyboard.press("ArrowLeft")  # to Business by keyboard
    expect(page.get_by_label("Address")).to_have_value(f"Typed street {tag}\n10115 Berlin", timeout=TIMEOUT)
    expect(page.get_by_label("Phone")).to_have_value(f"+49 30 {tag}")

    page.get_by_role("tab", name="Email").click()
    page.get_by_role("tab", name="Invoices").click()
    expect(page.get_by_label("Footer")).to_have_value(f"Typed footer {tag}", timeout=TIMEOUT)
    # Saving the invoice defaults leaves what is typed on Business as it is.
    page.get_by_role("button", name="Save invoice defaults").click()
    expect(page.get_by_text("Invoice defaults saved")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("tab", name="Business").click()
    expect(page.get_by_label("Phone")).to_have_value(f"+49 30 {tag}", timeout=TIMEOUT)

    # Nothing typed is saved by leaving: a reload shows the saved address, and the saved footer.
    page.reload()
    expect(page.get_by_label("Address")).to_have_value(saved_address, timeout=TIMEOUT)
    page.get_by_role("tab", name="Invoices").click()
    expect(page.get_by_label("Footer")).to_have_value(f"Typed footer {tag}", timeout=TIMEOUT)
    page.get_by_label("Footer").fill(saved_footer)  # as other tests' PDFs expect it
    page.get_by_role("button", name="Save invoice defaults").click()
    expect(page.get_by_label("Save invoice defaults")).to_have_count(0)  # a button, not a field
    expect(page.get_by_role("button", name="Save invoice defaults")).to_be_enabled(timeout=TIMEOUT)
    page.reload()
    page.get_by_role("tab", name="Invoices").click()
    expect(page.get_by_label("Footer")).to_have_value(saved_footer, timeout=TIMEOUT)


def test_leaving_settings_with_something_typed_asks_first(page: Page, app_url):
    """QA: text typed in Settings was lost without a word by a click on Dashboard. Leaving asks
    (also for a tab not shown now); no keeps the page and the text; after a save it does not ask."""
    sign_in(page, app_url)
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{app_url}/settings?tab=invoices")
    expect(page.get_by_label("Business locale")).not_to_have_value("", timeout=TIMEOUT)  # the settings are read
    page.get_by_role("tab", name="Business").click()
    phone = page.get_by_label("Phone")
    expect(phone).to_be_visible(timeout=TIMEOUT)
    saved_phone = phone.input_value()
    phone.fill("+49 30 555 0101")
    page.get_by_role("tab", name="Invoices").click()  # typed on a tab no longer shown
    expect(page.get_by_label("Footer")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function("() => document.querySelector('[data-unsaved-changes=\"true\"]') !== null")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_label("Footer")).to_be_visible()  # "no": still here
    assert asked == ["You have unsaved changes in Settings. Leave without saving?"]
    page.get_by_role("tab", name="Business").click()
    expect(page.get_by_label("Phone")).to_have_value("+49 30 555 0101")

    page.get_by_label("Phone").fill(saved_phone)
    page.get_by_role("button", name="Save business profile").click()
    expect(page.get_by_text("Business profile saved")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url(app_url + "/")
    assert len(asked) == 1  # saved: nothing asked


def _inline_add(page: Page, name: str, email: str, *, open_form: bool = True) -> None:
    if open_form:
        page.get_by_role("button", name="New", exact=True).click()
    page.get_by_label("New client name").fill(name)
    page.get_by_label("New client email").fill(email)
    page.get_by_role("button", name="Add client").click()


def test_inline_add_client_asks_before_a_second_client_with_the_same_name(page: Page, app_url, app_env):
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    name = f"Twin {tag}"
    create_client(page, app_url, name, f"twin-{tag}@example.test")
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible(timeout=TIMEOUT)

    _inline_add(page, name, f"other-{tag}@example.test")
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("A similar client exists")
    expect(question).to_contain_text(name)
    assert _db(app_env, "SELECT count(*) FROM client WHERE name = ?", name) == [(1,)]  # nothing added yet
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_be_hidden()
    time.sleep(1)
    assert _db(app_env, "SELECT count(*) FROM client WHERE name = ?", name) == [(1,)]

    # The form stays open after Cancel; same email, name in other case.
    _inline_add(page, name.upper(), f"twin-{tag}@example.test", open_form=False)
    expect(question).to_be_visible()
    question.get_by_role("button", name="Add anyway").click()
    expect(page.get_by_text(f"Client {name.upper()} added")).to_be_visible(timeout=TIMEOUT)
    assert _db(app_env, "SELECT count(*) FROM client WHERE lower(name) = lower(?)", name) == [(2,)]
    expect(page.locator("#client-select")).to_contain_text(name.upper())


def _double_click(button: Locator) -> None:
    expect(button).to_be_enabled()
    button.focus()
    time.sleep(0.6)
    button.evaluate("b => { b.click(); b.click(); }")


def test_record_payment_can_email_the_receipt_once(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    client, email = f"Receipt {tag}", f"receipt-{tag}@example.test"
    create_client(page, app_url, client, email)
    invoice_id = new_invoice(page, app_url, client, [("Work", "2", "60")])
    send_invoice(page)  # marked as sent: no email yet
    expect(page.locator("#invoice-status")).to_have_text("Sent", timeout=TIMEOUT)

    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    option = dialog.get_by_label("Email a receipt to the client")
    expect(option).to_be_checked()  # on by default: the client has an address and SMTP is set up
    dialog.get_by_label("Reference").fill(f"BANK-{tag}")
    _double_click(dialog.get_by_role("button", name="Save payment"))
    expect(page.locator("#invoice-status")).to_have_text("Paid", timeout=TIMEOUT)
    expect(page.get_by_text(f"receipt emailed to {email}")).to_be_visible(timeout=TIMEOUT)

    deadline = time.monotonic() + 30
    while not fake_smtp.messages_to(email) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # a second email, if any, would have come by now
    [got] = fake_smtp.messages_to(email)
    [attachment] = got.attachments
    assert attachment.get_filename().startswith("receipt-") and attachment.get_content_type() == "application/pdf"
    assert got.message.get_body(preferencelist=("html",)) is not None
    assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(1,)]
    assert _db(app_env, "SELECT count(*) FROM email_message WHERE invoice_id = ? AND kind = 'receipt'", invoice_id) == [(1,)]


def test_record_payment_without_the_option_emails_nothing(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    client, email = f"NoReceipt {tag}", f"noreceipt-{tag}@example.test"
    create_client(page, app_url, client, email)
    invoice_id = new_invoice(page, app_url, client, [("Work", "1", "80")])
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_have_text("Sent", timeout=TIMEOUT)
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email a receipt to the client").click()
    expect(dialog.get_by_label("Email a receipt to the client")).not_to_be_checked()
    dialog.get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid", timeout=TIMEOUT)
    time.sleep(3)
    assert fake_smtp.messages_to(email) == []
    assert _db(app_env, "SELECT count(*) FROM email_message WHERE invoice_id = ?", invoice_id) == [(0,)]


def test_the_address_names_a_tab_as_soon_as_it_is_chosen(page: Page, app_url):
    """A reload right after a click opened the tab before it: the address followed the tab only
    when the server answered. Here the server's answers are held back while a tab is chosen."""
    answers = ServerAnswers(page)
    sign_in(page, app_url)
    page.goto(f"{app_url}/settings?tab=invoices")
    expect(page.get_by_label("Business locale")).not_to_have_value("", timeout=TIMEOUT)

    answers.hold()
    page.get_by_role("tab", name="Email").click()
    expect(page).to_have_url(re.compile(r"/settings\?tab=email$"))
    answers.release()
    expect(page.get_by_role("tab", name="Email")).to_have_attribute("aria-selected", "true")
    page.reload()
    expect(page.get_by_role("tab", name="Email")).to_have_attribute("aria-selected", "true", timeout=TIMEOUT)


def test_what_is_typed_as_settings_open_is_what_is_saved(page: Page, app_url):
    """Typed at once after opening Settings, while the fields may still hold the last visit's
    values: the page's start must not draw the form again over it, nor Save keep the old text."""
    sign_in(page, app_url)
    page.goto(f"{app_url}/settings?tab=invoices")
    expect(page.get_by_label("Business locale")).not_to_have_value("", timeout=TIMEOUT)  # the settings are read
    saved_footer = page.get_by_label("Footer").input_value()
    for footer in [f"Footer typed at once {uuid.uuid4().hex[:6]}" for _ in range(3)] + [saved_footer]:
        page.goto(f"{app_url}/settings?tab=invoices")
        page.get_by_label("Footer").fill(footer)
        page.get_by_role("button", name="Save invoice defaults").click()
        expect(page.get_by_text("Invoice defaults saved").first).to_be_visible(timeout=TIMEOUT)
        page.reload()
        expect(page.get_by_label("Footer")).to_have_value(footer, timeout=TIMEOUT)


def test_settings_fields_take_typing_once_the_settings_are_read(page: Page, app_url):
    """CI (stop 25): a Business name typed as Settings opened was drawn over by the page's
    start (its on_load draws the forms anew with what is saved), and Save then sent it empty.
    Here the server's answers are held back: until they come the fields wait, disabled."""
    answers = ServerAnswers(page)
    sign_in(page, app_url)
    answers.hold()
    page.goto(f"{app_url}/settings")
    name = page.get_by_label("Business name")
    expect(name).to_be_visible()
    expect(name).to_be_disabled()
    expect(page.get_by_role("button", name="Save business profile")).to_be_disabled()
    answers.release()
    expect(name).to_be_enabled(timeout=TIMEOUT)
    page.get_by_role("tab", name="Invoices").click()
    expect(page.get_by_label("Business locale")).not_to_have_value("")  # what is saved, read
