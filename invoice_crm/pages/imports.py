"""/import — clients, or past invoices with their lines and payments, from a CSV file."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import drop_zone, field_error, field_label, in_address, rejection_codes
from invoice_crm.components.layout import card, layout, page_title
from invoice_crm.domain.imports import MAX_FILE_BYTES, MAX_ROWS
from invoice_crm.state.imports import NONE
from invoice_crm.state.imports import ImportState as S


def _kind_choice(value: str, label: str) -> rx.Component:
    return rx.text(
        rx.flex(rx.radio_group.item(value=value, id=f"import-kind-{value}"), rx.text(label, as_="span", padding_left="0.4em"), align="center"),
        as_="label",
        size="2",
    )


def _kind() -> rx.Component:
    return rx.vstack(
        rx.text("What to import", size="2", weight="medium", id="import-kind-label"),
        rx.radio_group.root(
            rx.flex(
                _kind_choice("clients", "Clients"),
                _kind_choice("invoices", "Past invoices with their lines and payments"),
                spacing="3", wrap="wrap",  # a row at 1280 px, stacked close on a phone
            ),
            value=S.kind,
            on_change=in_address("/import", "kind", S.set_kind),
            disabled=S.importing,
            aria_labelledby="import-kind-label",
        ),
        spacing="1",
    )


def _format_help() -> rx.Component:
    return rx.vstack(
        rx.text(
            "One row per ", rx.cond(S.kind == "clients", "client", "invoice line (or payment); rows with the same invoice number form one invoice"),
            ". The first row names the columns; they are matched by name and can be changed below. "
            "Comma, semicolon or tab separated, UTF-8. At most ", f"{MAX_FILE_BYTES // 1000} KB and {MAX_ROWS:,} rows.",
            size="2",
        ),
        rx.el.details(
            rx.el.summary(rx.text("The columns, and what each holds", as_="span", size="2", weight="medium"),
                          cursor="pointer", id="import-columns-summary"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Column"), rx.table.column_header_cell(""),
                    rx.table.column_header_cell("What it holds"),
                )),
                rx.table.body(rx.foreach(S.columns, lambda c: rx.table.row(
                    rx.table.cell(rx.text(c["label"], weight="medium")),
                    rx.table.cell(rx.text(c["required"], size="1", color_scheme="gray")),
                    rx.table.cell(c["help"]),
                ))),
                size="1", variant="ghost", width="100%", margin_top="0.5em",
            ),
            width="100%",
        ),
        rx.button(
            rx.icon("download", size=14), "Download a template CSV", variant="soft", size="2",
            on_click=S.download_template, id="download-template",
        ),
        spacing="3", width="100%", overflow_x="auto",
    )


def _upload() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(f"CSV file (at most {MAX_FILE_BYTES // 1000} KB)", size="2", weight="medium"),
            drop_zone(
                rx.cond(S.file_name != "", "Read " + S.file_name + " — drop another file to replace it", _DROP),
                _DROP,
                padding="1.5em",
                id="import-file",
                on_drop=S.upload(rx.upload_files(upload_id="import-file")),
                on_drop_rejected=lambda rejected: S.file_rejected(rejection_codes(rejected)),
                max_files=1,
                max_size=MAX_FILE_BYTES,
                disabled=S.importing,
            ),
            width="100%",
        ),
        field_error(S.file_error),
        spacing="2", width="100%",
    )


_DROP = "Drop a CSV file here, or click to choose one"


def _mapping_select(c) -> rx.Component:
    select_id = "map-" + c["key"]
    return rx.vstack(
        field_label(c["label"] + rx.cond(c["required"] == "required", " (required)", ""), select_id, size="1"),
        rx.select.root(
            rx.select.trigger(id=select_id, width="100%"),
            rx.select.content(
                rx.select.item("(not imported)", value=NONE),
                rx.foreach(S.headers, lambda h: rx.select.item(h, value=h)),
            ),
            value=c["header"],
            on_change=lambda value: S.set_mapping(c["key"], value),
            disabled=S.importing,
        ),
        spacing="1", min_width="0",
    )


def _mapping() -> rx.Component:
    return card(rx.vstack(
        rx.heading("Columns", size="4", as_="h2"),
        rx.text("Which column of the file holds each field (matched by name; change any of them).", size="2", color_scheme="gray"),
        rx.grid(
            rx.foreach(S.columns, _mapping_select),
            columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%",
        ),
        spacing="3", width="100%",
    ))


def _summary() -> rx.Component:
    return rx.text(
        S.rows_total, rx.cond(S.rows_total == 1, " row", " rows"), " read: ", S.ready,
        rx.cond(S.kind == "clients", " new client", " new invoice"), rx.cond(S.ready == 1, "", "s"),
        " ready to import",
        rx.cond(S.skipped > 0, rx.text.span("; ", S.skipped, " already in the app (not imported again)")),
        rx.cond(S.error_rows > 0, rx.text.span("; ", S.error_rows, rx.cond(S.error_rows == 1, " row", " rows"), " with errors")),
        ".",
        size="2", id="import-summary",
    )


def _error_row(e) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell("Row " + e["row"], white_space="nowrap"),
        rx.table.cell(e["field"]),
        rx.table.cell(e["message"]),
        class_name="import-error",
    )


def _errors() -> rx.Component:
    return rx.cond(
        S.error_count > 0,
        rx.vstack(
            rx.heading("Rows with errors", size="3", id="import-errors-heading", as_="h3"),
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell("Row"), rx.table.column_header_cell("Field"),
                        rx.table.column_header_cell("Problem"),
                    )),
                    rx.table.body(rx.foreach(S.errors, _error_row)),
                    size="1", width="100%", aria_labelledby="import-errors-heading",
                ),
                # A box of its own on a wide screen; on a phone the page scrolls, not a short
                # inner box with its fifth row cut in half.
                max_height=rx.breakpoints(initial="none", md="24em"), overflow="auto", width="100%",
            ),
            rx.cond(S.error_count > S.errors.length(),
                    rx.text("Only the first ", S.errors.length(), " problems are listed.", size="1", color_scheme="gray")),
            spacing="2", width="100%",
        ),
    )


def _sample() -> rx.Component:
    return rx.cond(
        S.sample.length() > 0,
        rx.vstack(
            rx.text("First rows as mapped", size="2", weight="medium"),
            rx.foreach(S.sample, lambda r: rx.text(rx.text.span("Row ", r["row"], ": ", weight="medium"), r["cells"],
                                                     size="1", color_scheme="gray", word_break="break-word")),
            spacing="1", width="100%",
        ),
    )


def _actions() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.button(
                "Import all rows", on_click=S.import_rows(False), id="import-all",
                disabled=~S.can_import_all | S.importing, loading=S.importing,
            ),
            rx.cond(
                S.error_count > 0,
                rx.button(
                    "Import only the valid rows", on_click=S.import_rows(True), id="import-valid", variant="soft",
                    disabled=(S.ready == 0) | S.importing,
                ),
            ),
            spacing="3", wrap="wrap",
        ),
        rx.cond(
            (S.error_count > 0) & ~S.importing,
            rx.text("Nothing is imported while any row has errors — fix the file, or import only the valid rows "
                    "and download the rejected ones.", size="1", color_scheme="gray"),
        ),
        rx.cond(
            S.importing,
            rx.vstack(
                rx.progress(value=rx.cond(S.progress_total > 0, (S.progress_done * 100 / S.progress_total).to(int), 0),
                            width="100%", aria_label="Import progress"),
                rx.text(S.progress_text, size="2", role="status"),
                width="100%", spacing="1",
            ),
        ),
        rx.cond(S.result != "", rx.callout(S.result, icon="info", id="import-result", role="status", width="100%")),
        rx.cond(
            S.has_rejected,
            rx.button(rx.icon("download", size=14), "Download rejected rows", variant="soft", color_scheme="orange",
                      on_click=S.download_rejected, id="download-rejected"),
        ),
        spacing="3", width="100%",
    )


def import_page() -> rx.Component:
    return layout(
        page_title("Import"),
        card(rx.vstack(_kind(), _format_help(), spacing="4", width="100%")),
        card(rx.vstack(_upload(), spacing="3", width="100%")),
        rx.cond(
            (S.headers.length() > 0) & rx.State.is_hydrated,  # not the last visit's file for a moment
            rx.vstack(
                _mapping(),
                card(rx.vstack(
                    rx.heading("Preview", size="4", as_="h2"), _summary(), _sample(), _errors(), _actions(),
                    spacing="4", width="100%",
                )),
                spacing="5", width="100%",
            ),
        ),
    )
