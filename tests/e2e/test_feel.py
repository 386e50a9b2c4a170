"""How it feels: phone-width layout and keyboard use."""

from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

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
