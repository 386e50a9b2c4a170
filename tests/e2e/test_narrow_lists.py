"""Lists that must keep their columns in view whatever is in them, on a phone and a desktop
(QA, stop 25): a lead's long unbroken title, project names at 390 px, a client's balances."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import choose, client_row, create_client, find_client, new_invoice, send_invoice

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
FITS = "el => el.scrollWidth <= el.clientWidth"
# Whether an element is wholly in view horizontally: inside every box above it that clips
# (a card that scrolls sideways shows only its own width of what it holds).
UNCLIPPED = """el => {
    const right = el.getBoundingClientRect().right;
    for (let box = el.parentElement; box; box = box.parentElement) {
        if (getComputedStyle(box).overflowX === "visible") continue;
        const r = box.getBoundingClientRect();
        if (right > r.left + box.clientLeft + box.clientWidth + 0.5) return false;
    }
    return true;
}"""


def _right(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


@pytest.fixture
def sized_page(browser, app_url, request) -> Iterator[Page]:
    """A signed-in tab as wide as the test's parameter (390: a phone; 1280: a desktop)."""
    context = browser.new_context(viewport={"width": request.param, "height": 844})
    page = context.new_page()
    sign_in(page, app_url)
    yield page
    context.close()


@pytest.mark.parametrize("sized_page", [1280, 390], indirect=True)
def test_a_long_unbroken_lead_title_wraps_and_every_row_keeps_its_menu(sized_page, app_url):
    """A pasted address as a lead's title made the table 1,500 px wide: Client, Status and
    "Move to" went off-screen for every lead."""
    page = sized_page
    tag = secrets.token_hex(3)
    client = f"Lead Client {tag}"
    create_client(page, app_url, client, f"lead-{tag}@client.example")
    title = f"https://example.com/{'x' * 150}/{tag}"
    page.goto(app_url + "/leads")
    find_client(page, "#lead-client", client)
    choose(page, "#lead-client", client)
    page.get_by_label("Lead title").fill(title)
    page.get_by_role("button", name="Add lead").click()
    row = page.locator(".lead-row", has_text=tag)
    expect(row).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    width = page.viewport_size["width"]
    for menu in page.locator(".lead-row").get_by_role("combobox").all():
        assert _right(menu) <= width, "a lead's Move to menu is off-screen"
    assert _right(page.get_by_role("button", name=f"Rename lead {title}")) <= width


@pytest.mark.parametrize("sized_page", [390], indirect=True)
def test_project_names_are_readable_on_a_phone(sized_page, app_url):
    """At 390 px each name sat in a field a third of the row wide ("Website rede")."""
    page = sized_page
    tag = secrets.token_hex(3)
    client = f"Project Client {tag}"
    create_client(page, app_url, client, f"project-{tag}@client.example")
    page.goto(app_url + "/projects")
    find_client(page, "#project-client", client)
    choose(page, "#project-client", client)
    name = f"Website redesign {tag}"
    page.get_by_label("Project name").fill(name)
    page.get_by_role("button", name="Add project").click()
    field = page.get_by_label(f"Rename project {name}")
    expect(field).to_have_value(name)
    assert field.evaluate(FITS), "the project's name is cut off in its field"
    shown = page.locator(".project-row", has=field).get_by_text(client).filter(visible=True)
    expect(shown).to_have_count(1)  # under the name: the row keeps its width for it
    assert _right(shown) <= _right(field)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.parametrize("sized_page", [390], indirect=True)
def test_a_clients_balances_are_whole_on_a_phone(sized_page, app_url):
    """At 390 px the Balance column was cut at the card's edge: "$1,677" for $1,677.50."""
    page = sized_page
    tag = secrets.token_hex(3)
    client = f"Balance Client {tag}"
    create_client(page, app_url, client, f"balance-{tag}@client.example")
    new_invoice(page, app_url, client, [("Long engagement", "1", "11677.50")])
    send_invoice(page)
    # Partly paid: the widest badge beside the balance.
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Amount").fill("10000.00")
    dialog.get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-status")).to_have_text("Partially paid")
    client_row(page, app_url, client).get_by_role("link", name=client).first.click()
    balance = page.locator(".client-invoice-balance").first
    expect(balance).to_have_text("$1,677.50")
    assert balance.evaluate(UNCLIPPED), "the balance runs past the card's edge"
    assert balance.evaluate(FITS)


def test_enter_in_a_project_name_keeps_the_keyboard_there(signed_in, app_url):
    """QA (stop 25): Enter saved the new name, then focus fell to the page: the field was drawn
    anew for its new name. The row may move (the list is by name): focus goes with it."""
    page = signed_in
    tag = secrets.token_hex(3)
    client = f"Rename Client {tag}"
    create_client(page, app_url, client, f"rename-{tag}@client.example")
    page.goto(app_url + "/projects")
    for name in (f"Alpha {tag}", f"Beta {tag}"):
        find_client(page, "#project-client", client)
        choose(page, "#project-client", client)
        page.get_by_label("Project name").fill(name)
        page.get_by_role("button", name="Add project").click()
        expect(page.get_by_label(f"Rename project {name}")).to_be_visible()
    for old, new in ((f"Alpha {tag}", f"Alpha {tag} two"), (f"Alpha {tag} two", f"Zulu {tag}")):  # stays; moves
        field = page.get_by_label(f"Rename project {old}")
        field.fill(new)
        field.press("Enter")
        renamed = page.get_by_label(f"Rename project {new}")
        expect(renamed).to_be_focused()
        expect(renamed).to_have_value(new)
    page.keyboard.type("!")  # still typing in it
    expect(page.get_by_label(f"Rename project Zulu {tag}")).to_have_value(f"Zulu {tag}!")
