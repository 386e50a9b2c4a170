"""The invoice list: search, status filter, sortable headers, rows and pagination."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import status_badge, sync_badge
from invoice_crm.components.forms import control, search_field, select_menu
from invoice_crm.components.layout import WIDE_ONLY  # the header's; the rows use assets/invoice_list.css
from invoice_crm.state.dashboard import SORT_OPTIONS

STATUS_ITEMS = ["ALL", "DRAFT", "SENT", "OVERDUE", "PAID", "VOID"]  # as the filter always named them


def toolbar(state) -> rx.Component:
    return rx.flex(
        search_field("Search invoices", "invoice-search", "Number, client, company, email or amount",
                     state.search, state.set_search),
        control(
            "Status",
            "status-filter",
            select_menu(
                rx.select.trigger(id="status-filter"), "status-filter", rx.cond(state.status == "", "ALL", state.status),
                state.set_status, items=[(item, item) for item in STATUS_ITEMS],
            ),
        ),
        control(
            "Sort by",
            "sort-select",
            rx.hstack(
                select_menu(
                    rx.select.trigger(id="sort-select"), "sort-select", state.sort, state.set_sort,
                    items=[(label, key) for key, label in SORT_OPTIONS.items()],
                ),
                rx.icon_button(
                    rx.cond(state.descending, rx.icon("arrow-down-wide-narrow"), rx.icon("arrow-up-narrow-wide")),
                    variant="soft",
                    on_click=state.toggle_direction,
                    # "Current work" has its own order (open by due date, then newest).
                    disabled=state.sort == "current",
                    aria_label="Toggle sort direction",
                    id="sort-direction",
                ),
                # Its room is always kept, so nothing beside it moves when it shows; the spinner
                # itself (eight animated leaves) is made only while loading.
                rx.box(rx.cond(state.loading, rx.spinner(size="2")), width="var(--space-4)", height="var(--space-4)", display="flex"),
                align="center",
            ),
        ),
        wrap="wrap",
        spacing="3",
        align="end",
        width="100%",
    )


def _header(label: str, column: str | None, state) -> rx.Component:
    if column is None:
        return rx.table.column_header_cell(label)
    return rx.table.column_header_cell(_header_link(label, column, state), custom_attrs=sorted_by(column, state))


def sorted_by(column: str, state) -> dict:
    """Which way the list is sorted by this column, for screen readers (aria-sort)."""
    order = rx.cond(state.sort == column, rx.cond(state.descending, "descending", "ascending"), "none")
    return {"aria-sort": order}


def _header_link(label: str, column: str, state) -> rx.Component:
    return (
        rx.link(
            rx.hstack(
                rx.text(label),
                rx.cond(
                    state.sort == column,
                    rx.cond(state.descending, rx.icon("chevron-down", size=14), rx.icon("chevron-up", size=14)),
                ),
                spacing="1",
                align="center",
            ),
            on_click=state.sort_by(column),
            color_scheme="gray",
            high_contrast=True,
            cursor="pointer",
            underline="none",
        )
    )



def _row(row, state) -> rx.Component:
    # On a phone the row keeps four columns: the number with the client under it, the amount,
    # and the status with the due date under it; the Client and Due columns show from 30em.
    # Which cell shows where, and the cells' looks, are classes of assets/invoice_list.css.
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row["number"], href="/invoices/" + row["id"], weight="medium", class_name="row-nowrap"),
            rx.text(row["client"], size="1", color_scheme="gray", class_name="phone-only"),
        ),
        rx.table.cell(row["client"], class_name="wide-only"),
        rx.table.cell(row["project"], class_name="from-48em"),
        rx.table.cell(
            rx.text(row["amount"], class_name="row-amount"),
            rx.cond(row["balance"] != "", rx.text("Balance ", row["balance"], size="1", color_scheme="gray", class_name="row-balance")),
            class_name="row-amount-cell",
        ),
        rx.table.cell(
            status_badge(row["badge"]),
            rx.cond(row["viewed"] == "yes", rx.badge(rx.icon("eye", size=12), "Viewed", variant="outline", color_scheme="gray", class_name="row-viewed")),
            rx.box(_due(row), class_name="phone-only row-due-phone"),
        ),
        rx.table.cell(_due(row), class_name="wide-only"),
        rx.table.cell(row["paid_at"], class_name="from-48em"),
        rx.cond(
            state.sheets_on,
            rx.table.cell(sync_badge(row["sync"], row["sync_error"]), class_name="from-48em"),
        ),
        class_name="invoice-row",
        data_status=row["status"],
    )


def _due(row) -> rx.Component:
    return rx.vstack(
        rx.text(row["due_date"], class_name="row-nowrap"),
        rx.text(row["countdown"], size="1", color_scheme=rx.cond(row["status"] == "OVERDUE", "red", "gray")),
        spacing="0",
    )


def invoice_table(state) -> rx.Component:
    return rx.card(
        rx.vstack(
            toolbar(state),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _header("Number", "number", state),
                            rx.table.column_header_cell("Client", display=WIDE_ONLY),
                            rx.table.column_header_cell("Project", display=["none", "none", "table-cell"]),
                            rx.table.column_header_cell(
                                rx.link("Amount", on_click=state.sort_by("amount"), cursor="pointer",
                                        color_scheme="gray", high_contrast=True, underline="none"),
                                text_align="right",
                                custom_attrs=sorted_by("amount", state),
                            ),
                            rx.table.column_header_cell("Status", rx.text.span(" · due", display=["inline", "none"])),
                            rx.table.column_header_cell(_header_link("Due", "due_date", state), display=WIDE_ONLY,
                                                         custom_attrs=sorted_by("due_date", state)),
                            rx.table.column_header_cell("Paid", display=["none", "none", "table-cell"]),
                            rx.cond(
                                state.sheets_on,
                                rx.table.column_header_cell("Sheet", display=["none", "none", "table-cell"]),
                            ),
                        )
                    ),
                    rx.table.body(rx.foreach(state.rows, lambda row: _row(row, state))),
                    width="100%",
                    variant="ghost",
                    size=rx.breakpoints(initial="1", sm="2"),
                    id="invoice-table",
                ),
                overflow_x="auto",
                width="100%",
                min_height="200px",
                opacity=rx.cond(state.loading, "0.6", "1"),
            ),
            rx.cond(
                (state.total == 0) & state.loaded,
                rx.center(
                    rx.vstack(
                        rx.icon("inbox", size=32, color="var(--gray-8)"),
                        # "match" only where a search or a filter is set; a new install has none.
                        rx.text(
                            rx.cond((state.search != "") | (state.status != ""), "No invoices match.",
                                    "No invoices yet: your first one starts here."),
                            color_scheme="gray", id="no-invoices",
                        ),
                        rx.link("Create an invoice", href="/invoices/new"),
                        align="center",
                    ),
                    padding="2em",
                    width="100%",
                ),
            ),
            pagination(state),
            width="100%",
            spacing="3",
        ),
        width="100%",
    )


def pagination(state) -> rx.Component:
    # Each label on one line: on a phone, deep in a long list ("99,976–100,000 of 100,000",
    # "Page 4,000 of 4,000"), the buttons go under the range instead of squeezing both.
    return rx.flex(
        rx.text(state.range_label, size="2", color_scheme="gray", id="range-label", white_space="nowrap",
                flex_grow="1", flex_basis=rx.breakpoints(initial="100%", sm="auto")),
        rx.icon_button(
            rx.icon("chevrons-left", size=16), variant="soft", size="1", aria_label="First page",
            title="First page", disabled=state.page <= 1, on_click=state.go_to_page(1), id="first-page",
        ),
        rx.button(
            rx.icon("chevron-left", size=16), "Previous", variant="soft", size="1",
            disabled=state.page <= 1, on_click=state.previous_page, id="prev-page",
        ),
        rx.text(state.page_label, size="2", id="page-label", white_space="nowrap"),
        rx.button(
            "Next", rx.icon("chevron-right", size=16), variant="soft", size="1",
            disabled=state.page >= state.page_count, on_click=state.next_page, id="next-page",
        ),
        # Years of invoices are thousands of pages: the oldest are one click away.
        rx.icon_button(
            rx.icon("chevrons-right", size=16), variant="soft", size="1", aria_label="Last page",
            title="Last page", disabled=state.page >= state.page_count,
            on_click=state.go_to_page(state.page_count), id="last-page",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        gap="2",
    )
