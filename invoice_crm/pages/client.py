"""/clients/[client_id] — one client: details, invoices with balances, statement, archive."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import status_badge
from invoice_crm.components.forms import field_error, invalid_attrs
from invoice_crm.components.layout import WIDE_ONLY, card, layout, link_button, loading_block, page_title
from invoice_crm.state.client_page import ClientPageState as S


def _detail(label: str, value, test_id: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(rx.text(label, size="1", color_scheme="gray"),
                  rx.text(value, size="2", id=test_id, white_space="pre-wrap", overflow_wrap="anywhere"),
                  spacing="0", min_width="0", max_width="100%"),
    )


def _figure(label: str, value, test_id: str) -> rx.Component:
    return card(rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="6", weight="bold", id=test_id), spacing="1"))


def _invoice_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row["number"], href="/invoices/" + row["id"])),
        rx.table.cell(status_badge(row["badge"])),
        rx.table.cell(row["issue_date"], display=WIDE_ONLY),
        rx.table.cell(
            row["due_date"],
            rx.cond(row["countdown"] != "", rx.text(row["countdown"], size="1", color_scheme=rx.cond(row["status"] == "OVERDUE", "red", "gray"))),
        ),
        # On a phone the balance (what is still owed) stays; the amount is on the invoice.
        rx.table.cell(row["amount"], text_align="right", display=WIDE_ONLY),
        rx.table.cell(row["balance"], text_align="right", white_space="nowrap", class_name="client-invoice-balance"),
        class_name="client-invoice-row",
    )


def _statement_error_of(field: str) -> dict:
    """The statement's error, tied to the date it is about (a backwards range: To)."""
    return invalid_attrs(rx.cond(S.statement_error_field == field, S.statement_error, ""), "statement-error")


def _statement() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading("Statement", size="4", as_="h2"),
            rx.text("Opening balance, invoices, payments and credit notes, and the closing balance. "
                    "Leave From empty to start with the first invoice; To defaults to today.",
                    size="2", color_scheme="gray"),
            rx.flex(
                rx.vstack(rx.el.label("From", html_for="statement-from", class_name="rt-Text rt-r-size-2"),
                          rx.input(type="date", id="statement-from", value=S.statement_start,
                                   on_change=S.set_statement_start, custom_attrs=_statement_error_of("from")),
                          spacing="1"),
                rx.vstack(rx.el.label("To", html_for="statement-to", class_name="rt-Text rt-r-size-2"),
                          rx.input(type="date", id="statement-to", value=S.statement_end,
                                   on_change=S.set_statement_end, custom_attrs=_statement_error_of("to")),
                          spacing="1"),
                rx.button(rx.icon("file-down", size=16), "Download statement PDF", on_click=S.download_statement,
                          loading=S.statement_busy),
                gap="1em", wrap="wrap", align="end",
            ),
            field_error(S.statement_error, "statement-error"),
            spacing="3", width="100%",
        )
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(~S.archived, link_button("New invoice", variant="soft", href="/invoices/new?client=" + S.client["id"])),
        # Each button says what it does (a click from a page shown before a change elsewhere
        # does not undo it), and data-toggle drops the second click of a double click, which
        # would land on the opposite button drawn in its place (assets/toggle_guard.js).
        rx.cond(
            S.archived,
            rx.button("Restore client", variant="soft", on_click=S.set_archived(False), custom_attrs={"data-toggle": "true"}),
            rx.button("Archive client", variant="soft", on_click=S.set_archived(True), custom_attrs={"data-toggle": "true"}),
        ),
        rx.cond(
            S.invoices.length() == 0,
            rx.button("Delete client", color_scheme="red", variant="soft", on_click=S.set_confirm_delete(True)),
        ),
        wrap="wrap",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this client?"),
            rx.alert_dialog.description("The client, their projects and leads are deleted. This cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button("Delete", color_scheme="red", on_click=S.delete),
                justify="end", spacing="3", margin_top="1em",
            ),
        ),
        open=S.confirm_delete,
        on_open_change=S.set_confirm_delete,
    )


def _body() -> rx.Component:
    c = S.client
    return rx.vstack(
        # A name without spaces wraps anywhere: the heading never makes the page wider than the screen.
        page_title(rx.hstack(rx.text(c["name"], overflow_wrap="anywhere", min_width="0"),
                             rx.cond(S.archived, rx.badge("Archived", color_scheme="gray")),
                             align="center", min_width="0"), _actions()),
        card(rx.flex(
            _detail("Email", c["email"], "client-email"),
            _detail("Company", c["company"], "client-company"),
            _detail("Address", c["address"], "client-address"),
            _detail("Tax number", c["tax_number"], "client-tax"),
            _detail("Payment habit", S.pay_habit, "client-pay-habit"),
            gap="2em", wrap="wrap",
        )),
        rx.grid(
            _figure("Outstanding", S.outstanding, "client-outstanding"),
            _figure("Overdue", S.overdue, "client-overdue"),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
        ),
        card(
            rx.heading("Invoices", size="4", as_="h2"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Invoice"), rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Issued", display=WIDE_ONLY),
                    rx.table.column_header_cell("Due"), rx.table.column_header_cell("Amount", text_align="right", display=WIDE_ONLY),
                    rx.table.column_header_cell("Balance", text_align="right"),
                )),
                rx.table.body(rx.foreach(S.invoices, _invoice_row)),
                # Closer cells on a phone: the four columns it keeps fit the card, the balance too.
                width="100%", variant="ghost", size=rx.breakpoints(initial="1", sm="2"),
            ),
            rx.cond(S.invoices.length() == 0, rx.text("No invoices yet.", size="2", color_scheme="gray")),
            overflow_x="auto",
        ),
        _statement(),
        _delete_dialog(),
        spacing="5", width="100%",
    )


def client_page() -> rx.Component:
    return layout(
        rx.cond(
            S.loading, loading_block(),
            rx.cond(S.not_found, rx.heading("Client not found", size="5"), _body()),
        )
    )
