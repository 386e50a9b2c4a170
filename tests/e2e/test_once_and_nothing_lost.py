"""Nothing happens twice, nothing is lost, in the running app (started as `make run` does).

Every test makes its own client and invoices (the demo set is shared by the whole suite) and
counts what changed in the app's database and in the fake mail server's inbox. A "double
click" here fires two clicks in the same tick, faster than any re-render can disable the
button, so it is the server that must refuse the second submission."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from contextlib import closing
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import choose, create_client, new_invoice

RESULT_TIMEOUT = 30_000
INVOICE_URL = re.compile(r".*/invoices/(\d+)$")


def _db(app_env, sql: str, *params) -> list[tuple]:
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        return conn.execute(sql, params).fetchall()


def _client_id(app_env, name: str) -> int:
    return _db(app_env, "SELECT id FROM client WHERE name = ?", name)[0][0]


def _invoices_of(app_env, client_id: int) -> list[tuple]:
    return _db(app_env, "SELECT id, number, status FROM invoice WHERE client_id = ? ORDER BY id", client_id)


def _wait_for_location(page: Page, pattern: str) -> str:
    """Wait until the address bar matches ``pattern`` (a client-side navigation included:
    Playwright's page.url can lag behind a router push with a query string)."""
    page.wait_for_function("p => new RegExp(p).test(location.href)", arg=pattern, timeout=30_000)
    return page.evaluate("location.href")


def _double_click(button: Locator) -> None:
    expect(button).to_be_enabled()
    button.focus()  # as a pointer would: the field being typed in loses focus and sends its value
    time.sleep(0.6)
    button.evaluate("b => { b.click(); b.click(); }")


def _fresh_client(page: Page, app_url: str) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Once {tag}", f"once-{tag}@example.test"
    create_client(page, app_url, name, email)
    return name, email


def _open_send_dialog(page: Page) -> None:
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def _mark_sent(page: Page) -> None:
    _open_send_dialog(page)
    page.get_by_role("radio", name=re.compile("^Mark as sent")).click()
    page.get_by_role("button", name="Mark as sent", exact=True).click()
    expect(page.locator("#invoice-status")).to_have_text("Sent")


def _sent_numbers(app_env) -> list[int]:
    year = date.today().year
    rows = _db(app_env, "SELECT number FROM invoice WHERE number LIKE ?", f"INV-{year}-%")
    return sorted(int(n.rsplit("-", 1)[1]) for (n,) in rows)


def test_double_save_and_double_duplicate_make_one_draft_each(page: Page, app_url, app_env):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    client_id = _client_id(app_env, name)

    page.goto(app_url + "/invoices/new")
    choose(page, "#client-select", name)
    line = page.locator(".line-item").first
    line.locator(".line-description input").fill("Once only")
    line.locator(".line-unit-price input").fill("100")
    _double_click(page.get_by_role("button", name="Save draft"))
    first_id = int(INVOICE_URL.match(_wait_for_location(page, r"/invoices/\d+$")).group(1))
    expect(page.locator("#invoice-number")).to_contain_text("Draft D-")
    time.sleep(1.5)  # the second submission has been answered by now
    assert [row[0] for row in _invoices_of(app_env, client_id)] == [first_id]
    expect(page.get_by_text(re.compile(r"^Draft D-\d+ saved$"))).to_have_count(1)  # one save, said once

    # Duplicate opens an unsaved copy; saving it twice over makes one draft.
    _double_click(page.get_by_role("button", name="Duplicate"))
    _wait_for_location(page, rf"/invoices/new\?from={first_id}$")
    expect(page.locator(".line-item").first.locator(".line-description input")).to_have_value("Once only")
    assert len(_invoices_of(app_env, client_id)) == 1  # nothing made by opening the copy
    _double_click(page.get_by_role("button", name="Save draft"))
    copy_url = _wait_for_location(page, rf"/invoices/(?!{first_id}$)\d+$")
    time.sleep(1.5)
    rows = _invoices_of(app_env, client_id)
    assert copy_url.endswith(f"/invoices/{rows[-1][0]}")
    assert len(rows) == 2 and all(number is None for _, number, _ in rows)  # drafts hold no number

    # QA: Back from the saved copy showed the unsaved copy again, and Save made a third draft.
    # The saved copy took the editor's place in the history: Back is the invoice it copied.
    page.go_back()
    _wait_for_location(page, rf"/invoices/{first_id}$")
    assert len(_invoices_of(app_env, client_id)) == 2


def test_a_double_clicked_add_client_in_the_editor_adds_one_client_chosen_and_asks_nothing(
    page: Page, app_url, app_env
):
    page.set_viewport_size({"width": 390, "height": 844})  # as found, on a phone
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    name = f"Sigma {tag}"
    page.goto(app_url + "/invoices/new")
    page.get_by_role("button", name="New", exact=True).click()
    page.get_by_label("New client name").fill(name)
    page.get_by_label("New client email").fill(f"ap-{tag}@sigma.example")
    _double_click(page.get_by_role("button", name="Add client"))
    expect(page.get_by_text(f"Client {name} added")).to_have_count(1, timeout=RESULT_TIMEOUT)
    time.sleep(1.5)  # the second submission has been answered by now
    expect(page.get_by_role("alertdialog")).to_have_count(0)  # no "a similar client exists" about itself
    assert _db(app_env, "SELECT count(*) FROM client WHERE name = ?", name) == [(1,)]
    expect(page.locator("#client-select")).to_contain_text(name)  # chosen in the editor


def test_double_clicked_adds_on_clients_and_projects_add_once_and_say_nothing_more(page: Page, app_url, app_env):
    """The second click of a double click on Add client / Add project is the same intent:
    one row, one "added", no similar-client question and no "Choose a client" about the form
    the first click emptied."""
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    name = f"Omega {tag}"
    page.goto(app_url + "/clients")
    page.get_by_label("Client name").fill(name)
    page.get_by_label("Client email").fill(f"ap-{tag}@omega.example")
    _double_click(page.get_by_role("button", name="Add client"))
    expect(page.get_by_text(f"Client {name} added")).to_have_count(1, timeout=RESULT_TIMEOUT)
    time.sleep(1.5)
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert _db(app_env, "SELECT count(*) FROM client WHERE name = ?", name) == [(1,)]

    page.goto(app_url + "/projects")
    choose(page, "#project-client", name)
    project = f"Launch {tag}"
    page.get_by_label("Project name").fill(project)
    _double_click(page.get_by_role("button", name="Add project"))
    expect(page.get_by_text(f"Project {project} added")).to_have_count(1, timeout=RESULT_TIMEOUT)
    time.sleep(1.5)
    expect(page.locator(".field-error")).to_have_count(0)
    assert _db(app_env, "SELECT count(*) FROM project WHERE name = ?", project) == [(1,)]


def test_deleting_a_draft_and_abandoning_a_duplicate_leave_no_gap(page: Page, app_url, app_env):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    client_id = _client_id(app_env, name)
    before = _sent_numbers(app_env)

    sent_id = new_invoice(page, app_url, name, [("First", "1", "50")])
    _mark_sent(page)

    new_invoice(page, app_url, name, [("Thrown away", "1", "10")])
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("button", name="Delete draft").click()
    _wait_for_location(page, r":\d+/(\?.*)?$")

    page.goto(f"{app_url}/invoices/{sent_id}")
    page.get_by_role("button", name="Duplicate").click()
    _wait_for_location(page, r"/invoices/new\?from=\d+$")
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    page.get_by_role("button", name="Cancel", exact=True).click()
    _wait_for_location(page, r":\d+/(\?.*)?$")

    new_invoice(page, app_url, name, [("Second", "1", "60")])
    _mark_sent(page)

    numbers = [n for _, n, _ in _invoices_of(app_env, client_id)]
    assert len(numbers) == 2 and None not in numbers  # the deleted draft and the copy left nothing
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs[1] == seqs[0] + 1
    after = _sent_numbers(app_env)
    assert after == list(range(1, len(after) + 1)) and len(after) == len(before) + 2  # no gap anywhere


def test_double_clicks_on_send_payment_and_reminder_change_and_email_once(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    name, email = _fresh_client(page, app_url)
    client_id = _client_id(app_env, name)
    invoice_id = new_invoice(
        page, app_url, name, [("Work", "2", "75")], issue=date.today() - timedelta(days=3), due=date.today() + timedelta(days=11),
    )

    _open_send_dialog(page)
    expect(page.locator("#send-recipient")).to_have_value(email)
    _double_click(page.get_by_role("button", name="Send email"))
    expect(page.locator("#invoice-status")).to_have_text("Sent")
    expect(page.locator(".email-row[data-status=DONE]")).to_have_count(1, timeout=RESULT_TIMEOUT)
    time.sleep(2)
    assert len(fake_smtp.messages_to(email)) == 1
    assert _db(app_env, "SELECT count(*) FROM email_message WHERE invoice_id = ?", invoice_id) == [(1,)]
    assert _db(app_env, "SELECT count(*) FROM invoice_event WHERE invoice_id = ? AND kind = 'sent'", invoice_id) == [(1,)]

    page.get_by_role("button", name="Send reminder").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    _double_click(page.get_by_role("dialog").get_by_role("button", name="Send reminder"))
    expect(page.locator(".email-row[data-status=DONE]")).to_have_count(2, timeout=RESULT_TIMEOUT)
    time.sleep(2)
    assert len(fake_smtp.messages_to(email)) == 2
    assert _db(app_env, "SELECT count(*) FROM email_message WHERE invoice_id = ?", invoice_id) == [(2,)]

    page.get_by_role("button", name="Record payment").click()
    _double_click(page.get_by_role("dialog").get_by_role("button", name="Save payment"))
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    time.sleep(1.5)
    assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(1,)]
    assert _invoices_of(app_env, client_id)[0][2] == "PAID"


def test_a_save_from_a_second_tab_on_an_older_version_is_refused_and_nothing_is_lost(page: Page, app_url, app_env):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    invoice_id = new_invoice(page, app_url, name, [("Original", "1", "10")])
    other = page.context.new_page()
    try:
        for tab in (page, other):
            tab.goto(f"{app_url}/invoices/{invoice_id}/edit")
            expect(tab.locator(".line-item").first.locator(".line-description input")).to_have_value("Original")

        page.locator(".line-item").first.locator(".line-description input").fill("Saved in tab one")
        page.get_by_role("button", name="Save draft").click()
        _wait_for_location(page, rf"/invoices/{invoice_id}$")

        typed = other.locator(".line-item").first.locator(".line-description input")
        typed.fill("Typed in tab two")
        other.get_by_role("button", name="Save draft").click()
        notice = other.locator("#conflict-notice")
        expect(notice).to_contain_text("This draft was changed in another tab or window")
        expect(notice).to_have_attribute("role", "alert")
        expect(typed).to_have_value("Typed in tab two")  # what tab two typed is still there
        assert other.url.endswith("/edit")
        assert _db(app_env, "SELECT description FROM line_item WHERE invoice_id = ?", invoice_id) == [("Saved in tab one",)]

        other.get_by_role("button", name="Reload").click()
        expect(typed).to_have_value("Saved in tab one")
        expect(notice).to_have_count(0)
    finally:
        other.close()


def test_sending_a_past_due_draft_warns_and_moves_the_due_date(page: Page, app_url, app_env):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    today = date.today()
    invoice_id = new_invoice(
        page, app_url, name, [("Late work", "1", "90")], issue=today - timedelta(days=40), due=today - timedelta(days=10),
    )
    _open_send_dialog(page)
    warning = page.locator("#past-due-warning")
    expect(warning).to_contain_text(re.compile(r"The due date .+ has passed"))
    moved = (today + timedelta(days=30)).isoformat()  # today plus the draft's own terms (Net 30)
    move = page.get_by_role("radio", name=re.compile("^Move the due date to"))
    expect(move).to_be_checked()
    page.get_by_role("radio", name=re.compile("^Mark as sent")).click()
    page.get_by_role("button", name="Mark as sent", exact=True).click()
    expect(page.locator("#invoice-status")).to_have_text("Sent")
    expect(page.locator("#countdown")).to_have_text("due in 30 days")
    assert _db(app_env, "SELECT status, due_date FROM invoice WHERE id = ?", invoice_id) == [("SENT", moved)]


def test_payment_dates_before_issue_or_in_the_future_are_refused_beside_the_field(page: Page, app_url, app_env):
    sign_in(page, app_url)
    name, _ = _fresh_client(page, app_url)
    today = date.today()
    issued = today - timedelta(days=5)
    invoice_id = new_invoice(page, app_url, name, [("Work", "1", "40")], issue=issued, due=today + timedelta(days=9))
    _mark_sent(page)

    page.get_by_role("button", name="Record payment").click()
    field = page.get_by_label("Payment date")
    dialog = page.get_by_role("dialog")
    for bad, words in ((issued - timedelta(days=1), "before the invoice's issue date"), (today + timedelta(days=1), "in the future")):
        field.fill(bad.isoformat())
        dialog.get_by_role("button", name="Save payment").click()
        expect(dialog.locator(".field-error")).to_contain_text(words)
        assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(0,)]
    field.fill(issued.isoformat())
    dialog.get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid")


def test_sample_data_is_marked_and_removable(page: Page, app_url, app_env):
    """LOAD_DEMO_DATA=true loaded the sample set without asking; the banner says it is sample.
    (Removing it is covered by tests/integration/test_nothing_lost.py: the suite shares it.)"""
    sign_in(page, app_url)
    banner = page.locator("#sample-banner")
    expect(banner).to_contain_text("sample data")
    expect(banner.get_by_role("button", name="Remove sample data")).to_be_visible()
    expect(page.locator("#start-choice")).to_have_count(0)
    assert _db(app_env, "SELECT count(*) FROM invoice WHERE is_sample = 1")[0][0] == 20
