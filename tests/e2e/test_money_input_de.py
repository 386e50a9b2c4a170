"""Under BUSINESS_LOCALE=de_DE a typed 1,5 bills 1.50 (issue 9).

This module starts its own app, as the README does (`make run`), with BUSINESS_LOCALE=de_DE and
CURRENCY=EUR, its own database and port. The shared e2e app may be serving from the same
checkout at the same time, so this one builds its frontend in its own Reflex work folders
(REFLEX_WEB_WORKDIR / REFLEX_STATES_WORKDIR under the test's temp folder): the shared app's
`.web` is never rebuilt under it. When the shared app has built `.web` already, its installed
node modules are copied over first, so only the export runs again."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, reach, sign_in
from tests.e2e.pages import choose, create_client
from tests.support.app_process import ROOT, free_port, start_app, stop_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def de_app(tmp_path_factory, browser) -> Iterator[dict[str, str]]:
    workdir = tmp_path_factory.mktemp("app_de")
    web = workdir / "web"
    shared_web = ROOT / ".web"
    if (shared_web / "node_modules").is_dir():
        # Everything but the shared app's own build output (top level only: packages have build/ too).
        shutil.copytree(
            shared_web, web, symlinks=True,
            ignore=lambda folder, names: {"build", ".react-router"} & set(names) if Path(folder) == shared_web else set(),
        )
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e_de.db'}",
        "APP_PORT": str(port),
        "APP_URL": f"http://localhost:{port}",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "BUSINESS_TIMEZONE": "Europe/Berlin",
        "BUSINESS_LOCALE": "de_DE",
        "CURRENCY": "EUR",
        "LOAD_DEMO_DATA": "true",
        "REFLEX_WEB_WORKDIR": str(web),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
    }
    proc = start_app(env, workdir / "app.log")
    try:
        reach(browser, env["APP_URL"])
        yield env
    finally:
        stop_app(proc)


@pytest.fixture
def de_page(browser, de_app) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, de_app["APP_URL"])
        yield page
    finally:
        context.close()


def _amounts_of(env: dict[str, str], client: str) -> list[Decimal]:
    path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT invoice.amount FROM invoice JOIN client ON client.id = invoice.client_id WHERE client.name = ?",
            (client,),
        ).fetchall()
    return [Decimal(amount) / 100 for (amount,) in rows]  # integer cents on SQLite


def test_1_5_under_de_DE_bills_1_50(de_page, de_app):
    page, url = de_page, de_app["APP_URL"]
    create_client(page, url, "Komma GmbH", "buchhaltung@komma.example")
    page.goto(url + "/invoices/new")
    choose(page, "#client-select", "Komma GmbH")
    page.get_by_label("Description").fill("Beratung")
    page.get_by_label("Quantity").fill("1")
    price = page.get_by_label("Unit price")

    price.fill("1.5")  # the en_US way is the unclear one here
    expect(page.locator(".line-item .field-error")).to_contain_text("use 1,5")
    expect(page.locator(".line-item .line-total")).to_have_text("—")

    price.fill("1,5")
    line_total = page.locator(".line-item .line-total")
    expect(line_total).to_have_text(re.compile(r"^1,50\s€$"))
    expect(page.locator("#invoice-total")).to_have_text(re.compile(r"^1,50\s€$"))
    price.press("Tab")
    expect(price).to_have_value("1,50")

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/invoices/\d+$"))
    expect(page.locator("#invoice-amount")).to_have_text(re.compile(r"^1,50\s€$"))
    assert _amounts_of(de_app, "Komma GmbH") == [Decimal("1.50")]

    # Grouping and the euro sign as a German freelancer writes them.
    page.goto(url + "/invoices/new")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Unit price").fill("€ 1.234,50")
    expect(page.locator("#invoice-total")).to_have_text(re.compile(r"^2\.469,00\s€$"))


def test_the_charts_axis_groups_thousands_as_the_locale_does(de_page, de_app):
    """The axis read "3800 €" (compact notation groups from five digits only) beside 3.800,00 €."""
    page = de_page
    page.goto(de_app["APP_URL"] + "/")
    # The amount axis's ticks (recharts draws them in its own layers, beside the month names).
    amounts = page.locator("#paid-chart .recharts-cartesian-axis-tick-value", has_text="€")
    expect(amounts.first).to_be_visible(timeout=30_000)
    texts = [t.strip() for t in amounts.all_text_contents()]
    big = [t for t in texts if re.search(r"\d\.\d{3}", t) or re.search(r"\d{4}", t)]
    assert big, texts  # the sample data's months reach the thousands
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})+\s€", t) for t in big), texts


def test_the_charts_figures_are_a_table_that_screen_readers_read(de_page, de_app):
    """The bars are a picture to a screen reader: the same figures are in a table it reads
    (not shown), named like the chart, each month with its amount as the locale writes it."""
    page = de_page
    page.goto(de_app["APP_URL"] + "/")
    table = page.get_by_role("table", name="Paid per month (EUR)")
    expect(table.get_by_role("row")).to_have_count(14, timeout=30_000)  # the header and 13 months
    expect(table.get_by_role("columnheader")).to_have_text(["Month", "Paid"])
    paid = [t.strip() for t in table.get_by_role("cell").all_text_contents()]
    assert len(paid) == 13 and all(re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{2}\s€", t) for t in paid), paid
    assert any(t != "0,00 €" for t in paid), paid  # the sample data's payments
    box = page.locator("#paid-table").bounding_box()  # read out, not shown: clipped to a pixel
    assert box["width"] <= 1 and box["height"] <= 1, box


def test_without_online_payment_the_pay_page_points_to_the_bank_details(de_page, de_app, browser):
    """This app takes no card payments (no Stripe keys): a client is told how to pay instead
    of a Pay button, "as agreed" with no bank details in Settings, "as shown below" with them."""
    page, url = de_page, de_app["APP_URL"]
    page.goto(url + "/?status=OVERDUE")
    page.locator(".invoice-row[data-status=OVERDUE] th a").first.click()
    pay_link = page.locator("#pay-link").inner_text()

    client = browser.new_context().new_page()
    try:
        client.goto(pay_link)
        told = client.locator("#no-online-payment")
        expect(told).to_have_text("Online payment is not available for this invoice; please pay as agreed with the sender.")
        expect(client.locator("#payment-instructions")).to_have_count(0)
        expect(client.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)

        page.goto(url + "/settings")
        page.get_by_label("Business name").fill("Muster Studio")
        page.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
        page.get_by_role("button", name="Save business profile").click()
        expect(page.get_by_text("Business profile saved")).to_be_visible()

        client.reload()
        expect(told).to_have_text("Online payment is not available for this invoice; please pay as shown below.")
        expect(client.locator("#payment-instructions")).to_contain_text("DE89 3704 0044 0532 0130 00")
    finally:
        client.context.close()
