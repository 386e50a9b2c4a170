"""/invoices/[invoice_id] — one invoice: header, lines, totals, actions, activity."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import status_badge, sync_badge
from invoice_crm.components.email_delivery import (
    emails_card,
    pdf_button,
    reminder_button,
    send_button,
    send_dialog,
)
from invoice_crm.components.layout import card, layout, link_button, loading_block
from invoice_crm.components.ledger import (
    breakdown_table,
    credit_note_dialog,
    credit_notes_card,
    payments_card,
    record_payment_dialog,
    void_dialog,
)
from invoice_crm.components.line_items import line_items_table
from invoice_crm.components.payment_notices import checkout_return_notice, payment_link_notice
from invoice_crm.components.receipt import receipt_button
from invoice_crm.components.reminders import invoice_reminders_card
from invoice_crm.components.timeline import timeline
from invoice_crm.state.dashboard import DashboardState
from invoice_crm.state.invoice_page import InvoicePageState as S


def _fact(label: str, value, test_id: str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", id=test_id or None, **props),
        spacing="0",
        min_width="120px",
    )


def _header() -> rx.Component:
    inv = S.invoice
    return card(
        rx.vstack(
            rx.hstack(
                rx.heading(inv["number"], size="7", id="invoice-number"),
                rx.box(status_badge(inv["badge"]), id="invoice-status"),
                rx.cond(inv["imported"] != "", rx.badge(inv["imported"], color_scheme="gray", variant="outline", id="invoice-imported")),
                rx.cond(inv["countdown"] != "", rx.text(inv["countdown"], size="2", color_scheme=rx.cond(inv["status"] == "OVERDUE", "red", "gray"), id="countdown")),
                rx.spacer(),
                rx.vstack(
                    rx.text(inv["amount"], size="7", weight="bold", id="invoice-amount"),
                    rx.cond(
                        (inv["status"] == "SENT") | (inv["status"] == "OVERDUE"),
                        rx.text("Balance due ", rx.text.strong(inv["balance"], id="invoice-balance"), size="2"),
                    ),
                    align="end",
                    spacing="1",
                ),
                wrap="wrap",
                align="center",
                width="100%",
            ),
            rx.flex(
                _fact("Client", inv["client"], "invoice-client"),
                _fact("Project", rx.cond(inv["project"] != "", inv["project"], "—")),
                _fact("Issued", inv["issue_date"]),
                _fact("Due", rx.cond(inv["due_date"] != "", inv["due_date"], "—"), "invoice-due"),
                rx.cond(S.expected_pay != "", _fact("Expected payment", S.expected_pay, "invoice-expected-pay",
                                                    color_scheme=rx.cond(S.expected_late, "amber", "gray"))),
                _fact("Sent", rx.cond(inv["sent_at"] != "", inv["sent_at"], "—")),
                # Settled by credit notes alone: the day it was credited, not "paid".
                _fact(rx.cond(inv["credited"] == "yes", "Credited", "Paid"), rx.cond(inv["paid_at"] != "", inv["paid_at"], "—"),
                      "invoice-paid-at"),
                rx.cond(~S.is_draft, _fact("Viewed by the client", rx.cond(inv["viewed"] != "", inv["viewed"], "Not yet"), "invoice-viewed")),
                rx.cond(  # with sync off, the dashboard says so once; no badge here
                    inv["sync"] != "OFF",
                    rx.vstack(
                        rx.text("Sheet", size="1", color_scheme="gray"),
                        rx.box(sync_badge(inv["sync"], inv["sync_error"]), id="invoice-sync"),
                        rx.cond(inv["sync_error"] != "", rx.text(inv["sync_error"], size="1", color_scheme="red", max_width="360px", id="invoice-sync-error")),
                        spacing="0",
                    ),
                ),
                gap="1.5em",
                wrap="wrap",
            ),
            width="100%",
            spacing="4",
        )
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=16), "Delete", color_scheme="red", variant="soft",
                                          on_click=S.open_delete, id="delete-draft")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this draft?"),
            rx.alert_dialog.description("The draft and its lines are removed. This cannot be undone.", size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete draft", color_scheme="red", on_click=S.delete({"invoice_id": S.invoice["id"]}), id="confirm-delete")),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.is_draft,
            rx.fragment(
                send_button(),
                link_button(rx.icon("pencil", size=16), "Edit", variant="soft", id="edit-invoice", href="/invoices/" + S.invoice["id"] + "/edit"),
            ),
        ),
        rx.cond(S.can_mark_paid, record_payment_dialog(S)),
        rx.cond(S.can_mark_paid, reminder_button()),
        rx.cond(S.can_void, void_dialog(S)),
        rx.cond(S.can_credit, credit_note_dialog(S)),
        rx.cond(S.has_receipt, receipt_button()),
        rx.button(rx.icon("copy", size=16), "Duplicate", variant="soft", on_click=S.duplicate, id="duplicate-invoice"),
        pdf_button(),
        rx.cond(S.is_draft, _delete_dialog()),
        wrap="wrap",
        spacing="3",
    )


def _share() -> rx.Component:
    return rx.cond(
        ~S.is_draft,
        card(
            rx.vstack(
                rx.text("Client pay link", size="2", weight="medium"),
                rx.hstack(
                    rx.code(S.invoice["pay_url"], id="pay-link", word_break="break-all", min_width="0"),
                    rx.icon_button(rx.icon("clipboard-copy", size=16), variant="soft", on_click=[rx.set_clipboard(S.invoice["pay_url"]), rx.toast("Pay link copied")], aria_label="Copy pay link", id="copy-pay-link"),
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            )
        ),
    )


def _unrecorded_payments() -> rx.Component:
    """Money Stripe took that the invoice does not count (a balance changed while the client was
    at Checkout, a void, a payment in another currency), until it is refunded in Stripe: said
    at the top, not only in the Activity."""
    return rx.foreach(
        S.unrecorded_payments,
        lambda text: rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert")),
            rx.callout.text("Not recorded: ", text, "."),
            color_scheme="amber", class_name="unrecorded-payment", width="100%",
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        checkout_return_notice(S),
        _unrecorded_payments(),
        _header(),
        _actions(),
        payment_link_notice(S),
        send_dialog(),
        _share(),
        emails_card(),
        rx.cond(~S.is_draft, invoice_reminders_card(S)),
        card(
            rx.vstack(
                line_items_table(S.lines),
                breakdown_table(S.breakdown),
                rx.cond(S.invoice["status"] == "VOID", rx.callout.root(rx.callout.icon(rx.icon("ban", size=16)), rx.callout.text("Void: ", S.invoice["void_reason"]), color_scheme="gray", id="void-notice")),
                rx.cond(S.invoice["notes"] != "", rx.text(S.invoice["notes"], size="2", color_scheme="gray", white_space="pre-wrap")),
                width="100%",
            )
        ),
        payments_card(S, card),
        credit_notes_card(S, card),
        card(timeline(S.events)),
        width="100%",
        spacing="4",
    )


def invoice_page() -> rx.Component:
    return layout(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("All invoices", size="2"), align="center"),
            href=DashboardState.list_url,  # the list as it was left (search, filter, sort, page)
        ),
        rx.cond(
            S.loading,
            loading_block(),
            rx.cond(S.not_found, rx.callout("Invoice not found.", icon="circle-alert", color_scheme="red", id="not-found"), _content()),
        ),
    )
