"""The invoice page's Email receipt button and money dialogs in the browser: a double click
sends one receipt, an emptied payment date is refused beside its field, and the credit note
dialog shows each line's credit and the total before issuing (on a phone's width too).

Set INVOICE_DIALOG_SHOTS to a folder to keep screenshots of the dialogs at 390 px."""

from __future__ import annotations

import os
import re
import sqlite3
import time
import uuid
from contextlib import closing
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in
from tests.e2e.pages import create_client, new_invoice

pytestmark = pytest.mark.e2e
RESULT_TIMEOUT = 30_000


def _db(app_env, sql: str, *params) -> list[tuple]:
    path = app_env["DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        return conn.execute(sql, params).fetchall()


def _receipts(app_env, invoice_id: int) -> int:
    return _db(app_env, "SELECT count(*) FROM email_message WHERE invoice_id = ? AND kind = 'receipt'", invoice_id)[0][0]


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("INVOICE_DIALOG_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _sent_invoice(page: Page, app_url: str, lines) -> tuple[int, str]:
    tag = uuid.uuid4().hex[:8]
    name, email = f"Dialogs {tag}", f"dialogs-{tag}@example.test"
    create_client(page, app_url, name, email)
    invoice_id = new_invoice(page, app_url, name, lines, issue=date.today() - timedelta(days=3), due=date.today() + timedelta(days=11))
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Send email").click()
    expect(page.locator("#invoice-status")).to_have_text("Sent")
    return invoice_id, email


def _dialog_on_sent_invoice(page: Page, app_url: str, lines, button: str) -> tuple[int, Locator]:
    """Signed in, a sent invoice of ``lines``, and the dialog its ``button`` opens."""
    sign_in(page, app_url)
    invoice_id, _ = _sent_invoice(page, app_url, lines)
    page.get_by_role("button", name=button).click()
    return invoice_id, page.get_by_role("dialog")


def _two_clicks_at_once(button: Locator) -> None:
    """Two clicks before any answer, as the browser's guard does not see them (detail 1 each)."""
    expect(button).to_be_enabled()
    time.sleep(0.6)
    button.evaluate("b => { b.click(); b.click(); }")


def test_a_double_clicked_email_receipt_sends_one_receipt(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    invoice_id, email = _sent_invoice(page, app_url, [("Work", "2", "75")])
    page.get_by_role("button", name="Record payment").click()
    page.get_by_role("dialog").get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    time.sleep(1)
    before = _receipts(app_env, invoice_id)  # the payment's own receipt (its option is on by default)

    button = page.get_by_role("button", name="Email receipt")
    expect(button).to_be_enabled()
    time.sleep(0.6)
    button.dblclick()
    expect(page.get_by_text(f"Receipt queued for {email}").first).to_be_visible(timeout=RESULT_TIMEOUT)
    time.sleep(2)
    assert _receipts(app_env, invoice_id) == before + 1
    # Both clicks reaching the server before the first is answered: still one (the key).
    _two_clicks_at_once(button)
    time.sleep(2.5)
    assert _receipts(app_env, invoice_id) == before + 2  # a new intent after the first was answered: one more


def test_an_emptied_payment_date_is_refused_beside_the_field(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    page.set_viewport_size({"width": 390, "height": 844})
    invoice_id, _ = _sent_invoice(page, app_url, [("Work", "1", "40")])
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Payment date").fill("")
    dialog.get_by_role("button", name="Save payment").click()
    expect(dialog.locator("#paid-on-error")).to_have_text("Payment date is required")
    _shot(page, "pay_date_required_390")
    assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(0,)]


def test_the_credit_note_dialog_shows_each_line_and_the_total_to_credit(page: Page, app_url, fake_smtp):
    sign_in(page, app_url)
    page.set_viewport_size({"width": 390, "height": 844})
    _sent_invoice(page, app_url, [("Design", "1", "100"), ("Build", "3", "33.33")])
    page.get_by_role("button", name="Credit note").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".credit-line-amount")).to_have_text(["$100.00", "$99.99"])
    dialog.get_by_role("checkbox", name="Design").click()
    expect(dialog.locator("#credit-total")).to_have_text("$100.00")
    dialog.get_by_role("checkbox", name="Build").click()
    expect(dialog.locator("#credit-total")).to_have_text("$199.99")
    expect(dialog.get_by_text("Total to credit")).to_be_visible()
    _shot(page, "credit_by_lines_390")
    dialog.get_by_label("Reason").fill("Cancelled")
    dialog.get_by_role("button", name="Issue credit note").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".credit-note-row")).to_contain_text("$199.99")  # what was shown was issued


def test_a_line_credited_is_shown_so_and_cannot_be_ticked_again(page: Page, app_url, app_env, fake_smtp):
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Design", "1", "100"), ("Travel", "1", "117.58")], "Credit note")
    dialog.get_by_role("checkbox", name="Travel").click()
    expect(dialog.locator("#credit-total")).to_have_text("$117.58")
    dialog.get_by_role("button", name="Issue credit note").click()
    expect(dialog).to_be_hidden()
    [(number,)] = _db(app_env, "SELECT number FROM credit_note WHERE invoice_id = ?", invoice_id)
    page.get_by_role("button", name="Credit note").click()  # opened again
    expect(dialog.locator(".credit-line-amount")).to_have_text(["$100.00", f"Credited ({number})"])
    expect(dialog.get_by_role("checkbox", name="Travel")).to_be_disabled()
    expect(dialog.get_by_role("checkbox", name="Design")).to_be_enabled()
    _shot(page, "credit_line_credited")


def test_the_refund_dialog_prefills_what_is_left_and_refuses_beside_the_amount(page: Page, app_url, app_env, fake_smtp):
    sign_in(page, app_url)
    page.set_viewport_size({"width": 390, "height": 844})
    invoice_id, _ = _sent_invoice(page, app_url, [("Work", "1", "100")])
    page.get_by_role("button", name="Record payment").click()
    page.get_by_role("dialog").get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    page.get_by_role("button", name="Credit note").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Credit amount").fill("42.50")
    dialog.get_by_role("button", name="Issue credit note").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Record refund of $42.50").click()
    amount = dialog.get_by_label("Refund amount")
    expect(amount).to_have_value("42.50")
    amount.fill("50")
    dialog.get_by_role("button", name="Save refund").click()
    expect(dialog.locator("#refund-amount-error")).to_contain_text("at most $42.50")
    _shot(page, "refund_error_390")
    amount.fill("42.50")
    dialog.get_by_role("button", name="Save refund").click()
    expect(dialog).to_be_hidden()
    assert _db(app_env, "SELECT count(*) FROM refund WHERE invoice_id = ?", invoice_id) == [(1,)]


def test_enter_in_amount_records_the_payment_once(page: Page, app_url, app_env, fake_smtp):
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Work", "1", "100")], "Record payment")
    amount = dialog.get_by_label("Amount")
    amount.fill("30")
    # A double Enter before any answer: one payment (the dialog's key), as for a double click.
    amount.evaluate("""input => {
        for (let i = 0; i < 2; i++) input.form.requestSubmit();
    }""")
    expect(dialog).to_be_hidden(timeout=RESULT_TIMEOUT)
    expect(page.locator("#invoice-status")).to_have_text("Partially paid")
    time.sleep(1.5)
    assert len(_db(app_env, "SELECT id FROM payment WHERE invoice_id = ?", invoice_id)) == 1

    # Enter pressed in the field, then at once a click on Save: one more payment, not two.
    page.get_by_role("button", name="Record payment").click()
    amount = dialog.get_by_label("Amount")
    amount.fill("20")
    amount.press("Enter")
    page.evaluate("() => { const b = document.getElementById('confirm-paid'); if (b) b.click(); }")
    expect(dialog).to_be_hidden(timeout=RESULT_TIMEOUT)
    time.sleep(1.5)
    assert len(_db(app_env, "SELECT id FROM payment WHERE invoice_id = ?", invoice_id)) == 2
    expect(page.locator("#invoice-balance")).to_have_text("$50.00")


def test_enter_in_the_credit_note_reason_issues_it(page: Page, app_url, app_env, fake_smtp):
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Work", "1", "100")], "Credit note")
    dialog.get_by_label("Credit amount").fill("10")
    dialog.get_by_label("Reason").fill("kb")
    dialog.get_by_label("Reason").press("Enter")
    expect(dialog).to_be_hidden(timeout=RESULT_TIMEOUT)
    expect(page.locator(".credit-note-row")).to_contain_text("$10.00")
    assert len(_db(app_env, "SELECT id FROM credit_note WHERE invoice_id = ?", invoice_id)) == 1


def test_enter_with_an_error_keeps_the_dialog_and_says_it_beside_the_field(page: Page, app_url, app_env, fake_smtp):
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Work", "1", "40")], "Record payment")
    dialog.get_by_label("Payment date").fill("")
    dialog.get_by_label("Reference").press("Enter")
    expect(dialog.locator("#paid-on-error")).to_have_text("Payment date is required")
    expect(dialog.get_by_label("Reference")).to_be_visible()
    assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(0,)]


def test_an_invoice_credited_in_full_says_credited_on_its_page_and_its_pay_page(page: Page, app_url, app_env, fake_smtp):
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Design", "1", "1500"), ("Build", "1", "592.50")], "Credit note")
    dialog.get_by_role("checkbox", name="Design").click()
    dialog.get_by_role("checkbox", name="Build").click()
    expect(dialog.locator("#credit-total")).to_have_text("$2,092.50")
    dialog.get_by_label("Reason").fill("Project cancelled")
    dialog.get_by_role("button", name="Issue credit note").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#invoice-status")).to_have_text("Credited")
    expect(page.get_by_text("Credited", exact=True).last).to_be_visible()
    expect(page.get_by_role("button", name="Email receipt")).to_have_count(0)
    _shot(page, "credited_in_full_invoice")

    [(token,)] = _db(app_env, "SELECT public_token FROM invoice WHERE id = ?", invoice_id)
    page.goto(f"{app_url}/pay/{token}")
    expect(page.locator("#credited-notice")).to_contain_text("credited in full")
    expect(page.locator("#credited-notice")).to_contain_text("there is nothing to pay")
    expect(page.locator("#pay-invoice-status")).to_have_text("Credited")
    expect(page.locator("#paid-notice")).to_have_count(0)
    expect(page.get_by_role("button", name="Download receipt")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Pay "))).to_have_count(0)
    _shot(page, "credited_in_full_pay_page")


def test_a_dialog_left_open_does_not_reopen_on_the_next_invoice(page: Page, app_url, app_env, fake_smtp):
    """Void opened on one invoice, then Back and another invoice from the list: the next
    invoice shows no dialog (it used to open by itself there, with the first one's reason,
    so Enter voided the wrong invoice). A reload does not bring back a dialog either."""
    sign_in(page, app_url)
    tag = uuid.uuid4().hex[:8]
    name = f"Carried {tag}"
    create_client(page, app_url, name, f"carried-{tag}@example.test")
    numbers = []
    for price in ("100", "200"):
        new_invoice(page, app_url, name, [("Work", "1", price)], due=date.today() + timedelta(days=14))
        page.locator("#send-invoice").click()
        page.locator("#method-mark").click()
        page.locator("#send-confirm").click()
        expect(page.locator("#invoice-status")).to_have_text("Sent")
        numbers.append(page.locator("#invoice-number").inner_text().strip())
    first, second = numbers

    page.goto(app_url + "/?q=" + tag)
    page.get_by_role("link", name=first, exact=True).click()
    expect(page.locator("#invoice-number")).to_have_text(first)
    page.get_by_role("button", name="Void", exact=True).click()
    page.get_by_role("dialog").get_by_label("Reason for voiding").fill("Typed on the first")

    page.go_back()
    page.get_by_role("link", name=second, exact=True).click()
    expect(page.locator("#invoice-number")).to_have_text(second)
    expect(page.locator("#invoice-amount")).to_have_text("$200.00")
    time.sleep(1.5)  # what on_load would have left open has had time to show
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.reload()
    expect(page.locator("#invoice-number")).to_have_text(second)
    time.sleep(1.5)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert _db(app_env, "SELECT count(*) FROM invoice WHERE void_reason = ?", "Typed on the first") == [(0,)]

    # The buttons outside a form name the invoice they are drawn for too, and act.
    page.get_by_role("button", name="Void", exact=True).click()
    page.get_by_role("dialog").get_by_label("Reason for voiding").fill("Re-issue")
    page.get_by_role("button", name="Void and duplicate as draft").click()
    page.wait_for_url(re.compile(r".*/invoices/\d+/edit$"))
    copy_id = int(page.url.rsplit("/", 2)[1])
    page.goto(f"{app_url}/invoices/{copy_id}")
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete draft").click()
    page.wait_for_url(app_url + "/")
    assert _db(app_env, "SELECT status FROM invoice WHERE void_reason = ?", "Re-issue") == [("VOID",)]
    assert _db(app_env, "SELECT count(*) FROM invoice WHERE id = ?", copy_id) == [(0,)]


def test_a_part_payment_by_hand_does_not_warn_that_the_client_cannot_pay_online(page: Page, app_url, fake_smtp):
    """The Checkout link made for the old balance is dropped; Pay makes one for the new
    balance, so there is no warning, only a grey line saying so."""
    sign_in(page, app_url)
    _sent_invoice(page, app_url, [("Work", "1", "200")])
    expect(page.locator("#payment-link-missing")).to_have_count(0)
    page.get_by_role("button", name="Record payment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Amount").fill("50")
    dialog.get_by_role("button", name="Save payment").click()
    expect(page.locator("#invoice-balance")).to_have_text("$150.00")
    expect(page.locator("#payment-link-at-pay")).to_be_visible()
    expect(page.locator("#payment-link-missing")).to_have_count(0)
    _shot(page, "part_payment_note_1280")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "part_payment_note_390")


def test_closing_a_dialog_gives_focus_back_to_the_button_that_opened_it(page: Page, app_url, fake_smtp):
    """Keyboard only: a dialog opened by Enter on its button, closed by Escape, by Cancel and by
    its confirm, leaves focus on that button (not on the page's <body>), so Tab goes on from there."""
    sign_in(page, app_url)
    _sent_invoice(page, app_url, [("Work", "1", "100")])
    dialog = page.get_by_role("dialog")

    def escape_gives_focus_back(opener: Locator) -> None:
        opener.focus()
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(opener).to_be_focused(timeout=RESULT_TIMEOUT)

    opener = page.get_by_role("button", name="Record payment")
    escape_gives_focus_back(opener)
    page.keyboard.press("Enter")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused(timeout=RESULT_TIMEOUT)

    page.keyboard.press("Enter")
    dialog.get_by_label("Amount").fill("30")
    dialog.get_by_label("Amount").press("Enter")
    expect(dialog).to_be_hidden(timeout=RESULT_TIMEOUT)
    expect(page.locator("#invoice-status")).to_have_text("Partially paid")
    expect(opener).to_be_focused(timeout=RESULT_TIMEOUT)

    # The Send dialog, opened from the state by "Send reminder".
    escape_gives_focus_back(page.get_by_role("button", name="Send reminder"))


def test_a_click_outside_a_dialog_keeps_what_was_typed_and_escape_still_closes_it(page: Page, app_url, app_env, fake_smtp):
    """A slip of the mouse beside the payment dialog closed it, and the amount and reference
    typed were gone: the dialog stays, with them; Escape (or Cancel) is how it closes."""
    invoice_id, dialog = _dialog_on_sent_invoice(page, app_url, [("Work", "1", "40")], "Record payment")
    dialog.get_by_label("Amount").fill("15.00")
    dialog.get_by_label("Reference").fill("Bank transfer 4471")
    page.mouse.click(5, 5)  # the page behind, above the dialog's overlay
    time.sleep(0.5)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Amount")).to_have_value("15.00")
    expect(dialog.get_by_label("Reference")).to_have_value("Bank transfer 4471")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _db(app_env, "SELECT count(*) FROM payment WHERE invoice_id = ?", invoice_id) == [(0,)]

    page.get_by_role("button", name="Send reminder").click()
    send = page.get_by_role("dialog")
    send.get_by_label("Message").fill("A word of my own")
    page.mouse.click(5, 5)
    time.sleep(0.5)
    expect(send.get_by_label("Message")).to_have_value("A word of my own")
    send.get_by_role("button", name="Cancel").click()
    expect(send).to_be_hidden()
