"""/taxes — the tax rates the editor offers for each line."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import field_error, form_field
from invoice_crm.components.layout import card, layout
from invoice_crm.state.taxes import TaxesState as S


def _form() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading(rx.cond(S.editing_id > 0, "Edit tax rate", "Add a tax rate"), size="4"),
            rx.flex(
                form_field("Tax name", rx.input(value=S.name, on_change=S.set_name, placeholder="VAT", id="tax-name", debounce_timeout=0), html_for="tax-name", flex="2 1 160px"),
                form_field("Rate (%)", rx.input(value=S.rate, on_change=S.set_rate, placeholder="20 or 9.975", input_mode="decimal", id="tax-rate", debounce_timeout=0), html_for="tax-rate", flex="1 1 100px"),
                form_field("Registration number", rx.input(value=S.registration, on_change=S.set_registration, placeholder="optional, printed on invoices", id="tax-registration", debounce_timeout=0), html_for="tax-registration", flex="2 1 200px"),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.checkbox("Compound (as a line's second tax, computed on the amount plus the first tax)", checked=S.compound, on_change=S.set_compound),
            field_error(S.error),
            rx.hstack(
                rx.button(rx.cond(S.editing_id > 0, "Save tax rate", "Add tax rate"), on_click=S.save, id="save-tax"),
                rx.cond(S.editing_id > 0, rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_edit)),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        )
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["rate"], text_align="right"),
        rx.table.cell(row["registration"]),
        rx.table.cell(rx.hstack(rx.cond(row["compound"] != "", rx.badge(row["compound"])), rx.cond(row["archived"] != "", rx.badge(row["archived"], color_scheme="gray")))),
        rx.table.cell(
            rx.hstack(
                rx.button("Edit", size="1", variant="soft", on_click=S.edit(row["id"]), aria_label="Edit " + row["name"]),
                rx.cond(
                    row["archived"] != "",
                    rx.button("Restore", size="1", variant="soft", on_click=S.toggle_archived(row["id"], False), aria_label="Restore " + row["name"]),
                    rx.button("Archive", size="1", variant="soft", color_scheme="gray", on_click=S.toggle_archived(row["id"], True), aria_label="Archive " + row["name"]),
                ),
                spacing="2",
            )
        ),
        class_name="tax-row",
    )


def tax_catalogue() -> rx.Component:
    """The catalogue with its form: the /taxes page and the Settings page's Taxes tab."""
    return rx.vstack(
        rx.text(
            "Each invoice line can carry up to two of these. A rate is copied onto the line when the invoice is saved, "
            "so editing or archiving it later never changes an invoice already made.",
            size="2", color_scheme="gray",
        ),
        _form(),
        card(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Name"), rx.table.column_header_cell("Rate", text_align="right"),
                    rx.table.column_header_cell("Registration number"), rx.table.column_header_cell(""),
                    rx.table.column_header_cell("Actions"),
                )),
                rx.table.body(rx.foreach(S.rates, _row)),
                width="100%",
                id="tax-rates",
            ),
            overflow_x="auto",
        ),
        spacing="4",
        width="100%",
    )


def taxes_page() -> rx.Component:
    return layout(rx.heading("Tax rates", size="6"), tax_catalogue())
