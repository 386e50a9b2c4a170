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
