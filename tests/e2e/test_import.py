"""Importing clients from a CSV file in the real app: errors beside their row numbers, nothing
imported while any row is bad, then only the valid rows and the rejected rows as a file."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import ServerAnswers, choose, client_row

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _upload(page: Page, content: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "clients.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )


def _listed(page: Page, app_url: str, name: str):
    """The rows of clients of this name on /clients, found with its search (the list has pages)."""
    return client_row(page, app_url, name)


def test_import_clients_with_two_bad_rows(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    content = (
        "Name,E-mail,Company,Notes\n"
        f"Ada {tag},ada-{tag}@example.com,Engines Ltd,first\n"
        f",nobody-{tag}@example.com,No Name Inc,second\n"
        f"Grace {tag},grace-{tag}@example.com,,third\n"
        f"Eve {tag},not-an-email,,fourth\n"
        f"Alan {tag},,Bletchley,fifth\n"
    )
    page.goto(app_url + "/import")
    expect(page.get_by_role("radio", name="Clients")).to_be_checked()
    _upload(page, content)

    # The columns were matched by name ("E-mail" is the Email field; "Notes" is not imported).
    expect(page.get_by_label("Email", exact=True)).to_contain_text("E-mail")
    expect(page.get_by_label("Tax number")).to_contain_text("(not imported)")

    # The two bad rows, each reported beside its row number (the header is row 1).
    errors = page.locator(".import-error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).get_by_role("rowheader")).to_have_text("Row 3")
    expect(errors.nth(0)).to_contain_text("Name is required")
    expect(errors.nth(1).get_by_role("rowheader")).to_have_text("Row 5")
    expect(errors.nth(1)).to_contain_text("Email must look like name@example.com")
    expect(page.locator("#import-summary")).to_contain_text("5 rows read: 3 new clients ready to import")
    expect(page.locator("#import-summary")).to_contain_text("2 rows with errors")

    # All or nothing: refused while any row is bad, and nothing was imported.
    expect(page.get_by_role("button", name="Import all rows")).to_be_disabled()
    expect(_listed(page, app_url, f"Ada {tag}")).to_have_count(0)

    # Only the valid rows, then the rejected rows as a file.
    page.goto(app_url + "/import")
    _upload(page, content)
    expect(errors).to_have_count(2)
    page.get_by_role("button", name="Import only the valid rows").click()
    expect(page.locator("#import-result")).to_contain_text("Imported 3 clients; 2 rows rejected", timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download rejected rows").click()
    assert download.value.suggested_filename == "rejected-clients.csv"
    rejected = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rejected[0] == ["Row", "Errors", "Name", "E-mail", "Company", "Notes"]
    assert [r[0] for r in rejected[1:]] == ["3", "5"]
    assert rejected[1][1] == "Name: Name is required" and rejected[1][3] == f"nobody-{tag}@example.com"
    assert rejected[2][1].startswith("Email: Email must look like") and rejected[2][2] == f"Eve {tag}"

    # The same file again: the imported clients are recognised, nothing is new.
    expect(page.locator("#import-summary")).to_contain_text("0 new clients ready to import")
    expect(page.locator("#import-summary")).to_contain_text("3 already in the app")

    for name in (f"Ada {tag}", f"Grace {tag}", f"Alan {tag}"):
        expect(_listed(page, app_url, name)).to_have_count(1)
    expect(_listed(page, app_url, f"Eve {tag}")).to_have_count(0)


def test_a_file_chosen_as_the_page_opens_is_the_one_previewed(signed_in, app_url):
    """The page's start must not wipe a file chosen while it loads, nor show the last visit's file."""
    page = signed_in
    tag = secrets.token_hex(3)
    for rows in (1, 2, 3, 4, 5):
        page.goto(app_url + "/import")
        # At once, without waiting for anything on the page but the field itself.
        _upload(page, "Name,Email\n" + "".join(f"N{i} {tag},n{i}-{tag}@example.com\n" for i in range(rows)))
        expect(page.locator("#import-summary")).to_contain_text(f"{rows} rows read" if rows > 1 else "1 row read")
        expect(page.get_by_role("button", name="Import all rows")).to_be_enabled()


@pytest.mark.parametrize("width", [390, 1280])
def test_import_past_invoices_at_phone_and_desktop_width(browser, app_url, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        tag = secrets.token_hex(3).upper()
        issued, due = date.today() - timedelta(days=40), date.today() - timedelta(days=10)
        paid_on = issued + timedelta(days=5)
        content = (
            "Number,Customer,Email,Issue date,Due date,Currency,Description,Qty,Price,Tax,Tax rate,Amount paid,Paid on,Reference\n"
            f"OLD-{tag}-1,Imported Co {tag},imp-{tag}@example.com,{issued},{due},USD,Design,10,80.00,VAT,20,,,\n"
            f"OLD-{tag}-1,Imported Co {tag},imp-{tag}@example.com,{issued},{due},USD,Hosting,1,25.00,,,985.00,{paid_on},TRX-9\n"
            f"OLD-{tag}-2,Imported Co {tag},imp-{tag}@example.com,{issued},{due},USD,Support,3,\"1,200.00\",,,,,\n"
        )
        answers = ServerAnswers(page)
        page.goto(app_url + "/import")
        expect(page.get_by_label("CSV file")).to_be_visible()  # the page has loaded
        answers.hold()  # the address names the choice at once, not when the server answers
        page.get_by_role("radio", name="Past invoices with their lines and payments").click()
        expect(page).to_have_url(app_url + "/import?kind=invoices")
        answers.release()
        page.get_by_label("CSV file").set_input_files(
            files=[{"name": "invoices.csv", "mimeType": "text/csv", "buffer": content.encode()}]
        )
        summary = page.locator("#import-summary")
        expect(summary).to_contain_text("3 rows read: 2 new invoices ready to import")
        expect(page.get_by_label("Invoice number (required)")).to_contain_text("Number")
        expect(page.get_by_label("Payment reference")).to_contain_text("Reference")
        # A mapping is changed with its labelled select; the preview follows.
        choose(page, "#map-payment_reference", "(not imported)")
        expect(page.get_by_label("Payment reference")).to_contain_text("(not imported)")
        expect(page.locator(".import-error")).to_have_count(0)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"/import scrolls sideways at {width}px"
        page.screenshot(path=str(tmp_path / f"import-{width}.png"), full_page=True)

        page.get_by_role("button", name="Import all rows").click()
        expect(page.locator("#import-result")).to_contain_text("Imported 2 invoices", timeout=30_000)
        expect(summary).to_contain_text("2 already in the app")

        page.goto(app_url + f"/?q=OLD-{tag}")
        rows = page.locator(".invoice-row")
        expect(rows).to_have_count(2)
        expect(page.locator(".invoice-row[data-status=PAID]", has_text=f"OLD-{tag}-1")).to_have_count(1)
        expect(page.locator(".invoice-row[data-status=OVERDUE]", has_text=f"OLD-{tag}-2")).to_have_count(1)
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.get_by_role("link", name=f"OLD-{tag}-1").click()
        expect(page.locator("#invoice-number")).to_have_text(f"OLD-{tag}-1")
        expect(page.locator("#invoice-imported")).to_have_text("Imported")
        expect(page.locator("#invoice-amount")).to_have_text("$985.00")  # 10 x 80 + 20% VAT + 25
    finally:
        context.close()


def test_a_file_refused_whole_is_not_said_to_be_read(signed_in, app_url):
    """More rows than an import takes: the drop zone said "Read big.csv — drop another file"
    beside the refusal, as if it had been read."""
    page = signed_in
    page.goto(app_url + "/import")
    content = "Name\n" + "".join(f"Client {i}\n" for i in range(5_001))
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    expect(page.get_by_text("big.csv: ")).to_be_visible()
    expect(page.get_by_text("Drop a CSV file here, or click to choose one")).to_be_visible()
    expect(page.get_by_text("Read big.csv")).to_have_count(0)


def test_rows_with_errors_are_all_on_the_page_on_a_phone(browser, app_url):
    """At 390 px the errors were a short inner box: four rows, the fifth cut in half."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        page.goto(app_url + "/import")
        _upload(page, "Name,Email\n" + "".join(f"Bad {i},not-an-email-{i}\n" for i in range(12)))
        errors = page.locator(".import-error")
        expect(errors).to_have_count(12)
        box = page.locator("#import-errors-heading").locator("xpath=following-sibling::div[1]")
        assert box.evaluate("b => b.scrollHeight <= b.clientHeight + 1"), "the errors scroll inside a box"
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        context.close()
