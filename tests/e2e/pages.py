"""Small page helpers shared by the journeys (what a user clicks, by role and id)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

CLIENT_PICKERS = ("#client-select", "#project-client", "#lead-client")


def choose(page: Page, trigger_selector: str, option: str) -> None:
    """Pick an option in a Radix select. A client menu offers a few clients at a time: the
    client is first found by typing its name in the "Find a client" box beside it."""
    if trigger_selector in CLIENT_PICKERS:
        find_client(page, trigger_selector, option)
    page.locator(trigger_selector).click()
    page.get_by_role("option", name=option, exact=True).click()


def find_client(page: Page, trigger_selector: str, text: str) -> None:
    """Type in the "Find a client" box of this client menu; wait until the menu holds what it found."""
    search = page.get_by_label("Find a client").and_(page.locator(trigger_selector + "-search"))
    search.fill(text)
    page.wait_for_function(
        "([id, text]) => document.getElementById(id)?.dataset.searched === text",
        arg=[trigger_selector.removeprefix("#") + "-search", text],
        timeout=10_000,
    )


def client_row(page: Page, app_url: str, name: str):
    """The row of this client on /clients, found with the list's search (the list has pages)."""
    page.goto(app_url + "/clients?" + urlencode({"q": name}))
    # The box shows the URL's search in the same update as its rows: they are this search's.
    expect(page.get_by_label("Search clients")).to_have_value(name)
    return page.locator(".client-row", has_text=name)


def create_client(page: Page, app_url: str, name: str, email: str) -> None:
    page.goto(app_url + "/clients")
    page.locator("#client-name").fill(name)
    page.get_by_label("Client email").first.fill(email)
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".client-row", has_text=name)).to_be_visible()


def fill_line(page: Page, index: int, description: str, quantity: str, price: str) -> None:
    line = page.locator(".line-item").nth(index)
    line.locator(".line-description input").fill(description)
    line.locator(".line-quantity input").fill(quantity)
    line.locator(".line-unit-price input").fill(price)


def new_invoice(
    page: Page,
    app_url: str,
    client: str,
    lines: list[tuple[str, str, str]],
    issue: date | None = None,
    due: date | None = None,
) -> int:
    """Create a draft through the editor; returns its id (from the URL it lands on)."""
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible()
    choose(page, "#client-select", client)
    if issue:
        page.locator("#issue-date").fill(issue.isoformat())
    if due:
        page.locator("#due-date").fill(due.isoformat())
    for index, (description, quantity, price) in enumerate(lines):
        if index > 0:
            page.locator("#add-line").click()
        expect(page.locator(".line-item")).to_have_count(index + 1)
        fill_line(page, index, description, quantity, price)
    page.locator("#save-draft").click()
    page.wait_for_url(re.compile(r".*/invoices/\d+$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def invoice_status(page: Page) -> str:
    return page.locator("#invoice-status").inner_text().strip().upper()


def send_invoice(page: Page, *, by_email: bool = False, keep_past_due: bool = False) -> None:
    """Send the open draft through the Send dialog: by email, or only mark it sent.
    ``keep_past_due``: a due date that has passed is kept (the dialog offers to move it)."""
    page.locator("#send-invoice").click()
    if not by_email:
        page.locator("#method-mark").click()
    if keep_past_due:
        page.get_by_role("radiogroup", name="Due date").get_by_role("radio", name=re.compile("^Keep")).click()
    page.locator("#send-confirm").click()


class ServerAnswers:
    """The app's socket, relayed so that the server's answers can be held back for a moment:
    what the page does before the server answers is then what is on screen."""

    def __init__(self, page: Page) -> None:
        self._held: list = []
        self._holding = False
        page.route_web_socket(re.compile(r".*/_event.*"), self._relay)

    def _relay(self, ws) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda message: self._held.append((ws, message)) if self._holding else ws.send(message))

    def hold(self) -> None:
        self._holding = True

    def release(self) -> None:
        self._holding = False
        held, self._held = self._held, []
        for ws, message in held:
            ws.send(message)
