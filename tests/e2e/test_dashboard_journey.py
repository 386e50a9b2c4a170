"""Issue 3's journey: the freelancer's whole day, in a real browser."""

import sqlite3
from contextlib import closing
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.pages import choose, create_client, fill_line, invoice_status, new_invoice, send_invoice


def test_draft_to_sent_to_overdue_to_paid(signed_in, app_url):
    page = signed_in
    create_client(page, app_url, "Journey Studio", "pay@journey.example")

    # Three lines; the total updates as the user types.
    page.goto(app_url + "/invoices/new")
    choose(page, "#client-select", "Journey Studio")
    fill_line(page, 0, "Discovery workshop", "2", "150.00")
    expect(page.locator(".line-total").nth(0)).to_have_text("$300.00")
    page.locator("#add-line").click()
    fill_line(page, 1, "Design hours", "12.5", "80")
    page.locator("#add-line").click()
    fill_line(page, 2, "Hosting", "1", "19.99")
    expect(page.locator("#invoice-total")).to_have_text("$1,319.99")
    page.locator("#net-30").click()
    page.locator("#save-draft").click()
    page.wait_for_url("**/invoices/*")
    expect(page.locator("#invoice-amount")).to_have_text("$1,319.99")
    assert invoice_status(page) == "DRAFT"
    expect(page.locator("#invoice-number")).to_contain_text("Draft D-")  # numbered when sent

    # Edit a line of the draft.
    page.locator("#edit-invoice").click()
    expect(page.locator(".line-item")).to_have_count(3)
    page.locator(".line-item").nth(1).locator(".line-quantity input").fill("10")
    expect(page.locator("#invoice-total")).to_have_text("$1,119.99")
    page.locator("#save-draft").click()
    expect(page.locator("#invoice-amount")).to_have_text("$1,119.99")

    # Send: the invoice is Sent and shows so in the list.
    send_invoice(page)
    expect(page.locator("#invoice-status")).to_have_text("Sent")
    expect(page.locator(".timeline-event", has_text="sent")).to_be_visible()
    number = page.locator("#invoice-number").inner_text()
    page.goto(app_url + "/")
    page.locator("#invoice-search").fill(number)
    row = page.locator(".invoice-row", has_text=number)
    expect(row).to_have_count(1)
    expect(row.locator(".status-badge")).to_have_text("Sent")

    # A sent invoice's lines cannot be edited.
    row.get_by_role("link", name=number).click()
    page.wait_for_url("**/invoices/*")
    sent_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#edit-invoice")).to_have_count(0)
    page.goto(f"{app_url}/invoices/{sent_id}/edit")
    expect(page.locator("#read-only-notice")).to_contain_text("only drafts can be edited")
    expect(page.locator(".line-quantity")).to_have_count(0)
    expect(page.locator("#save-draft")).to_have_count(0)

    # One invoice with a due date in the past becomes overdue: banner and filter.
    today = date.today()
    invoice_id = new_invoice(
        page, app_url, "Journey Studio", [("Late work", "3", "100")],
        issue=today - timedelta(days=40), due=today - timedelta(days=10),
    )
    send_invoice(page, keep_past_due=True)
    expect(page.locator("#invoice-status")).to_have_text("Overdue")
    late_number = page.locator("#invoice-number").inner_text()
    page.goto(app_url + "/")
    expect(page.locator("#overdue-banner")).to_be_visible()
    page.locator("#overdue-link").click()
    page.wait_for_url("**/?status=OVERDUE")
    expect(page.locator(".invoice-row", has_text=late_number)).to_be_visible()
    expect(page.locator(".invoice-row:not([data-status=OVERDUE])")).to_have_count(0)

    # Mark it paid with a date and a reference.
    page.goto(f"{app_url}/invoices/{invoice_id}")
    page.locator("#mark-paid").click()
    paid = today - timedelta(days=2)
    page.locator("#paid-on").fill(paid.isoformat())
    page.locator("#payment-reference").fill("BANK-7731")
    page.locator("#confirm-paid").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    expect(page.locator("#invoice-paid-at")).to_have_text(f"{paid:%b} {paid.day}, {paid.year}")  # en_US
    expect(page.locator(".payment-reference")).to_have_text("BANK-7731")
    expect(page.locator(".timeline-event", has_text="BANK-7731")).to_be_visible()
    expect(page.locator(".timeline-event", has_text="overdue")).to_be_visible()


def test_validation_errors_appear_beside_the_field_and_nothing_is_saved(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/invoices/new")
    expect(page.locator("#save-draft")).to_be_visible()
    fill_line(page, 0, "Bad line", "-3", "abc")
    line = page.locator(".line-item").first
    expect(line.locator(".field-error")).to_have_count(2)
    expect(line).to_contain_text("Quantity must be between 0.001 and 100000")
    expect(line).to_contain_text("Unit price must be a number")
    page.locator("#save-draft").click()
    expect(page.locator(".field-error", has_text="Choose a client")).to_be_visible()
    assert "/invoices/new" in page.url  # still on the editor: nothing was saved


def test_search_filter_and_sort(signed_in, app_url):
    page = signed_in
    page.goto(app_url + "/")
    rows = page.locator(".invoice-row")
    expect(rows.first).to_be_visible()
    page.locator("#invoice-search").fill("Acme")
    expect(page.locator(".invoice-row:not(:has-text('Acme'))")).to_have_count(0)
    expect(rows.first).to_contain_text("Acme")

    choose(page, "#status-filter", "PAID")
    expect(page.locator(".invoice-row:not([data-status=PAID])")).to_have_count(0)
    expect(rows.first).to_be_visible()

    choose(page, "#status-filter", "ALL")
    page.locator("#invoice-search").fill("")
    choose(page, "#sort-select", "Amount")
    expect(page.locator("#range-label")).to_contain_text("1–")

    def amounts():
        texts = page.locator(".invoice-row td:nth-child(4)").all_inner_texts()
        return [float(t.replace("$", "").replace(",", "")) for t in texts]

    page.wait_for_function(
        "() => { const c = [...document.querySelectorAll('.invoice-row td:nth-child(4)')].map(e => parseFloat(e.innerText.replace(/[$,]/g, ''))); return c.length > 1 && c.every((v, i) => i === 0 || c[i-1] >= v); }"
    )
    values = amounts()
    assert values == sorted(values, reverse=True)
    # A screen reader hears it too: the Amount column is the one sorted, largest first.
    expect(page.get_by_role("columnheader", name="Amount")).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("columnheader", name="Due")).to_have_attribute("aria-sort", "none")

    page.locator("#invoice-search").fill("no such invoice anywhere")
    expect(rows).to_have_count(0)
    expect(page.get_by_text("No invoices match.")).to_be_visible()


def test_the_lists_controls_put_it_in_the_url_and_back_and_reload_keep_it(signed_in, app_url):
    """A filter or a sort changes the tab's URL (a new history entry): Back and Forward walk
    through the lists shown, and a reload shows the list its URL names."""
    page = signed_in
    page.goto(app_url + "/")
    others = page.locator(".invoice-row:not([data-status=PAID])")
    expect(others.first).to_be_visible()

    choose(page, "#status-filter", "PAID")
    page.wait_for_url("**/?status=PAID*")
    expect(others).to_have_count(0)
    choose(page, "#sort-select", "Amount")
    page.wait_for_url("**/?status=PAID&sort=amount*")

    page.go_back()
    page.wait_for_url("**/?status=PAID&sort=current*")
    expect(page.locator("#sort-select")).to_have_text("Current work")
    expect(others).to_have_count(0)
    page.go_back()
    expect(others.first).to_be_visible()  # all statuses again
    assert "status=" not in page.url
    page.go_forward()
    page.wait_for_url("**/?status=PAID*")
    expect(others).to_have_count(0)
    page.reload()
    expect(page.locator(".invoice-row").first).to_be_visible()
    expect(others).to_have_count(0)
    assert "status=PAID" in page.url


def _seed_void_invoices(app_env, count: int) -> None:
    """``count`` void invoices of one client, written to the app's database as an import of
    old, cancelled invoices would leave them (void: they change no total, card or report).
    ``_remove_void_invoices`` takes them away again: the newest rows of the list, they would
    push the demo invoices off other tests' first page."""
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        if conn.execute("SELECT count(*) FROM client WHERE company = 'Pager Void Co'").fetchone()[0]:
            return
        client_id = conn.execute(
            "INSERT INTO client (name, email, company, address, is_sample, tax_number, created_at) "
            "VALUES ('Pager Void Client', 'void@pager.example', 'Pager Void Co', '', 0, '', "
            "'2019-01-01 00:00:00.000000')"
        ).lastrowid
        conn.executemany(
            "INSERT INTO invoice (number, client_id, amount, currency, status, issue_date, due_date, notes, "
            "public_token, sheet_sync_status, sheet_sync_error, created_at, updated_at, voided_at, void_reason) "
            "VALUES (?, ?, 10000, 'USD', 'VOID', ?, ?, '', ?, 'OFF', '', ?, ?, ?, 'Cancelled')",
            [
                (f"PGV-{n:03d}", client_id, f"2019-02-{n:02d}", f"2019-03-{n:02d}", f"pager-void-{n:03d}",
                 f"2019-02-{n:02d} 09:00:00.000000", f"2019-02-{n:02d} 09:00:00.000000",
                 f"2019-02-{n:02d} 10:00:00.000000")
                for n in range(1, count + 1)
            ],
        )
        conn.commit()


def _remove_void_invoices(app_env) -> None:
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        conn.execute("DELETE FROM invoice WHERE client_id IN (SELECT id FROM client WHERE company = 'Pager Void Co')")
        conn.execute("DELETE FROM client WHERE company = 'Pager Void Co'")
        conn.commit()


def test_first_and_last_page_are_one_click_away(signed_in, app_url, app_env):
    """Years of invoices are thousands of pages: First page and Last page jump to either end."""
    _seed_void_invoices(app_env, 28)
    try:
        _first_and_last(signed_in, app_url)
    finally:
        _remove_void_invoices(app_env)


def _first_and_last(page, app_url) -> None:
    page.goto(app_url + "/?q=Pager+Void")
    label = page.locator("#range-label")
    expect(label).to_have_text("1–25 of 28")
    first, last = page.get_by_role("button", name="First page"), page.get_by_role("button", name="Last page")
    expect(first).to_be_disabled()

    last.click()
    expect(label).to_have_text("26–28 of 28")
    expect(page.locator("#page-label")).to_have_text("Page 2 of 2")
    expect(page.locator(".invoice-row")).to_have_count(3)
    expect(last).to_be_disabled()
    page.wait_for_function("() => location.search.includes('page=2')")

    first.click()
    expect(label).to_have_text("1–25 of 28")
    expect(first).to_be_disabled()
    expect(last).to_be_enabled()
