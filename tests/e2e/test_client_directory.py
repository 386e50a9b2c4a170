"""/clients and the client pickers with more clients than fit a page or a menu: the page
shows one page with a search box and Previous/Next (kept in the URL), and a picker finds
clients as typed, offering a few at a time. Fields by label, buttons by role."""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import client_row

SEEDED = 120
TIMEOUT = 15_000


def _seed(app_env) -> None:
    """120 clients of one company, written to the app's database as an import would add them."""
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        if conn.execute("SELECT count(*) FROM client WHERE company = 'Pager Co'").fetchone()[0]:
            return
        conn.executemany(
            "INSERT INTO client (name, email, company, address, is_sample, tax_number, created_at) "
            "VALUES (?, ?, 'Pager Co', '', 0, '', '2026-01-01 00:00:00.000000')",
            [(f"Pager Client {i:03d}", f"pager{i:03d}@pager.example") for i in range(SEEDED)],
        )
        conn.commit()


def _range(page: Page):
    return page.locator("#clients-range").first


def test_the_clients_page_searches_and_pages_and_keeps_both_in_the_url(page: Page, app_url, app_env):
    _seed(app_env)
    sign_in(page, app_url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url + "/clients")
    rows = page.locator(".client-row")
    expect(rows).to_have_count(50, timeout=TIMEOUT)  # one page, not every client
    expect(_range(page)).to_contain_text("1–50 of")

    page.get_by_label("Search clients").fill("PAGER CO")  # the company, whatever the case
    expect(_range(page)).to_have_text(f"1–50 of {SEEDED}", timeout=TIMEOUT)
    expect(rows.first).to_contain_text("Pager Client 000")
    page.get_by_role("button", name="Next").first.click()
    expect(_range(page)).to_have_text(f"51–100 of {SEEDED}", timeout=TIMEOUT)
    expect(rows.first).to_contain_text("Pager Client 050")
    page.wait_for_function("() => location.search.includes('page=2') && location.search.includes('q=PAGER')")

    page.reload()  # the URL alone shows the same page of the same search
    expect(_range(page)).to_have_text(f"51–100 of {SEEDED}", timeout=TIMEOUT)
    expect(page.get_by_label("Search clients")).to_have_value("PAGER CO")
    page.go_back()
    expect(_range(page)).to_have_text(f"1–50 of {SEEDED}", timeout=TIMEOUT)

    page.get_by_label("Search clients").fill("pager117@pager")  # an email
    expect(rows).to_have_count(1, timeout=TIMEOUT)
    expect(rows.first).to_contain_text("Pager Client 117")
    page.get_by_label("Search clients").fill("nobody by this name")
    expect(page.get_by_text("No client's name, company or email has this text.")).to_be_visible(timeout=TIMEOUT)
    expect(rows).to_have_count(0)


def test_the_editor_picker_finds_a_client_as_typed(page: Page, app_url, app_env):
    _seed(app_env)
    sign_in(page, app_url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url + "/invoices/new")
    expect(page.get_by_label("Find a client")).to_have_attribute("placeholder", "Name, company or email", timeout=TIMEOUT)
    # Nothing appears under the box while the page loads (it would move the page): the hint
    # comes with the typing.
    expect(page.get_by_text("type a name, company or email to find any other")).to_have_count(0)
    page.get_by_label("Find a client").fill("pager client 0")
    expect(page.get_by_text("The first 30 matches: type more to narrow them.")).to_be_visible(timeout=TIMEOUT)
    page.get_by_label("Find a client").fill("pager client 11")
    expect(page.get_by_text("The first 30 matches")).to_have_count(0, timeout=TIMEOUT)
    # Keyboard: the menu opens from the field labelled "Client" and offers only the matches.
    page.get_by_label("Client", exact=True).focus()
    page.keyboard.press("Enter")
    options = page.get_by_role("option")
    expect(options).to_have_count(10, timeout=TIMEOUT)  # Pager Client 110–119
    page.get_by_role("option", name="Pager Client 117", exact=True).click()
    expect(page.get_by_label("Client", exact=True)).to_have_text("Pager Client 117")
    # Another search keeps the chosen client shown.
    page.get_by_label("Find a client").fill("pager client 00")
    time.sleep(0.6)
    expect(page.get_by_label("Client", exact=True)).to_have_text("Pager Client 117")


def test_the_projects_picker_on_a_phone(page: Page, app_url, app_env):
    _seed(app_env)
    sign_in(page, app_url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/projects")
    search = page.get_by_label("Find a client")
    expect(search).to_be_visible(timeout=TIMEOUT)
    search.fill("pager042@")
    search.press("Enter")  # finds, and adds nothing (no "Choose a client" about the form)
    time.sleep(0.6)
    expect(page.locator("#project-client-error")).to_have_count(0)
    page.get_by_label("Client", exact=True).click()
    expect(page.get_by_role("option")).to_have_count(1, timeout=TIMEOUT)
    page.get_by_role("option", name="Pager Client 042", exact=True).click()
    page.get_by_label("Project name").fill("Phone project")
    page.get_by_role("button", name="Add project").click()
    expect(page.locator(".project-row", has_text=re.compile("Pager Client 042"))).to_be_visible(timeout=TIMEOUT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_editing_a_client_into_another_asks_before_saving(page: Page, app_url, app_env):
    _seed(app_env)
    sign_in(page, app_url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url + "/clients")
    page.get_by_label("Search clients").fill("pager client 007")
    page.get_by_role("button", name="Edit Pager Client 007").click()
    dialog = page.get_by_role("dialog", name="Edit client")
    dialog.get_by_label("Client name").fill("Pager Client 008")
    dialog.get_by_label("Client email").fill("pager008@pager.example")
    dialog.get_by_role("button", name="Save").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("A similar client exists", timeout=TIMEOUT)
    # The question holds the keyboard (QA: focus stayed behind it, Tab walked the page).
    expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Save anyway")).to_be_focused()
    question.get_by_role("button", name="Cancel").click()
    expect(dialog.get_by_label("Client name")).to_have_value("Pager Client 008")  # what was typed stays
    expect(dialog.get_by_role("button", name="Save")).to_be_focused()  # back where it was asked from
    expect(page.get_by_text("Client saved")).to_have_count(0)
    dialog.get_by_role("button", name="Save").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Client saved")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("dialog", name="Edit client")).to_have_count(0)


# Does the element's nearest scrolling box (the list's card) hold it without scrolling sideways?
_FITS = """el => {
    let box = el.parentElement;
    while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    return !box || box.scrollWidth <= box.clientWidth + 1;
}"""


def test_a_long_name_wraps_the_add_forms_errors_are_beside_their_fields_and_an_edit_of_a_deleted_client_says_so(
    page: Page, app_url, app_env
):
    """QA13 problems 8, 10 and 11 in the browser."""
    tag = str(time.time_ns())[-6:]
    name = "Ä" + "Verylongcompanynamewithoutanyspaces" * 4 + tag
    email = f"accounts.payable.department.of.a.very.long.company{tag}@subdomain.example-company-name.example"
    sign_in(page, app_url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url + "/clients")
    name_box, email_box = page.get_by_label("Client name"), page.get_by_label("Client email")
    # A refusal is said under its own field, tied to it.
    name_box.fill("x")
    email_box.fill("a@b")
    page.get_by_role("button", name="Add client").click()
    expect(email_box).to_have_attribute("aria-invalid", "true", timeout=TIMEOUT)
    expect(email_box).to_have_attribute("aria-describedby", "client-email-error")
    expect(page.locator("#client-email-error")).to_contain_text("Email must look like")
    expect(name_box).to_have_attribute("aria-invalid", "false")
    name_box.fill("   ")
    email_box.fill(email)
    page.get_by_role("button", name="Add client").click()
    expect(page.locator("#client-name-error")).to_have_text("Name is required", timeout=TIMEOUT)
    expect(page.locator("#client-email-error")).to_have_count(0)
    expect(email_box).to_have_attribute("aria-invalid", "false")

    # A name without spaces and a long email wrap: every column stays in the card.
    name_box.fill(name)
    page.get_by_role("button", name="Add client").click()
    row = page.locator(".client-row", has_text=tag)
    expect(row).to_be_visible(timeout=TIMEOUT)
    edit = row.get_by_role("button", name=re.compile("^Edit "))
    expect(edit).to_be_in_viewport()
    assert row.evaluate(_FITS), "the Clients table is wider than its card at 1280 px"
    page.set_viewport_size({"width": 390, "height": 844})
    edit.scroll_into_view_if_needed()
    expect(edit).to_be_in_viewport()
    assert row.evaluate(_FITS), "the Clients table is wider than its card at 390 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#client-email")).to_have_text(email)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the client page is wider than the phone"
    client_url = page.url

    # Edit in this tab; the client is deleted in another; Save says so once, in the dialog.
    page.set_viewport_size({"width": 1280, "height": 900})
    client_row(page, app_url, tag).get_by_role("button", name=re.compile("^Edit ")).click()
    dialog = page.get_by_role("dialog", name="Edit client")
    dialog.get_by_label("Company").fill("Typed Co")
    other = page.context.new_page()
    other.goto(client_url)
    other.get_by_role("button", name="Delete client").click()
    other.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    other.wait_for_url(re.compile(r".*/clients(\?.*)?$"), timeout=TIMEOUT)
    other.close()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#edit-client-error")).to_contain_text("deleted in another tab", timeout=TIMEOUT)
    expect(page.get_by_text("deleted in another tab")).to_have_count(1)  # once: not under the add form too
    expect(page.get_by_text("Client not found")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(".client-row", has_text=tag)).to_have_count(0)  # the list was read again
    expect(page.locator("#clients-empty")).to_be_visible()
