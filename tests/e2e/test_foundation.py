"""The app as `make run` starts it: demo data, sign-in required."""

import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import choose


def test_anonymous_visitor_is_sent_to_login(page, app_url):
    page.goto(app_url + "/")
    page.wait_for_url("**/login**")
    expect(page.locator("#sign-in")).to_be_visible()
    page.goto(app_url + "/invoices/1")
    page.wait_for_url("**/login**")


def test_wrong_password_is_refused(page, app_url):
    page.goto(app_url + "/login")
    page.locator("#email").fill("owner@example.com")
    page.locator("#password").fill("not-the-password")
    page.locator("#sign-in").click()
    expect(page.locator("#login-error")).to_contain_text("wrong")
    assert "/login" in page.url


def test_dashboard_shows_the_demo_invoices(page, app_url):
    sign_in(page, app_url)
    rows = page.locator(".invoice-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 20
    for status in ("DRAFT", "SENT", "OVERDUE", "PAID"):
        expect(page.locator(f".invoice-row[data-status={status}]").first).to_be_visible()
    expect(page.locator("#overdue-banner")).to_be_visible()


def test_sign_out(page, app_url):
    sign_in(page, app_url)
    page.locator("#sign-out").click()
    page.wait_for_url("**/login**")
    page.goto(app_url + "/")
    page.wait_for_url("**/login**")


def test_clients_projects_and_leads_pages_list_the_demo_records(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/clients")
    expect(page.locator(".client-row", has_text="Acme Robotics")).to_be_visible()
    page.goto(app_url + "/projects")
    expect(page.locator("td", has_text="Blue Harbor Cafe").first).to_be_visible()
    page.goto(app_url + "/leads")
    expect(page.locator(".lead-row").first).to_be_visible()
    assert page.locator(".lead-row").count() >= 4


def test_a_lead_moves_along_the_pipeline_from_its_menu(signed_in, app_url):
    """Each lead's "Move … to" menu (closed, it holds only the lead's status) lists the
    whole pipeline when opened; the choice is the lead's new status."""
    page = signed_in
    page.goto(app_url + "/leads")
    row = page.locator(".lead-row").first
    expect(row).to_be_visible()
    title = row.locator("td").first.inner_text()
    menu = page.get_by_role("combobox", name=f"Move {title} to")
    menu.click()
    expect(page.get_by_role("option")).to_have_count(6)
    page.get_by_role("option", name="Proposal", exact=True).click()  # as the badge says it
    expect(row.locator(".lead-status")).to_contain_text("Proposal")
    expect(menu).to_have_text("Proposal")
    page.reload()
    expect(page.locator(".lead-row", has_text=title).first.locator(".lead-status")).to_contain_text("Proposal")


def test_a_refused_lead_keeps_what_was_typed_and_names_each_field(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/leads")
    expect(page.locator(".lead-row").first).to_be_visible()
    choose(page, "#lead-client", "Studio Verde")
    title = page.get_by_label("Lead title")
    title.fill("x" * 201)
    page.get_by_role("button", name="Add lead").click()
    expect(page.locator("#lead-title-error")).to_have_text("Lead title must be at most 200 characters")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_value("x" * 201)
    expect(page.locator("#lead-client")).to_have_text("Studio Verde")
    expect(page.locator("#lead-client-error")).to_have_count(0)
    name = f"Lead {secrets.token_hex(2)}"
    title.fill(name)
    page.get_by_role("button", name="Add lead").click()
    expect(page.locator(".lead-row", has_text=name)).to_be_visible()
    expect(title).to_have_value("")  # added: the form is empty again
    expect(page.locator("#lead-client")).to_have_text("Choose a client")
    expect(page.locator(".field-error")).to_have_count(0)


def test_a_lead_is_renamed_from_its_row_and_a_refused_title_stays_in_the_dialog(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/leads")
    choose(page, "#lead-client", "Studio Verde")
    title = f"Logo ideas {secrets.token_hex(2)}"
    page.get_by_label("Lead title").fill(title)
    page.get_by_role("button", name="Add lead").click()
    expect(page.locator(".lead-row", has_text=title)).to_be_visible()

    page.get_by_role("button", name=f"Rename lead {title}", exact=True).click()
    dialog = page.get_by_role("dialog", name="Rename lead")
    field = dialog.get_by_label("New title")
    expect(field).to_have_value(title)
    field.fill("z" * 201)
    dialog.get_by_role("button", name="Save title").click()
    expect(dialog.locator(".field-error")).to_have_text("Lead title must be at most 200 characters")
    expect(field).to_have_value("z" * 201)  # kept, to be put right in place
    renamed = f"{title} and colours"
    field.fill(renamed)
    field.press("Enter")
    expect(dialog).to_have_count(0)
    expect(page.locator(".lead-row", has_text=renamed)).to_be_visible()
    page.reload()
    expect(page.locator(".lead-row", has_text=renamed)).to_be_visible()
    expect(page.get_by_role("button", name=f"Rename lead {title}", exact=True)).to_have_count(0)


def test_a_project_rename_saves_on_enter_and_a_refused_one_is_named_beside_its_field(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/projects")
    row = page.locator(".project-row").first
    box = row.get_by_role("textbox")
    expect(box).to_be_visible()
    saved = box.input_value()
    box.fill("y" * 300)
    box.press("Enter")
    expect(row.locator(".field-error")).to_have_text("Project name must be at most 200 characters")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value("y" * 300)  # kept, to be put right in place
    renamed = f"{saved} {secrets.token_hex(2)}"
    box.fill(renamed)
    box.press("Enter")
    field = page.get_by_role("textbox", name=f"Rename project {renamed}", exact=True)
    expect(field).to_have_value(renamed)
    expect(page.locator(".project-row .field-error")).to_have_count(0)
    page.reload()
    expect(field).to_have_value(renamed)


def test_escape_undoes_a_project_rename_not_yet_saved(signed_in, app_url):
    """The row's name saves when it is left; Escape is its Cancel: the saved name comes back,
    nothing is saved, and a refusal shown beside it goes."""
    page = signed_in
    page.goto(app_url + "/projects")
    row = page.locator(".project-row").first
    box = row.get_by_role("textbox")
    expect(box).to_be_visible()
    saved = box.input_value()
    box.fill("y" * 300)
    box.press("Enter")
    expect(row.locator(".field-error")).to_be_visible()
    box.press("Escape")
    expect(box).to_have_value(saved)
    expect(row.locator(".field-error")).to_have_count(0)

    box.fill(f"{saved} not meant")
    box.press("Escape")
    expect(box).to_have_value(saved)
    expect(box).not_to_be_focused()
    expect(page.get_by_text("Project renamed")).to_have_count(0)
    page.reload()
    expect(page.locator(".project-row").first.get_by_role("textbox")).to_have_value(saved)


def test_a_new_project_shows_in_its_own_row_and_a_rename_renames_the_project_shown(signed_in, app_url):
    """The rows' name fields are not controlled: a project added on top must not leave each
    field showing the project that used to be in its place (renaming the wrong one)."""
    page = signed_in
    page.goto(app_url + "/projects")
    rows = page.locator(".project-row")
    expect(rows.first).to_be_visible()
    choose(page, "#project-client", "Blue Harbor Cafe")
    name = f"Menu design {secrets.token_hex(2)}"
    page.get_by_label("Project name").fill(name)
    page.get_by_role("button", name="Add project").click()
    field = page.get_by_role("textbox", name=f"Rename project {name}", exact=True)
    expect(field).to_have_value(name)
    for i in range(rows.count()):  # every row shows its own project
        box = rows.nth(i).get_by_role("textbox")
        expect(box).to_have_value((box.get_attribute("aria-label") or "").removeprefix("Rename project "))
    field.fill(f"{name} phase 2")
    field.press("Tab")
    renamed = page.get_by_role("textbox", name=f"Rename project {name} phase 2", exact=True)
    expect(renamed).to_have_value(f"{name} phase 2")
    page.reload()
    expect(renamed).to_have_value(f"{name} phase 2")


def test_a_button_that_opens_a_page_is_one_tab_stop(signed_in, app_url):
    """"New invoice" is a link drawn as a button: Tab stops on it once (not on the link and
    then on the button inside it), and Enter opens the page."""
    page = signed_in
    page.goto(app_url + "/")
    link = page.locator("a:has(#new-invoice)")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "new-invoice"
    assert page.evaluate("!!document.activeElement.closest('a:has(#new-invoice)')") is False
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/invoices/new")
    page.get_by_label("Client", exact=True).first.wait_for()
