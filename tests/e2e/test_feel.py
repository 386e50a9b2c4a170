"""How it feels: phone-width layout, keyboard use, pages that keep still while loading."""


import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

SESSION_KEY = "invoice_crm_session"  # where a signed-in tab keeps its session (state/auth.py)
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_sign_in_with_the_keyboard_alone(page, app_url):
    page.goto(app_url + "/login")
    page.locator("#email").focus()
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(app_url + "/")
    expect(page.locator(".invoice-row").first).to_be_visible()


def test_pages_fit_a_phone_width_screen(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        expect(page.locator("#new-invoice")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.locator(".invoice-row a").first.click()
        expect(page.locator("#invoice-number")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.goto(app_url + "/invoices/new")
        expect(page.locator("#save-draft")).to_be_visible()
        expect(page.locator(".line-item .line-unit-price input")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        context.close()


# Every layout shift of the page (none caused by the user's own input), with what moved.
SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__shifts.push({value: e.value, moved: (e.sources || []).map(
      (s) => s.node && s.node.nodeType === 1 ? (s.node.id || String(s.node.className)) : String(s.node && s.node.nodeName))});
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_keep_still_while_their_data_arrives(browser, app_url, width):
    """Opening the dashboard (its overdue alert, cards, chart and rows), an invoice, the editor,
    the client's pay page, the clients and projects lists and the reports in a new tab: what is
    on screen never moves when the data comes in."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, app_url)
        session = page.evaluate(f"localStorage.getItem({SESSION_KEY!r})")
        page.goto(app_url + "/?status=OVERDUE")
        expect(page.locator("#overdue-banner")).to_be_visible()  # the demo data has overdue invoices
        invoice = page.locator(".invoice-row[data-status=OVERDUE] th a").first.get_attribute("href")
        page.goto(app_url + "/?status=DRAFT")
        draft = page.locator(".invoice-row[data-status=DRAFT] th a").first.get_attribute("href")
        page.goto(app_url + invoice)
        pay_link = page.locator("#pay-link").inner_text()
    finally:
        context.close()
    pages = [
        (app_url + "/", [".invoice-row", "#overdue-banner", "#paid-chart .recharts-surface"]),
        (app_url + invoice, ["#invoice-amount", ".line-row"]),
        (app_url + draft + "/edit", [".line-item .line-unit-price input"]),
        (pay_link, ["#pay-button"]),
        (app_url + "/clients", [".client-row"]),
        (app_url + "/projects", [".project-row"]),
        (app_url + "/reports", ["#ageing-table", "#tax-table"]),
    ]
    for url, content in pages:
        tab = browser.new_context(viewport={"width": width, "height": 900})  # a new tab, signed in
        tab.add_init_script(f"localStorage.setItem({SESSION_KEY!r}, {session!r});")
        tab.add_init_script(SHIFTS)
        page = tab.new_page()
        try:
            page.goto(url)
            for selector in content:
                expect(page.locator(selector).first).to_be_visible()
            if url.endswith("/"):
                expect(page.locator("#card-expected")).not_to_have_text("")  # read after the page shows
            page.wait_for_timeout(500)
            shifts = page.evaluate("window.__shifts")
            assert sum(shift["value"] for shift in shifts) < 0.001, (url, width, shifts)
        finally:
            tab.close()


# The statuses of every invoice row that has been on the page since it loaded.
ROWS_SEEN = """
window.__statuses = [];
new MutationObserver(() => {
  for (const row of document.querySelectorAll('.invoice-row')) {
    const status = row.getAttribute('data-status');
    if (!window.__statuses.includes(status)) window.__statuses.push(status);
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


def test_reloading_the_tab_at_another_list_never_shows_the_old_one(browser, app_url):
    """The tab keeps its state across a reload; the list it held is not the one the new URL
    names, and it must not flash on screen before that one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(ROWS_SEEN)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        page.goto(app_url + "/?status=OVERDUE")
        expect(page.locator(".invoice-row[data-status=OVERDUE]").first).to_be_visible()
        page.goto(app_url + "/?status=DRAFT")  # the same tab: a reload at another URL
        expect(page.locator(".invoice-row[data-status=DRAFT]").first).to_be_visible()
        page.wait_for_timeout(300)
        assert page.evaluate("window.__statuses") == ["DRAFT"]
    finally:
        context.close()


def test_each_page_has_one_main_heading_and_its_figures_are_not_headings(signed_in, app_url):
    """A screen reader's list of headings: the page's title once (h1), its sections under it
    (h2, h3); the app's name and the amounts are not headings."""
    page = signed_in
    page.goto(app_url + "/?status=OVERDUE")
    invoice = page.locator(".invoice-row th a").first.get_attribute("href")
    page.goto(app_url + invoice)
    pay_link = page.locator("#pay-link").inner_text()
    page.goto(app_url + "/clients")
    client = page.locator(".client-row a[href^='/clients/']").first.get_attribute("href")
    main = {
        "/": "Invoices", "/invoices/new": "New invoice", invoice: None, "/clients": "Clients", client: None,
        "/projects": "Projects", "/leads": "Leads", "/recurring": "Recurring invoices", "/reports": "Reports",
        "/settings": "Settings", "/import": None, "/account": None,
    }
    for path, title in [*main.items(), (pay_link, None)]:
        page.goto(path if path.startswith("http") else app_url + path)
        expect(page.locator("h1")).to_have_count(1)
        if title:
            expect(page.locator("h1")).to_have_text(title)
        headings = page.get_by_role("heading").all_inner_texts()
        assert "Invoice CRM" not in headings, (path, headings)
        assert not any(text.lstrip("$€£¥-−").strip()[:1].isdigit() for text in headings), (path, headings)


def test_the_navigation_says_which_page_is_shown(signed_in, app_url):
    """QA: the navigation did not mark the page shown, for the eye or for screen readers."""
    page = signed_in
    page.goto(app_url + "/clients")
    clients = page.get_by_role("link", name="Clients", exact=True)
    expect(clients).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_have_attribute("aria-current", "false")
    page.locator(".client-row th a").first.click()  # a client's page is under Clients
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    expect(clients).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.wait_for_url(re.compile(r".*/reports/?$"))
    expect(page.get_by_role("link", name="Reports", exact=True)).to_have_attribute("aria-current", "page")
    expect(clients).to_have_attribute("aria-current", "false")
