"""The Google Sheet mirror in the running app: the app keeps working while the (fake) Sheets
API fails, shows pending/failed, and catches up once it recovers; "Resync all" on the dashboard."""

from __future__ import annotations

import re
import time
from collections import Counter
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import choose, send_invoice

WAIT_SECONDS = 60


def _eventually(check, what: str):
    """Poll until ``check()`` is truthy (the worker runs on its own schedule); return its value."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


def _sync_state_after_reload(page: Page, wanted: str) -> bool:
    page.reload()
    badge = page.locator("#invoice-sync")
    expect(badge).to_be_visible()
    return badge.inner_text().strip() == wanted


def _new_invoice(page: Page, app_url: str, client: str, description: str, quantity: str, price: str) -> str:
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible()
    choose(page, "#client-select", client)
    line = page.locator(".line-item").first
    line.locator(".line-description input").fill(description)
    line.locator(".line-quantity input").fill(quantity)
    line.locator(".line-unit-price input").fill(price)
    page.locator("#save-draft").click()
    page.wait_for_url(re.compile(r".*/invoices/\d+$"))
    return page.locator("#invoice-number").inner_text().strip()


def _row(fake_sheets, number: str) -> list:
    rows = [row for row in fake_sheets.data_rows() if row[0] == number]
    assert len(rows) <= 1, f"{number} appears {len(rows)} times in the sheet"
    return rows[0] if rows else []


def test_the_app_keeps_working_while_google_fails_and_the_sheet_catches_up(page: Page, app_url, fake_sheets):
    sign_in(page, app_url)
    _eventually(lambda: len(fake_sheets.data_rows()) >= 20, "the demo invoices in the sheet")
    fake_sheets.fail_randomly(1.0, statuses=(500, 429))
    try:
        number = _new_invoice(page, app_url, "Acme Robotics", "Sheet mirror check", "2", "123.45")
        invoice_url = page.url
        expect(page.locator("#invoice-sync")).to_have_text(re.compile("Pending|Failed"))
        _eventually(lambda: _sync_state_after_reload(page, "Failed"), "the invoice to show Failed")
        expect(page.locator("#invoice-sync-error")).to_contain_text(re.compile(r"HTTP (500|429)"))

        send_invoice(page)  # still works: nothing waits for Google
        expect(page.locator("#invoice-status")).to_have_text("Sent")
        number = page.locator("#invoice-number").inner_text().strip()  # numbered when sent
        page.goto(app_url + "/?q=" + number)
        row = page.locator(".invoice-row", has_text=number)
        expect(row).to_be_visible()
        expect(row.locator(".sync-badge")).to_have_text(re.compile("Pending|Failed"))
        assert _row(fake_sheets, number) == []
    finally:
        fake_sheets.recover()

    page.goto(invoice_url)
    _eventually(lambda: _sync_state_after_reload(page, "Synced"), "the invoice to show Synced")
    expect(page.locator("#invoice-sync-error")).to_have_count(0)
    row = _eventually(lambda: _row(fake_sheets, number), "the invoice's row")
    assert row[1:4] == ["Acme Robotics", Decimal("246.90"), "Sent"]


def test_resync_all_rewrites_every_row_from_the_dashboard(page: Page, app_url, fake_sheets):
    sign_in(page, app_url)
    panel = page.locator("#sheet-sync")
    expect(panel.locator("#resync-all")).to_be_visible()
    # The freelancer has sorted the sheet and inserted a row of their own.
    _eventually(lambda: len(fake_sheets.data_rows()) >= 20, "the demo invoices in the sheet")
    fake_sheets.sort_rows(column=1, reverse=True)
    fake_sheets.insert_rows(2, [["Quarterly notes"]])
    writes_before = fake_sheets.write_requests

    panel.locator("#resync-all").click()
    expect(panel.locator("#resync-result")).to_contain_text("rows rewritten", timeout=WAIT_SECONDS * 1000)
    expect(panel.locator("#sheet-failed")).to_have_text("0 failed")
    expect(panel.locator("#sheet-pending")).to_have_text("0 pending")

    rows = fake_sheets.data_rows()
    numbers = Counter(row[0] for row in rows if row[0] != "Quarterly notes")
    assert numbers and max(numbers.values()) == 1
    synced = int(panel.locator("#sheet-synced").inner_text().split()[0].replace(",", ""))
    assert synced == len(numbers)
    assert fake_sheets.write_requests - writes_before <= 4
