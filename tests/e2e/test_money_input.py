"""Money input never changes the amount silently (issue 9), under the default en_US locale:
an ambiguous 1,5 is refused beside the field with a hint, 1e30 is refused without breaking any
page, and a field shows the value as it will be billed once it is left."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import choose, create_client

pytestmark = pytest.mark.e2e


def _invoices_of(app_env: dict[str, str], client: str) -> list[Decimal]:
    """Amounts of the client's invoices, straight from the app's database (cents on SQLite)."""
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT invoice.amount FROM invoice JOIN client ON client.id = invoice.client_id WHERE client.name = ?",
            (client,),
        ).fetchall()
    return [Decimal(amount) / 100 for (amount,) in rows]


def _error_of(page: Page, field):
    """The message tied to ``field`` by aria-describedby (what a screen reader announces)."""
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby")
    assert described_by
    return page.locator(f"[id='{described_by}']")


def test_1_5_as_unit_price_is_refused_beside_the_field_and_nothing_is_saved(signed_in, app_url, app_env):
    page = signed_in
    create_client(page, app_url, "Comma Consulting", "ap@comma.example")
    page.goto(app_url + "/invoices/new")
    choose(page, "#client-select", "Comma Consulting")
    page.get_by_label("Description").fill("Workshop")
    page.get_by_label("Quantity").fill("2")
    price = page.get_by_label("Unit price")
    price.fill("1,5")

    error = _error_of(page, price)
    expect(error).to_be_visible()
    expect(error).to_contain_text("use 1.5")
    line = page.locator(".line-item").first
    expect(line.locator(".line-total")).to_have_text("—")  # never $30.00
    expect(page.locator("#invoice-total")).to_have_text("$0.00")

    page.get_by_role("button", name="Save draft").click()
    expect(error).to_contain_text("use 1.5")
    page.wait_for_timeout(1000)
    assert page.url.rstrip("/").endswith("/invoices/new"), page.url
    assert _invoices_of(app_env, "Comma Consulting") == []

    # Written the en_US way it bills 1.50, shown as such once the field is left.
    price.fill("1.5")
    expect(price).to_have_attribute("aria-invalid", "false")
    expect(line.locator(".field-error")).to_have_count(0)
    expect(line.locator(".line-total")).to_have_text("$3.00")
    price.press("Tab")
    expect(price).to_have_value("1.50")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/invoices/\d+$"))
    expect(page.locator("#invoice-amount")).to_have_text("$3.00")
    assert _invoices_of(app_env, "Comma Consulting") == [Decimal("3.00")]


def test_currency_signs_and_grouping_are_accepted_and_shown_as_billed(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/invoices/new")
    page.get_by_label("Quantity").fill("3")
    price = page.get_by_label("Unit price")
    price.fill("$1,234.5")
    expect(page.locator(".line-item .line-total")).to_have_text("$3,703.50")
    price.press("Tab")
    expect(price).to_have_value("1,234.50")
    quantity = page.get_by_label("Quantity")
    quantity.fill("1,500")  # 1500 or 1.5 hours? refused, with both readings
    expect(_error_of(page, quantity)).to_contain_text("use 1500 or 1.500")
    expect(page.locator("#invoice-total")).to_have_text("$0.00")


def test_1e30_in_a_quantity_is_refused_and_every_page_still_works(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/invoices/new")
    quantity = page.get_by_label("Quantity")
    for odd in ("1e30", "1e309", "１２", "1_0", ",,,,7", "nan"):
        quantity.fill(odd)
        expect(_error_of(page, quantity)).to_contain_text("between 0.001 and 100000")
    quantity.fill("1e30")
    page.get_by_label("Unit price").fill("10")
    expect(_error_of(page, quantity)).to_contain_text("Quantity must be a number between 0.001 and 100000")
    expect(page.locator("#invoice-total")).to_have_text("$0.00")
    page.get_by_role("button", name="Save draft").click()  # refused; nothing raises

    # Every page of this tab still works, through the navigation and after a reload.
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave without saving?" — yes
    for name, path, ready in (
        ("Dashboard", "/", page.locator(".invoice-row").first),
        ("Clients", "/clients", page.get_by_role("heading", name="Clients")),
        ("Projects", "/projects", page.get_by_role("heading", name="Projects")),
        ("Leads", "/leads", page.get_by_role("heading", name="Leads")),
        ("New invoice", "/invoices/new", page.get_by_role("button", name="Save draft")),
    ):
        page.get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_url(app_url + path)
        expect(ready).to_be_visible()
        page.reload()
        expect(ready).to_be_visible()
    page.goto(app_url + "/")
    page.locator(".invoice-row a").first.click()
    expect(page.locator("#invoice-number")).to_be_visible()
    page.reload()
    expect(page.locator("#invoice-number")).to_be_visible()
    # The editor still computes: the bad value did not stick anywhere.
    page.goto(app_url + "/invoices/new")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Unit price").fill("7")
    expect(page.locator("#invoice-total")).to_have_text("$14.00")
