"""Issue 15 (export and reports) in a real browser: the dashboard's list exported exactly as
shown, and the ageing report agreeing with the dashboard's Outstanding."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_screens import NO_SIDEWAYS_SCROLL


def _amount(text: str) -> Decimal:
    """$1,234.50 as shown (en_US) -> Decimal."""
    return Decimal(re.sub(r"[^\d.\-]", "", text))


def _screen_rows(page) -> list[tuple[str, str, Decimal]]:
    rows = []
    for row in page.locator(".invoice-row").all():
        number = row.get_by_role("link").first.inner_text().strip()
        cells = row.locator("td")
        client = cells.nth(0).inner_text().strip()
        amount = _amount(cells.nth(2).locator("span, p").first.inner_text())
        rows.append((number, client, amount))
    return rows


def test_export_the_filtered_list_and_compare_with_the_rows_on_screen(signed_in, app_url, tmp_path):
    page = signed_in
    page.goto(app_url + "/?status=PAID&sort=amount&dir=desc")
    expect(page.get_by_text(re.compile(r"^1–\d+ of [\d,]+$"))).to_be_visible(timeout=30_000)
    expect(page.locator(".invoice-row").first).to_have_attribute("data-status", "PAID")
    shown = _screen_rows(page)
    total = int(page.locator("#range-label").inner_text().rsplit(" of ", 1)[1].replace(",", ""))
    assert shown and total >= len(shown)

    page.get_by_role("button", name="Export CSV").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("CSV encoding")).to_be_visible()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download CSV").click()
    download = info.value
    expect(dialog.get_by_role("status")).to_contain_text(f"Downloading {total:,} invoice")
    path = tmp_path / "invoices.csv"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, the default
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:2] == ["Number", "Client"]
    col = {name: i for i, name in enumerate(header)}
    assert len(rows) == total
    assert {r[col["Status"]] for r in rows} == {"PAID"}
    exported = [(r[col["Number"]], r[col["Client"]], Decimal(r[col["Total"]])) for r in rows[: len(shown)]]
    assert exported == shown  # the same invoices, in the same order, with the same amounts
    assert [Decimal(r[col["Total"]]) for r in rows] == sorted((Decimal(r[col["Total"]]) for r in rows), reverse=True)

    # Plain UTF-8, as chosen: no BOM.
    dialog.get_by_label("CSV encoding").click()
    page.get_by_role("option", name="UTF-8 without BOM").click()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download CSV").click()
    info.value.save_as(tmp_path / "plain.csv")
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"Number,")

    # Opened again after another export (Reports' clients): no word left from that one.
    page.keyboard.press("Escape")
    page.goto(app_url + "/reports")
    with page.expect_download():
        page.get_by_role("button", name="Export clients").click()
    expect(page.get_by_role("status").filter(has_text="Downloading clients")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Export CSV").click()
    expect(page.get_by_role("dialog").get_by_label("CSV encoding")).to_be_visible()
    expect(page.get_by_role("dialog").get_by_text("Downloading clients")).to_have_count(0)


def test_the_ageing_total_equals_the_dashboards_outstanding(signed_in, app_url, tmp_path):
    page = signed_in
    expect(page.locator("#card-outstanding")).to_have_text(re.compile(r"\d"), timeout=30_000)
    outstanding = page.locator("#card-outstanding").inner_text()

    page.get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports**")
    expect(page.get_by_label("Ageing as of")).to_be_visible()
    expect(page.locator("#ageing-total")).to_have_text(outstanding, timeout=30_000)
    ageing = page.locator("#ageing-table")
    expect(ageing.get_by_role("row").last).to_contain_text("Total")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download ageing CSV").click()
    info.value.save_as(tmp_path / "ageing.csv")
    header, *rows = list(csv.reader(io.StringIO((tmp_path / "ageing.csv").read_text("utf-8-sig"))))
    assert header[-1] == "Total" and rows[-1][0] == "Total"
    assert _amount(outstanding.split(" + ")[0]) == Decimal(rows[-1][-1]) or " + " in outstanding
    with page.expect_download() as info:
        page.get_by_role("button", name="Download tax PDF").click()
    info.value.save_as(tmp_path / "tax.pdf")
    assert (tmp_path / "tax.pdf").read_bytes().startswith(b"%PDF")

    # A date far back: nothing issued yet, so nothing owed then.
    page.get_by_label("Ageing as of").fill("2001-01-31")
    page.get_by_role("button", name="Show reports").click()
    page.wait_for_url(re.compile(r".*as_of=2001-01-31.*"))
    expect(page.locator("#ageing-total")).to_have_text("$0.00")


def test_a_backwards_range_is_named_beside_to(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/reports")
    expect(page.locator("#ageing-total")).to_have_text(re.compile(r"\d"), timeout=30_000)
    page.get_by_label("From").fill("2026-12-01")
    page.get_by_label("To", exact=True).fill("2026-11-01")
    page.get_by_role("button", name="Show reports").click()
    expect(page.locator("#report-end-error")).to_have_text("The end date is before the start date")
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Ageing as of")).to_have_attribute("aria-invalid", "false")
    expect(page.locator(".field-error")).to_have_count(1)
    page.get_by_label("To", exact=True).fill("2026-12-31")  # changed: its refusal goes
    expect(page.locator(".field-error")).to_have_count(0)


def test_a_period_with_nothing_in_it_says_so(signed_in, app_url):
    """QA: a period with nothing in it showed bare column headings."""
    page = signed_in
    page.goto(app_url + "/reports")
    expect(page.locator("#ageing-total")).to_have_text(re.compile(r"\d"), timeout=30_000)
    expect(page.locator("#revenue-table-empty")).to_have_count(0)  # the demo month has revenue
    page.get_by_label("From").fill("2001-01-01")
    page.get_by_label("To", exact=True).fill("2001-01-31")
    page.get_by_role("button", name="Show reports").click()
    expect(page.locator("#revenue-table-empty")).to_have_text("Nothing was invoiced, credited or paid in this period.")
    expect(page.locator("#tax-table-empty")).to_have_text("No tax was invoiced, credited or received in this period.")
    expect(page.locator("#revenue-table tbody tr")).to_have_count(0)


@pytest.mark.parametrize("width", [390, 1280])
def test_reports_and_the_export_dialog_fit_the_screen(browser, app_url, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    try:
        sign_in(page, app_url)
        page.get_by_role("button", name="Export CSV").click()
        expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.screenshot(path=tmp_path / f"export-dialog-{width}.png")
        page.goto(app_url + "/reports")
        expect(page).to_have_title("Reports · Invoice CRM")
        expect(page.locator("#tax-table")).to_be_visible(timeout=30_000)
        for name in ("Download ageing CSV", "Download revenue PDF", "Export payments and refunds", "Export clients"):
            expect(page.get_by_role("button", name=name)).to_be_visible()
        for label in ("Ageing as of", "From", "To", "Revenue by", "CSV encoding"):
            expect(page.get_by_label(label, exact=True)).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"/reports scrolls sideways at {width}px"
        # A phone sees the first columns of each report, and is told the rest are a swipe away.
        hints = page.get_by_text("Swipe the table sideways for all its columns")
        if width < 500:
            expect(hints).to_have_count(3)
            for i in range(3):
                expect(hints.nth(i)).to_be_visible()
        else:
            for i in range(hints.count()):
                expect(hints.nth(i)).to_be_hidden()
        page.screenshot(path=tmp_path / f"reports-{width}.png", full_page=True)
    finally:
        context.close()
