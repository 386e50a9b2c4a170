"""/pay/[token] and /pay/[token]/paid — the invoice as the client sees it, and Pay; /pay with no
token says what an unknown token says."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import status_badge
from invoice_crm.components.business_header import business_header, payment_instructions
from invoice_crm.components.layout import loading_block
from invoice_crm.components.ledger import breakdown_table
from invoice_crm.components.line_items import line_items_table
from invoice_crm.components.payment_notices import checkout_result_notice
from invoice_crm.state.pay import PayState as S


def _frame(*children: rx.Component) -> rx.Component:
    """A plain page for someone who is not signed in: no navigation, no account."""
    return rx.box(
        rx.vstack(*children, spacing="4", width="100%"),
        max_width="760px",
        margin_x="auto",
        padding=["0.75em", "1em", "2em"],
        min_height="100vh",
        width="100%",
    )


def _fact(label: str, value, test_id: str, *below: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", id=test_id),
        *below,
        spacing="0",
        min_width="120px",
    )


def _not_available() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("This invoice is not available", size="5"),
            rx.text("Check the link you were sent, or ask the sender for a new one.", color_scheme="gray", size="2"),
            spacing="2",
        ),
        id="not-available",
        width="100%",
    )


def _return_notice() -> rx.Component:
    return checkout_result_notice(S.notice, S.notice_paid, "payment-confirmation")


def _notice(icon: str, color: str, notice_id: str, *text) -> rx.Component:
    """Why there is no Pay button: the invoice was cancelled, credited or paid."""
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon)), rx.callout.text(*text), color_scheme=color, id=notice_id, width="100%",
    )


def _pay_button_or_instructions() -> rx.Component:
    inv = S.invoice
    return rx.cond(
        S.payment_taken,
        rx.fragment(),  # the return's notice says what happens to the payment taken
        _pay_button_or_instructions_now(inv),
    )


def _pay_button_or_instructions_now(inv) -> rx.Component:
    return rx.cond(
        S.payable,
        rx.button(
            rx.icon("credit-card", size=16), "Pay ", inv["balance"],
            size="3", on_click=S.pay(inv["balance_plain"]), loading=S.paying, id="pay-button",
        ),
        rx.vstack(
            rx.text(
                "Online payment is not available for this invoice; ",
                # With bank details set they follow: pointed to, not "as agreed" above them.
                rx.cond(S.payment_lines.length() > 0, "please pay as shown below.", "please pay as agreed with the sender."),
                size="2", color_scheme="gray", id="no-online-payment",
            ),
            payment_instructions(S.payment_lines),
            width="100%",
        ),
    )


def _pay_area() -> rx.Component:
    paid_at = S.invoice["paid_at"]
    return rx.cond(
        S.is_void,
        _notice("ban", "gray", "cancelled-notice", "This invoice was cancelled; there is nothing to pay."),
        rx.cond(
            S.is_credited,
            _notice("receipt", "violet", "credited-notice",
                    "This invoice was credited in full on ", paid_at, "; there is nothing to pay."),
            rx.cond(
                S.is_paid,
                _notice("circle-check", "green", "paid-notice", "Paid on ", paid_at, ". Thank you!"),
                _pay_button_or_instructions(),
            ),
        ),
    )


def _invoice() -> rx.Component:
    inv = S.invoice
    return rx.card(
        rx.vstack(
            business_header(S.business, S.business_lines),
            rx.hstack(
                rx.heading("Invoice ", inv["number"], size="6", id="pay-invoice-number"),
                rx.box(status_badge(inv["badge"]), id="pay-invoice-status"),
                rx.spacer(),
                rx.text(inv["total"], size="6", weight="bold", id="pay-invoice-total"),
                wrap="wrap", align="center", width="100%",
            ),
            rx.flex(
                _fact("Billed to", inv["client"], "pay-invoice-client",
                      rx.cond(inv["client_company"] != "", rx.text(inv["client_company"], size="2", id="pay-invoice-company")),
                      # The client's number, with the client's name (not under the freelancer's).
                      rx.cond(inv["client_tax_number"] != "",
                              rx.text("Tax number: ", inv["client_tax_number"], size="2", color_scheme="gray",
                                      id="client-tax-number"))),
                _fact("Issued", inv["issue_date"], "pay-invoice-issued"),
                _fact(
                    "Due", rx.cond(inv["due_date"] != "", inv["due_date"], "—"), "pay-invoice-due",
                    rx.text(
                        inv["countdown"], size="1", id="pay-invoice-countdown",
                        color_scheme=rx.cond(inv["status"] == "OVERDUE", "red", "gray"),
                    ),
                ),
                gap="1.5em", wrap="wrap",
            ),
            line_items_table(S.lines),
            breakdown_table(S.breakdown, "pay-breakdown"),
            rx.cond(
                S.history.length() > 0,
                rx.vstack(
                    rx.text("Payments and credit notes", size="2", weight="medium"),
                    rx.foreach(S.history, lambda h: rx.text(h["date"], " · ", h["text"], size="2", class_name="pay-history")),
                    spacing="1", width="100%",
                ),
            ),
            rx.cond(inv["notes"] != "", rx.text(inv["notes"], size="2", color_scheme="gray", white_space="pre-wrap")),
            rx.flex(
                _pay_area(),
                rx.button(
                    rx.icon("file-down", size=16), "Download PDF", variant="soft", size="3",
                    on_click=S.download_pdf, id="pay-download-pdf",
                ),
                rx.cond(
                    S.has_receipt,
                    rx.button(
                        rx.icon("receipt", size=16), "Download receipt", variant="soft", size="3",
                        on_click=S.download_receipt, id="pay-download-receipt",
                    ),
                ),
                gap="1em", wrap="wrap", align="center", justify="between", width="100%",
            ),
            spacing="4", width="100%",
        ),
        width="100%",
    )


def _body(with_return_notice: bool) -> rx.Component:
    shown = rx.vstack(_return_notice(), _invoice(), width="100%") if with_return_notice else _invoice()
    return _frame(rx.cond(S.loading, loading_block(), rx.cond(S.available, shown, _not_available())))


def pay_page() -> rx.Component:
    return _body(with_return_notice=False)


def pay_return_page() -> rx.Component:
    return _body(with_return_notice=True)


def pay_missing_page() -> rx.Component:
    """/pay and /pay/, a pay link cut short: the page an unknown token shows, not a bare 404.
    No state, nothing loaded: there is no invoice to show."""
    return _frame(_not_available())
