"""Scheduled reminders and Viewed, in the running app (started as `make run` does).

The app's clock is the real one, so the test moves the invoice instead: it is sent through the
page, then its sending time is set back six days in the app's database, as if the app had
sent it then (steps falling before sending never apply)."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import create_client, new_invoice, send_invoice

WORKER_TIMEOUT = 60  # seconds: REMINDER_POLL_SECONDS=5 in the app under test, then the email sender


def _execute(app_env, sql: str, *params) -> None:
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute(sql, params)
        conn.commit()


def _fresh_client(page: Page, app_url: str) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Reminded {tag}", f"reminded-{tag}@example.test"
    create_client(page, app_url, name, email)
    return name, email


def _reload_until(page: Page, locator, count: int, timeout: float = WORKER_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while locator.count() != count and time.monotonic() < deadline:
        time.sleep(2)
        page.reload()
        page.locator("#reminder-timeline").wait_for(timeout=30_000)
    expect(locator).to_have_count(count)


def test_the_invoice_page_shows_sent_and_upcoming_reminders(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    name, email = _fresh_client(page, app_url)
    today = datetime.now(UTC).date()
    invoice_id = new_invoice(page, app_url, name, [("Work", "2", "75")], issue=today - timedelta(days=8),
                             due=today - timedelta(days=1))
    send_invoice(page, keep_past_due=True)
    expect(page.locator("#invoice-status")).not_to_contain_text("Draft")
    sent_at = datetime.now(UTC) - timedelta(days=6)
    _execute(app_env, "UPDATE invoice SET sent_at = ? WHERE id = ?", sent_at.strftime("%Y-%m-%d %H:%M:%S.%f"), invoice_id)

    # The due-date step (yesterday, 9:00) is within REMINDER_MAX_LATE_DAYS: sent once. The step
    # 3 days before it is more than 3 days late: skipped, not sent. Two steps are to come.
    page.reload()
    steps = page.locator(".reminder-step")
    _reload_until(page, page.locator(".reminder-step[data-state=sent]"), 1)
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("3 days before the due date")
    expect(steps.nth(0)).to_contain_text("Skipped")
    expect(steps.nth(0)).to_contain_text("more than 3 days late")
    expect(steps.nth(1)).to_contain_text("On the due date")
    expect(steps.nth(1)).to_contain_text(f"to {email}")
    _reload_until(page, page.locator(".reminder-step[data-state=sent]", has_text="Delivered"), 1)
    upcoming = page.locator(".reminder-step[data-state=upcoming]")
    expect(upcoming).to_have_count(2)
    in_6 = today + timedelta(days=6)
    expect(upcoming.nth(0)).to_contain_text("7 days after the due date")
    # en_US's medium date and short time (Babel; CLDR puts a narrow no-break space before AM).
    expect(upcoming.nth(0)).to_contain_text(re.compile(rf"Goes out {in_6:%b} {in_6.day}, {in_6.year}, 9:00\s?AM"))
    reminders = [m for m in fake_smtp.messages_to(email) if m.message["Subject"].startswith("Reminder")]
    assert len(reminders) == 1 and "1 day overdue" in reminders[0].message["Subject"]

    # Skip the next one: it shows as skipped, by whom, and is never sent.
    page.get_by_role("button", name="Skip the reminder 7 days after the due date").click()
    expect(page.locator(".reminder-step[data-state=upcoming]")).to_have_count(1)
    expect(steps.nth(2)).to_contain_text("Skipped by")
    expect(page.locator(".timeline-event", has_text="7 days after the due date) skipped")).to_have_count(1)

    # Reminders off for this invoice: the panel says so and offers no Skip.
    page.get_by_label("Reminders for this invoice").select_option("No reminders")
    expect(page.locator("#invoice-reminders-inactive")).to_contain_text("Reminders are off for this invoice")
    expect(page.get_by_role("button", name=re.compile("^Skip the reminder"))).to_have_count(0)


def test_opening_the_pay_link_in_a_fresh_browser_marks_the_invoice_viewed(page: Page, app_url, browser):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    new_invoice(page, app_url, name, [("Work", "1", "200")])
    send_invoice(page)
    expect(page.locator("#invoice-viewed")).to_have_text("Not yet")
    number = page.locator("#invoice-number").inner_text()
    pay_link = page.locator("#pay-link").inner_text()

    # The owner opening the link in their own (signed-in) browser is not a view.
    own_tab = page.context.new_page()
    own_tab.goto(pay_link)
    expect(own_tab.locator("#pay-invoice-number")).to_contain_text(number)
    time.sleep(2)
    own_tab.close()
    page.reload()
    expect(page.locator("#invoice-viewed")).to_have_text("Not yet")

    client = browser.new_context()  # the client's browser: no session
    try:
        client_page = client.new_page()
        client_page.goto(pay_link)
        expect(client_page.locator("#pay-invoice-number")).to_contain_text(number)
        deadline = time.monotonic() + 30
        while "Viewed" not in page.locator("#invoice-viewed").inner_text() and time.monotonic() < deadline:
            time.sleep(1)
            page.reload()
            page.locator("#invoice-viewed").wait_for()
        expect(page.locator("#invoice-viewed")).to_contain_text("Viewed once")
        expect(page.locator(".timeline-event", has_text="Viewed by the client")).to_have_count(1)

        client_page.reload()
        expect(client_page.locator("#pay-invoice-number")).to_contain_text(number)
        time.sleep(2)
        page.reload()
        expect(page.locator("#invoice-viewed")).to_contain_text("Viewed 2 times")
        expect(page.locator(".timeline-event", has_text="Viewed by the client")).to_have_count(1)
    finally:
        client.close()

    # The list shows it too.
    page.goto(f"{app_url}/?q={number}")
    row = page.locator(".invoice-row", has_text=number)
    expect(row.locator(".row-viewed")).to_contain_text("Viewed")


def test_the_default_schedule_is_edited_in_settings(page: Page, app_url):
    sign_in(page, app_url)
    page.goto(app_url + "/settings?tab=reminders")
    expect(page.locator("#reminders-active")).to_contain_text("Active: reminders go out at 09:00 (UTC)")
    expect(page.get_by_label("Days from the due date, step 4")).to_have_value("14")
    try:
        page.get_by_label("Days from the due date, step 4").fill("15")
        page.get_by_label("Subject, step 4").fill("Still open: {nope}")
        page.get_by_label("Send at (business timezone)").select_option("10")
        page.get_by_role("button", name="Save reminder schedule").click()
        expect(page.locator(".field-error")).to_contain_text("Unknown placeholder {nope}")
        # Tied to its field, as on the other tabs: marked invalid and read out with it.
        subject = page.get_by_label("Subject, step 4")
        expect(subject).to_have_attribute("aria-invalid", "true")
        said = subject.get_attribute("aria-describedby")
        expect(page.locator(f"[id='{said}']")).to_contain_text("Unknown placeholder {nope}")
        page.get_by_label("Subject, step 4").fill("Still open: invoice {number}")
        page.get_by_label("Send this step, step 1").uncheck()
        page.get_by_role("button", name="Save reminder schedule").click()
        expect(page.get_by_text("Reminder schedule saved")).to_be_visible()
        expect(page.locator("#reminders-active")).to_contain_text("go out at 10:00")

        page.reload()
        expect(page.get_by_label("Days from the due date, step 4")).to_have_value("15")
        expect(page.get_by_label("Subject, step 4")).to_have_value("Still open: invoice {number}")
        expect(page.get_by_label("Send this step, step 1")).not_to_be_checked()
        expect(page.get_by_label("Send at (business timezone)")).to_have_value("10")
        expect(page.get_by_text("Step 4: 15 days after the due date")).to_be_visible()
    finally:  # the app is shared by the suite: the built-in schedule back
        page.goto(app_url + "/settings?tab=reminders")
        page.get_by_label("Days from the due date, step 4").fill("14")
        page.get_by_label("Subject, step 4").fill("")
        page.get_by_label("Send this step, step 1").check()
        page.get_by_label("Send at (business timezone)").select_option("9")
        page.get_by_role("button", name="Save reminder schedule").click()
        expect(page.locator("#reminders-active")).to_contain_text("go out at 09:00")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_step_error_does_not_move_send_this_step(browser, app_url, width):
    """The error under "Days from the due date" widened its column and pushed the step's
    checkbox aside (at 1280 px), or ran off the card (at 390 px)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, app_url)
        page.goto(app_url + "/settings?tab=reminders")
        checkbox = page.get_by_label("Send this step, step 1")
        expect(checkbox).to_be_visible()
        days = page.get_by_label("Days from the due date, step 1")

        def beside() -> tuple[float, float]:  # the checkbox from the field (a save scrolls to an error)
            a, b = checkbox.bounding_box(), days.bounding_box()
            return a["x"] - b["x"], a["y"] - b["y"]

        before = beside()
        days.fill("soon")
        page.get_by_role("button", name="Save reminder schedule").click()
        error = page.locator("[id='reminder-step-0-offset-error']")
        expect(error).to_contain_text("whole number of days")
        if width > 500:  # beside the field, where it was
            assert beside() == before
        card = page.locator("#reminder-step-0-offset").locator("xpath=ancestor::form[1]").bounding_box()
        box = error.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"], (box, card)
    finally:
        context.close()  # nothing was saved: the schedule is as it was
