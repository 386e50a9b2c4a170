"""Form feedback in the real app: refused fields named beside their inputs (all at once,
marked aria-invalid), typing kept until it is saved, and a double click that shows only the
first click's result. (State-level twins: tests/integration/test_form_feedback.py.)"""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in

TIMEOUT = 30_000


def _double_click(button: Locator) -> None:
    """Two clicks before the first one's answer comes back (a real double click)."""
    expect(button).to_be_enabled()
    button.focus()
    time.sleep(0.6)
    button.evaluate("b => { b.click(); b.click(); }")


def test_the_editors_inline_client_form_names_a_missing_name_and_a_bad_email(page: Page, app_url):
    sign_in(page, app_url)
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="New", exact=True).click()
    page.get_by_label("New client email").fill("billing@nowhere")
    page.get_by_role("button", name="Add client").click()

    name, email = page.get_by_label("New client name"), page.get_by_label("New client email")
    expect(page.locator("#new-client-name-error")).to_have_text("Name is required", timeout=TIMEOUT)
    expect(page.locator("#new-client-email-error")).to_contain_text("Email must look like")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("billing@nowhere")  # what was typed stays to be put right

    tag = uuid.uuid4().hex[:8]
    name.fill(f"Inline {tag}")
    email.fill(f"inline-{tag}@example.test")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text(f"Client Inline {tag} added")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#client-select")).to_contain_text(f"Inline {tag}")


def test_the_editors_first_save_shows_every_refused_field_beside_it(page: Page, app_url):
    sign_in(page, app_url)
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible(timeout=TIMEOUT)
    line = page.locator(".line-item").first
    line.locator(".line-description input").fill("X")
    line.locator(".line-quantity input").fill("abc")
    line.locator(".line-unit-price input").fill("100")
    page.get_by_label("Line discount type").select_option("percent")
    page.get_by_label("Line discount", exact=True).fill("150")
    page.get_by_label("Invoice discount type").select_option("percent")
    page.get_by_label("Invoice discount", exact=True).fill("200")
    page.get_by_role("button", name="Save draft").click()

    # One Save: each error beside its own field, tied to it; nothing saved.
    expect(page.locator("#client-select-error")).to_have_text("Choose a client", timeout=TIMEOUT)
    expect(page.locator("#line-0-quantity-error")).to_contain_text("Quantity must be a number")
    expect(page.locator("#line-0-discount-value-error")).to_have_text("Discount must be between 0.00 and 100.00")
    expect(page.locator("#invoice-discount-error")).to_have_text("Discount must be between 0.00 and 100.00")
    expect(page.get_by_label("Line discount", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Invoice discount", exact=True)).to_have_attribute("aria-describedby", "invoice-discount-error")
    client = page.locator("#client-select")
    expect(client).to_have_attribute("aria-invalid", "true")
    expect(client).to_have_attribute("aria-describedby", "client-select-error")
    expect(client).to_be_focused()  # the first refused field, in the form's order
    assert page.url.rstrip("/").endswith("/invoices/new")


def test_the_editors_keyboard_focus_follows_what_was_added_or_removed(page: Page, app_url):
    """Add line puts the cursor in the new line; removing a line puts it in the line that moved
    up (or on Add line); New client in its name field: typing never goes nowhere."""
    sign_in(page, app_url)
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("Description, line 1").fill("First")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Description, line 2")).to_be_focused()
    page.keyboard.type("Second")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Description, line 3")).to_be_focused()
    page.keyboard.type("Third")

    page.get_by_role("button", name="Remove line 2").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Description, line 2")).to_have_value("Third")
    expect(page.get_by_label("Description, line 2")).to_be_focused()
    page.get_by_role("button", name="Remove line 2").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Description, line 2")).to_have_count(0)
    expect(page.get_by_role("button", name="Add line")).to_be_focused()

    page.get_by_role("button", name="New", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("New client name")).to_be_focused()


def test_a_refused_sign_in_is_read_out(page: Page, app_url):
    page.goto(app_url + "/login")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Email or password is wrong", timeout=TIMEOUT)


def _taxes_tab(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/settings?tab=taxes")
    expect(page.get_by_label("Tax name")).to_be_visible(timeout=TIMEOUT)


def test_add_tax_rate_double_clicked_shows_only_the_success(page: Page, app_url):
    sign_in(page, app_url)
    _taxes_tab(page, app_url)
    name = f"Dbl {uuid.uuid4().hex[:6]}"
    page.get_by_label("Tax name").fill(name)
    page.get_by_label("Rate (%)").fill("6")
    _double_click(page.get_by_role("button", name="Add tax rate"))
    expect(page.get_by_text(f"Tax rate {name} saved")).to_be_visible(timeout=TIMEOUT)
    time.sleep(1.5)  # the second click's answer, if any, has come back
    expect(page.locator(".tax-row", has_text=name)).to_have_count(1)
    expect(page.get_by_text("Name is required")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)


def test_enter_in_the_tax_form_adds_the_rate(page: Page, app_url):
    """QA: Enter in the tax form did nothing (no save, no message), unlike every other form."""
    sign_in(page, app_url)
    _taxes_tab(page, app_url)
    name = f"Enter {uuid.uuid4().hex[:6]}"
    page.get_by_label("Tax name").fill(name)
    page.get_by_label("Rate (%)").fill("7")
    page.get_by_label("Rate (%)").press("Enter")
    expect(page.get_by_text(f"Tax rate {name} saved")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".tax-row", has_text=name)).to_have_count(1)


def test_the_tax_form_names_each_refused_field_beside_it(page: Page, app_url):
    sign_in(page, app_url)
    _taxes_tab(page, app_url)
    page.get_by_label("Rate (%)").fill("abc")
    page.get_by_role("button", name="Add tax rate").click()
    name, rate = page.get_by_label("Tax name"), page.get_by_label("Rate (%)")
    expect(page.locator("#tax-name-error")).to_have_text("Name is required", timeout=TIMEOUT)
    expect(page.locator("#tax-rate-error")).to_contain_text("Rate")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(rate).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Registration number")).to_have_attribute("aria-invalid", "false")
    # Each message sits under its own input, not under the Compound checkbox.
    for field, error in ((name, "#tax-name-error"), (rate, "#tax-rate-error")):
        box, under = field.bounding_box(), page.locator(error).bounding_box()
        assert abs(under["x"] - box["x"]) < 2 and 0 <= under["y"] - (box["y"] + box["height"]) < 30


def test_the_tax_form_and_table_fit_at_1280_and_390(page: Page, app_url):
    sign_in(page, app_url)
    name = f"Fit {uuid.uuid4().hex[:6]}"
    _taxes_tab(page, app_url)
    page.get_by_label("Tax name").fill(name)
    page.get_by_label("Rate (%)").fill("8.875")
    page.get_by_label("Registration number").fill("GB 123 4567 89")
    page.get_by_role("button", name="Add tax rate").click()
    expect(page.locator(".tax-row", has_text=name)).to_be_visible(timeout=TIMEOUT)

    page.set_viewport_size({"width": 1280, "height": 900})
    registration = page.get_by_label("Registration number")
    registration.fill("")
    # The placeholder fits the input: its text is not wider than the box.
    assert registration.evaluate(
        """i => { const c = document.createElement('canvas').getContext('2d');
                  const s = getComputedStyle(i); c.font = s.font;
                  return c.measureText(i.placeholder).width
                         <= i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"""
    )

    page.set_viewport_size({"width": 390, "height": 844})
    table = page.locator("#tax-rates")
    expect(table.get_by_role("columnheader", name="Actions")).to_be_visible()
    # Nothing of the table is clipped or scrolled sideways inside its card.
    assert table.evaluate(
        """t => { const box = t.parentElement; return box.scrollWidth <= box.clientWidth + 1; }"""
    )
    card = table.locator("xpath=ancestor::div[contains(@class, 'rt-Card')][1]").bounding_box()
    actions = table.get_by_role("columnheader", name="Actions").bounding_box()
    assert actions["x"] + actions["width"] <= card["x"] + card["width"] + 1
    edit = page.locator(".tax-row", has_text=name).get_by_role("button", name=f"Edit {name}")
    edit.scroll_into_view_if_needed()  # below the fold on a phone; then wholly in view, not cut at the side
    expect(edit).to_be_in_viewport(ratio=1)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    # Edit fills the form above the list and takes the keyboard there (QA: focus stayed on the row).
    edit.click()
    expect(page.get_by_label("Tax name")).to_be_focused()
    expect(page.get_by_label("Tax name")).to_have_value(name)


def _password_form(page: Page, app_url: str, current: str, new: str, repeat: str) -> None:
    page.goto(f"{app_url}/settings?tab=account")
    expect(page.get_by_label("Current password")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password").fill(repeat)


def test_change_password_names_every_mistake_beside_its_field(page: Page, app_url):
    sign_in(page, app_url)
    _password_form(page, app_url, "not-my-password", "short", "shorter")
    page.get_by_role("button", name="Change password").click()
    for label, message in (("Current password", "The current password is wrong"),
                           ("New password", "at least"),
                           ("Repeat the new password", "The two new passwords differ")):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true", timeout=TIMEOUT)
        error = page.locator("#" + field.get_attribute("aria-describedby"))
        expect(error).to_contain_text(message)


def test_change_password_double_clicked_shows_only_the_success(page: Page, app_url):
    from tests.e2e.conftest import ADMIN_PASSWORD

    sign_in(page, app_url)
    new_password = f"new-{uuid.uuid4().hex[:10]}"
    changed = False
    try:
        _password_form(page, app_url, ADMIN_PASSWORD, new_password, new_password)
        _double_click(page.get_by_role("button", name="Change password"))
        expect(page.get_by_text("Password changed")).to_be_visible(timeout=TIMEOUT)
        changed = True
        time.sleep(1.5)  # the second click's answer, if any, has come back
        expect(page.locator(".field-error")).to_have_count(0)
        expect(page.get_by_text("The current password is wrong")).to_have_count(0)
    finally:
        if changed:  # the other journeys sign in with ADMIN_PASSWORD
            _password_form(page, app_url, new_password, ADMIN_PASSWORD, ADMIN_PASSWORD)
            page.get_by_role("button", name="Change password").click()
            expect(page.get_by_text("Password changed").first).to_be_visible(timeout=TIMEOUT)


def test_delete_draft_double_clicked_shows_only_the_success(page: Page, app_url):
    from tests.e2e.pages import create_client, new_invoice

    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    create_client(page, app_url, f"Delete {tag}", f"delete-{tag}@example.test")
    invoice_id = new_invoice(page, app_url, f"Delete {tag}", [("Sketch", "1", "10.00")])
    page.goto(f"{app_url}/invoices/{invoice_id}")
    page.get_by_role("button", name="Delete", exact=True).click()
    confirm = page.get_by_role("alertdialog").get_by_role("button", name="Delete draft")
    _double_click(confirm)
    # The toast (the page behind it may say "deleted" too, as it leaves).
    expect(page.locator("[data-sonner-toast]").filter(has_text="deleted").first).to_be_visible(timeout=TIMEOUT)
    time.sleep(1.5)  # the second click's answer, if any, has come back
    expect(page.get_by_text("Invoice not found")).to_have_count(0)


def test_a_statement_range_does_not_follow_to_the_next_clients_page(page: Page, app_url):
    from tests.e2e.pages import client_row, create_client

    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    for who in ("One", "Two"):
        create_client(page, app_url, f"{who} {tag}", f"{who.lower()}-{tag}@example.test")
    client_row(page, app_url, f"One {tag}").get_by_role("link", name=f"One {tag}").click()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Download statement PDF").click()
    expect(page.locator(".field-error")).to_be_visible(timeout=TIMEOUT)

    client_row(page, app_url, f"Two {tag}").get_by_role("link", name=f"Two {tag}").click()
    expect(page.get_by_role("heading", name=f"Two {tag}")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_label("From", exact=True)).to_have_value("")
    expect(page.get_by_label("To", exact=True)).to_have_value("")
    expect(page.locator(".field-error")).to_have_count(0)


def test_a_refused_recurring_form_shows_its_first_field_below_the_top_bar(page: Page, app_url):
    sign_in(page, app_url)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(app_url + "/recurring/new")
    expect(page.get_by_label("Description, line 1")).to_be_visible(timeout=TIMEOUT)
    save = page.get_by_role("button", name="Save profile")
    save.scroll_into_view_if_needed()  # the page is scrolled down to the button, as a person would
    save.click()
    field = page.locator("#recurring-client_id")
    expect(field).to_be_focused(timeout=TIMEOUT)
    time.sleep(0.5)  # smooth scrolling, if any, has ended
    bar_bottom = page.evaluate(
        """() => Math.max(0, ...[...document.querySelectorAll('body *')]
                 .filter(e => getComputedStyle(e).position === 'sticky')
                 .map(e => e.getBoundingClientRect().bottom))"""
    )
    box = field.bounding_box()
    assert box["y"] >= bar_bottom, (box, bar_bottom)  # not under the sticky top bar
    assert box["y"] + box["height"] <= 700


def test_a_javascript_website_is_refused_beside_the_field(page: Page, app_url):
    sign_in(page, app_url)
    page.goto(f"{app_url}/settings?tab=profile")
    website = page.get_by_label("Website")
    expect(page.get_by_label("Business name")).not_to_have_value("", timeout=TIMEOUT)
    saved_before = website.input_value()
    website.fill("javascript:alert(1)")
    page.get_by_role("button", name="Save business profile").click()
    expect(page.locator("#settings-website-error")).to_contain_text("http:// or https://", timeout=TIMEOUT)
    expect(website).to_have_attribute("aria-invalid", "true")
    page.reload()
    expect(page.get_by_label("Website")).to_have_value(saved_before, timeout=TIMEOUT)  # nothing saved
