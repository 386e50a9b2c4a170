"""Recurring invoices in the real app: a profile made in the form issues its first invoice
(start date today) without anyone pressing "create now", shown on the profile's page and in the
invoice list; the list of profiles shows the next issue date and the invoices produced."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.pages import create_client, find_client

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_profile_created_in_the_form_issues_its_first_invoice(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Retainer Client {tag}"
    create_client(page, app_url, name, f"retainer-{tag}@client.example")

    page.get_by_role("link", name="Recurring").first.click()
    page.wait_for_url(app_url + "/recurring")
    page.get_by_role("link", name="New recurring profile").click()
    page.wait_for_url(app_url + "/recurring/new")
    find_client(page, "#recurring-client_id", name)  # the menu offers a few clients, found by typing
    page.get_by_label("Client", exact=True).select_option(label=name)
    # Nothing filled in yet: the error shows beside the field, nothing is saved.
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Add at least one line")).to_be_visible()
    page.get_by_label("Description, line 1").fill("Monthly retainer")
    page.get_by_label("Quantity, line 1").fill("2")
    page.get_by_label("Unit price, line 1").fill("450")
    page.get_by_label("Discount %, line 1").fill("10")
    page.get_by_label("Frequency").select_option("monthly")
    expect(page.get_by_label("Start date")).not_to_have_value("")  # today, as it opened
    page.get_by_label("Payment terms (days)").fill("30")
    page.get_by_role("button", name="Save profile").click()

    # The profile page: the first invoice (today's period) is already there, a draft of
    # 2 x 450 less 10% = $810.00.
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))
    rows = page.locator(".profile-invoice-row")
    expect(rows).to_have_count(1, timeout=30_000)
    expect(rows.first).to_contain_text("$810.00")
    expect(rows.first).to_contain_text("Draft")
    expect(page.locator(".profile-amount")).to_have_text("$810.00")
    bills = page.locator(".profile-line")  # what each invoice bills: the line, before its discount
    expect(bills).to_have_count(1)
    expect(bills.first).to_contain_text("Monthly retainer")
    expect(bills.first).to_contain_text("$900.00")

    # It is an ordinary draft in the invoice list, for this client.
    page.goto(app_url + "/?q=" + tag)
    expect(page.locator("#card-expected")).to_have_text(re.compile(r"\S"))  # the expected-cash card loaded
    expect(page.locator(".invoice-row", has_text=name)).to_have_count(1)
    expect(page.locator(".invoice-row", has_text=name)).to_contain_text("$810.00")

    # The list of profiles: one invoice produced, and the next issue date is in the future.
    page.goto(app_url + "/recurring")
    row = page.locator(".profile-row", has_text=name)
    expect(row.locator(".profile-issued")).to_have_text("1")
    expect(row.locator(".profile-status")).to_have_text("Active")
    # Told apart from the client's other profiles by what it bills.
    expect(row.locator(".profile-what")).to_have_text("Monthly retainer")
    expect(row.locator(".profile-amount")).to_have_text("$810.00")

    # Edit: the form opens with the profile's values; a new price changes future invoices only.
    row.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))
    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_url(re.compile(r".*/recurring/\d+/edit$"))
    expect(page.get_by_label("Description, line 1")).to_have_value("Monthly retainer")
    expect(page.get_by_label("Payment terms (days)")).to_have_value("30")
    page.get_by_label("Unit price, line 1").fill("500")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))
    expect(page.locator(".profile-amount")).to_have_text("$900.00")
    expect(page.locator(".profile-invoice-row")).to_have_count(1)
    expect(page.locator(".profile-invoice-row").first).to_contain_text("$810.00")

    # Pause from its page: it says so, and a reload keeps it.
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".profile-status")).to_have_text("Paused")
    expect(page.locator(".profile-next")).to_have_text("None while paused")  # no date that will not come
    page.reload()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    expect(page.locator(".profile-invoice-row")).to_have_count(1)
    # Resume and Pause take each other's place: a double click's second press, landing on the
    # button drawn in its place, does not undo the first.
    box = page.get_by_role("button", name="Resume").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)
    page.wait_for_timeout(1500)
    expect(page.locator(".profile-status")).not_to_have_text("Paused")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".profile-status")).to_have_text("Paused")
    page.set_viewport_size({"width": 390, "height": 844})  # and on a phone, no sideways scroll
    expect(page.get_by_role("heading", name="Invoices issued")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_recurring_pages_fit_a_phone(signed_in, app_url):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/recurring/new")
    expect(page.get_by_label("Description, line 1")).to_be_visible()
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Description, line 2")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.goto(app_url + "/recurring")
    expect(page.get_by_role("heading", name="Recurring invoices")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_the_profile_form_asks_before_leaving_with_unsaved_changes(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Guarded Client {tag}"
    create_client(page, app_url, name, f"guarded-{tag}@client.example")
    asked: list[str] = []
    answer = {"accept": False}

    def handle(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", handle)

    # Nothing typed: leaving asks nothing.
    page.goto(app_url + "/recurring/new")
    expect(page.get_by_label("Description, line 1")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(app_url + "/recurring")
    assert asked == []

    # A search in "Find a client" changes nothing to save: leaving asks nothing either.
    page.goto(app_url + "/recurring/new")
    find_client(page, "#recurring-client_id", name)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(app_url + "/recurring")
    assert asked == []

    # Typed: Cancel asks; "no" keeps the page and what was typed.
    page.goto(app_url + "/recurring/new")
    page.get_by_label("Description, line 1").fill("Monthly retainer")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_timeout(300)
    assert asked == ["You have unsaved changes to this recurring profile. Leave without saving?"]
    assert page.url.rstrip("/").endswith("/recurring/new")
    expect(page.get_by_label("Description, line 1")).to_have_value("Monthly retainer")

    # A refused save keeps it unsaved; a saved one leaves without asking.
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Choose a client").last).to_be_visible()
    find_client(page, "#recurring-client_id", name)  # the menu offers a few clients, found by typing
    page.get_by_label("Client", exact=True).select_option(label=name)
    page.get_by_label("Unit price, line 1").fill("450")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))
    page.get_by_role("link", name="Clients").first.click()
    page.wait_for_url(app_url + "/clients")
    assert len(asked) == 1

    # "Yes" leaves.
    page.goto(app_url + "/recurring/new")
    page.get_by_label("Frequency").select_option("weekly")
    answer["accept"] = True
    page.get_by_role("link", name="Dashboard").first.click()
    page.wait_for_url(app_url + "/")
    assert len(asked) == 2


def test_stop_asks_first_and_references_stay_whole_on_a_phone(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Stopping Client {tag}"
    create_client(page, app_url, name, f"stopping-{tag}@client.example")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/recurring/new")
    find_client(page, "#recurring-client_id", name)  # the menu offers a few clients, found by typing
    page.get_by_label("Client", exact=True).select_option(label=name)
    page.get_by_label("Description, line 1").fill("Weekly support")
    page.get_by_label("Unit price, line 1").fill("100")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))

    # The draft's reference ("Draft D-0027") is one line, not "Draft D-" over "0027".
    link = page.locator(".profile-invoice-row").get_by_role("link")
    expect(link).to_have_count(1, timeout=30_000)
    expect(link).to_have_text(re.compile(r"^Draft D-\d+$"))
    assert link.evaluate("a => a.getClientRects().length") == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Stop asks first; Cancel leaves the profile as it was.
    page.get_by_role("button", name="Stop", exact=True).click()
    dialog = page.get_by_role("alertdialog", name="Stop this profile?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("No more invoices will be issued")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".profile-status")).to_have_text("Active")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()

    # Confirmed, it stops: nothing left to pause, resume, stop or edit.
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Stop profile").click()
    expect(page.locator(".profile-status")).to_have_text("Stopped")
    expect(page.get_by_text("Profile stopped")).to_be_visible()
    for gone in ("Pause", "Resume", "Stop"):
        expect(page.get_by_role("button", name=gone, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Edit profile")).to_have_count(0)


def test_numbers_show_as_billed_once_left_and_an_archived_clients_profile_says_so(signed_in, app_url):
    page = signed_in
    tag = secrets.token_hex(3)
    name = f"Archived Later {tag}"
    create_client(page, app_url, name, f"later-{tag}@client.example")
    page.goto(app_url + "/recurring/new")
    find_client(page, "#recurring-client_id", name)
    page.get_by_label("Client", exact=True).select_option(label=name)
    page.get_by_label("Description, line 1").fill("Hosting")
    # Leaving a number field shows it as it will be billed, as the invoice editor does (QA13).
    price = page.get_by_label("Unit price, line 1")
    price.fill("1,234.5")
    price.press("Tab")
    expect(price).to_have_value("1,234.50")
    discount = page.get_by_label("Discount %, line 1")
    discount.fill("12.5")
    discount.press("Tab")
    expect(discount).to_have_value("12.50")
    expect(page.get_by_label("Description, line 1")).to_have_value("Hosting")  # nothing else redrawn
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r".*/recurring/\d+$"))
    profile_url = page.url
    expect(page.locator("#profile-client-archived")).to_have_count(0)

    # Archiving the client says the profile keeps issuing; the profile page then says so.
    page.get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    page.get_by_role("button", name="Archive client").click()
    expect(page.get_by_text(re.compile(r"Client archived\. Its recurring profile keeps issuing invoices"))).to_be_visible()
    page.goto(profile_url)
    expect(page.locator("#profile-client-archived")).to_contain_text(f"{name} is archived")
