"""The client page in the real app: figures, statement PDF, archive, delete, and the question
asked before a second client with the same name is added."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.pages import client_row, create_client, find_client, new_invoice, send_invoice


def test_client_page_statement_archive_delete_and_duplicates(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Ledger Client {tag}"
    create_client(page, app_url, name, f"ledger-{tag}@client.example")
    new_invoice(page, app_url, name, [("Ledger work", "3", "40")])
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_contain_text("Sent")
    new_invoice(page, app_url, name, [("More work", "1", "25.50")])  # a draft owes nothing

    # The client page: one sent invoice of $120.00 outstanding (the dashboard sums the same rows).
    page.goto(app_url + "/clients")
    page.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    expect(page.locator("#client-outstanding")).to_have_text("$120.00")
    expect(page.locator("#client-overdue")).to_have_text("$0.00")
    expect(page.locator(".client-invoice-row")).to_have_count(2)
    # The draft is named as everywhere else, and dates read as the business locale writes them.
    expect(page.locator(".client-invoice-row").get_by_role("link", name=re.compile(r"^Draft D-\d+$"))).to_have_count(1)
    expect(page.locator(".client-invoice-row").first).to_contain_text(re.compile(r"[A-Z][a-z]{2} \d{1,2}, 20\d\d"))
    expect(page.locator(".client-invoice-row", has_text="None")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download statement PDF").click()
    text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Closing balance: $120.00" in text and name in text

    # Archived: kept with its invoices, gone from the new-invoice picker; no Delete while it has invoices.
    expect(page.get_by_role("button", name="Delete client")).to_have_count(0)
    page.get_by_role("button", name="Archive client").click()
    expect(page.get_by_role("button", name="Restore client")).to_be_visible()
    expect(page.get_by_role("link", name="New invoice")).to_have_count(1)  # the navigation's only
    page.get_by_role("button", name="Restore client").click()  # separate clicks each count
    expect(page.get_by_role("button", name="Archive client")).to_be_visible()
    # A double click archives once, however fast: a quick one's second click still finds
    # Archive (already done); a slower one's lands on Restore, drawn in its place, and is the
    # second click of a double click (detail 2), which does not undo it.
    page.get_by_role("button", name="Archive client").dblclick()
    expect(page.get_by_role("button", name="Restore client")).to_be_visible()
    page.wait_for_timeout(1000)
    expect(page.get_by_role("button", name="Restore client")).to_be_visible()
    page.get_by_role("button", name="Restore client").click()
    box = page.get_by_role("button", name="Archive client").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    expect(page.get_by_role("button", name="Restore client")).to_be_visible()  # answered, redrawn
    page.mouse.down(click_count=2)  # the same double click's second press
    page.mouse.up(click_count=2)
    page.wait_for_timeout(1500)
    expect(page.get_by_role("button", name="Restore client")).to_be_visible()
    page.goto(app_url + "/invoices/new")
    find_client(page, "#client-select", name)  # not found however it is looked for
    page.locator("#client-select").click()
    expect(page.get_by_role("option", name=name, exact=True)).to_have_count(0)
    page.keyboard.press("Escape")

    # A second client with the same name asks first; Add anyway adds it; that one, with no
    # invoices, can be deleted.
    # The archived client is listed without a New invoice link (the editor does not offer it).
    row = client_row(page, app_url, name)
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="New invoice")).to_have_count(0)
    page.locator("#client-name").fill(name)
    page.get_by_label("Company").first.fill("Ledger & Sons")
    page.get_by_role("button", name="Add client").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("already a client named")
    # Cancel goes back to the form as it was typed.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#client-name")).to_have_value(name)
    expect(page.locator("#client-company")).to_have_value("Ledger & Sons")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Add anyway").click()
    expect(page.locator(".client-row", has_text=name)).to_have_count(2)
    expect(page.locator("#client-name")).to_have_value("")  # added: the form is empty again
    page.locator(".client-row", has_text=name).filter(has_not_text="Archived").get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    page.get_by_role("button", name="Delete client").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    page.wait_for_url(app_url + "/clients")
    expect(client_row(page, app_url, name)).to_have_count(1)


def test_a_backwards_statement_range_is_said_as_reports_say_it_beside_to(signed_in, app_url):
    """QA (stop 25): the statement said "The start date must be on or before the end date"
    under the row with neither date marked; Reports says it beside To."""
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Range Client {tag}"
    create_client(page, app_url, name, f"range-{tag}@client.example")
    client_row(page, app_url, name).get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    page.get_by_label("From").fill("2026-11-20")
    page.get_by_label("To", exact=True).fill("2026-11-01")
    page.get_by_role("button", name="Download statement PDF").click()
    to = page.get_by_label("To", exact=True)
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"[id='{to.get_attribute('aria-describedby')}']")).to_have_text(
        "The end date is before the start date")
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "false")
