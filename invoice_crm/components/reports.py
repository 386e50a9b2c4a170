"""The Reports page's pieces: a report table, its download buttons, the export buttons."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import control
from invoice_crm.state.exports import ENCODINGS
from invoice_crm.state.exports import ExportState as X


def report_table(columns, rows, totals, table_id: str, caption: str, empty: str = "") -> rx.Component:
    """Rows of text cells, the first column to the left and figures to the right, then totals;
    ``empty`` says why there is no row (a period with nothing in it), instead of bare headings."""
    def cells(row, weight: str = "regular"):
        return rx.table.row(
            rx.foreach(
                row,
                lambda value, i: rx.table.cell(
                    rx.text(value, weight=weight, size="2"),
                    text_align=rx.cond(i == 0, "left", "right"),
                    white_space="nowrap",
                ),
            )
        )

    # A phone shows the first columns; the rest are a swipe away, and it says so.
    hint = rx.hstack(
        rx.icon("move-horizontal", size=14, aria_hidden="true"),
        rx.text("Swipe the table sideways for all its columns", size="1"),
        display=["flex", "none"], align="center", spacing="1", color_scheme="gray", class_name="swipe-hint",
        color="var(--gray-11)",
    )
    return rx.vstack(hint, rx.box(
        rx.table.root(
            rx.el.caption(caption, style={"position": "absolute", "left": "-10000px"}),
            rx.table.header(rx.table.row(rx.foreach(
                columns,
                # Headings may take two lines ("Tax / invoiced"), figures never: the tax report's
                # eleven columns then fit a 1280 px screen.
                lambda c, i: rx.table.column_header_cell(c, text_align=rx.cond(i == 0, "left", "right"), vertical_align="bottom"),
            ))),
            rx.table.body(rx.foreach(rows, lambda r: cells(r)), rx.foreach(totals, lambda r: cells(r, "bold"))),
            variant="ghost",
            size="1",
            width="100%",
            id=table_id,
        ),
        overflow_x="auto",  # a wide report scrolls inside its card, never the page
        width="100%",
    ), rx.cond(
        (rows.length() == 0) & (columns.length() > 0),
        rx.text(empty, size="2", color_scheme="gray", class_name="report-empty", id=table_id + "-empty"),
    ), spacing="1", width="100%")


def download_buttons(state, report: str, name: str) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("file-spreadsheet", size=14), f"Download {name} CSV", size="1", variant="soft",
                  on_click=state.download(report, "csv")),
        rx.button(rx.icon("file-down", size=14), f"Download {name} PDF", size="1", variant="soft",
                  on_click=state.download(report, "pdf")),
        wrap="wrap",
        spacing="2",
    )


def encoding_select(select_id: str = "csv-encoding") -> rx.Component:
    return control(
        "CSV encoding",
        select_id,
        rx.select.root(
            # Its chosen text appears only after hydration: room kept for the longest one.
            rx.select.trigger(id=select_id, width="19em", max_width="100%"),
            rx.select.content(*[rx.select.item(label, value=value) for value, label in ENCODINGS.items()]),
            value=X.encoding,
            on_change=X.set_encoding,
        ),
    )


def export_feedback() -> rx.Component:
    return rx.fragment(
        rx.cond(
            X.preparing != "",
            rx.hstack(rx.spinner(size="1"), rx.text("Preparing…", size="2"), align="center", role="status"),
        ),
        rx.cond(X.export_note != "", rx.text(X.export_note, size="2", color_scheme="green", role="status")),
        rx.cond(X.export_error != "", rx.text(X.export_error, size="2", color_scheme="red", role="alert")),
    )


def export_list_dialog() -> rx.Component:
    """The dashboard's "Export CSV": the list exactly as filtered and sorted on screen."""
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", id="export-csv",
                                    on_click=X.clear_feedback)),
        rx.dialog.content(
            rx.dialog.title("Export invoices"),
            rx.dialog.description(
                "Every invoice of the list as it is shown (search, status and sort), as a CSV file.", size="2",
            ),
            rx.vstack(
                encoding_select("list-csv-encoding"),
                export_feedback(),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    rx.button(rx.icon("download", size=16), "Download CSV", on_click=X.export_invoices,
                              loading=X.preparing == "invoices"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="1em",
                width="100%",
            ),
            max_width="440px",
        ),
    )
