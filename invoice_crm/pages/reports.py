"""/reports — receivables ageing, revenue and tax, and the CSV exports of the books."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import control, field_error, invalid_attrs
from invoice_crm.components.layout import card, layout, loading_block, page_title
from invoice_crm.components.reports import (
    download_buttons,
    encoding_select,
    export_feedback,
    report_table,
)
from invoice_crm.state.exports import ExportState as X
from invoice_crm.state.reports import ReportsState as S


def _date(label: str, name: str, value) -> rx.Component:
    input_id = f"report-{name.replace('_', '-')}"
    error, error_id = S.errors.get(name, ""), f"{input_id}-error"
    return control(
        label, input_id,
        rx.input(type="date", value=value, on_change=lambda v: S.set_date(name, v), id=input_id, debounce_timeout=0,
                 custom_attrs=invalid_attrs(error, error_id)),
        field_error(error, error_id),
        flex="1 1 140px",
    )


def _dates() -> rx.Component:
    return card(
        rx.flex(
            _date("Ageing as of", "as_of", S.as_of),
            _date("From", "start", S.start),
            _date("To", "end", S.end),
            control(
                "Revenue by", "revenue-by",
                rx.select.root(
                    rx.select.trigger(id="revenue-by", width="8em"),  # its chosen text appears after hydration: no resize
                    rx.select.content(rx.select.item("Month", value="month"), rx.select.item("Client", value="client")),
                    value=S.by,
                    on_change=S.set_by,
                ),
            ),
            # Level with the inputs: a label's line above it (the row is aligned at the top, so
            # an error under one date does not push the other fields down).
            rx.vstack(rx.text("\u00a0", size="1", aria_hidden="true"), rx.button("Show reports", on_click=S.apply, loading=S.loading), spacing="1"),
            wrap="wrap",
            gap="0.75em",
            align="start",
            width="100%",
        ),
        field_error(S.error),  # a refusal that names none of the dates
    )


def _section(title, subtitle, body: rx.Component, buttons: rx.Component, **props) -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            rx.text(subtitle, size="2", color_scheme="gray"),
            body,
            buttons,
            spacing="3",
            width="100%",
        ),
        **props,
    )


def _ageing() -> rx.Component:
    return _section(
        "Receivables ageing",
        "What open invoices still owe, by client and days past due, as of " + S.as_of_text + ".",
        rx.vstack(
            rx.hstack(
                rx.text("Total outstanding:", size="3", weight="medium"),
                rx.text(S.ageing_total, size="3", weight="bold", id="ageing-total"),
                align="center",
                wrap="wrap",
            ),
            report_table(S.ageing_columns, S.ageing_rows, S.ageing_totals, "ageing-table", "Receivables ageing",
                         "No open invoice owes anything as of this date."),
            width="100%",
        ),
        download_buttons(S, "ageing", "ageing"),
        id="ageing-report",
    )


def _revenue() -> rx.Component:
    return _section(
        "Revenue",
        "Invoiced, credited and paid from " + S.start_text + " to " + S.end_text + ", in each currency (never converted).",
        report_table(S.revenue_columns, S.revenue_rows, S.revenue_totals, "revenue-table", "Revenue",
                     "Nothing was invoiced, credited or paid in this period."),
        download_buttons(S, "revenue", "revenue"),
        id="revenue-report",
    )


def _tax() -> rx.Component:
    return _section(
        "Tax",
        "Per tax rate from " + S.start_text + " to " + S.end_text
        + ": accrual (invoiced less credit notes) and cash (tax in payments received).",
        report_table(S.tax_columns, S.tax_rows, S.tax_totals, "tax-table", "Tax report",
                     "No tax was invoiced, credited or received in this period."),
        download_buttons(S, "tax", "tax"),
        id="tax-report",
    )


def _export_button(label: str, kind: str, start, end) -> rx.Component:
    return rx.button(rx.icon("download", size=14), label, variant="soft",
                     on_click=X.export_data(kind, start, end), loading=X.preparing == kind)


def _exports() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading("Export data", size="4", as_="h2"),
            rx.text(
                "CSV files: money as plain numbers with the currency in its own column, dates as YYYY-MM-DD. "
                "Payments and line items cover the From–To dates above. The invoice list exports from the dashboard.",
                size="2", color_scheme="gray",
            ),
            rx.flex(
                encoding_select(),
                _export_button("Export payments and refunds", "payments", S.start, S.end),
                _export_button("Export line items", "lines", S.start, S.end),
                _export_button("Export clients", "clients", "", ""),
                wrap="wrap",
                gap="0.75em",
                align="end",
            ),
            export_feedback(),
            spacing="3",
            width="100%",
        ),
        id="export-data",
    )


def reports_page() -> rx.Component:
    return layout(
        page_title("Reports"),
        # The dates, the reports and what follows them appear in one piece when the figures
        # have arrived: nothing on screen is pushed down by them, and nothing drawn in the
        # page's first paint is laid out again as the app starts.
        rx.cond(
            S.loading & (S.ageing_columns.length() == 0),
            loading_block("Loading reports…"),
            rx.vstack(_dates(), _ageing(), _revenue(), _tax(), _exports(), spacing="5", width="100%"),
        ),
    )
