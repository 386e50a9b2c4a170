"""/taxes — the tax rates the editor offers for each line."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import VISUALLY_HIDDEN, field_error, form_field, invalid_attrs
from invoice_crm.components.layout import PHONE_ONLY, WIDE_ONLY, card, layout
from invoice_crm.state.taxes import TaxesState as S


def _input(label: str, field: str, input_id: str, value, on_change, flex: str, **props) -> rx.Component:
    """A form input with its error under it, tied to it (aria-describedby, aria-invalid)."""
    error = S.errors.get(field, "")
    control = rx.input(
        value=value, on_change=on_change, id=input_id, debounce_timeout=0, width="100%",
        custom_attrs=invalid_attrs(error, f"{input_id}-error"), **props,
    )
    return form_field(label, control, error, html_for=input_id, flex=flex, min_width="0")


def _form() -> rx.Component:
    return card(rx.form(
        rx.vstack(
            rx.heading(rx.cond(S.editing_id > 0, "Edit tax rate", "Add a tax rate"), size="4", as_="h2"),
            rx.flex(
                _input("Tax name", "tax_name", "tax-name", S.name, S.set_name, "2 1 160px", placeholder="VAT"),
                _input("Rate (%)", "tax_rate", "tax-rate", S.rate, S.set_rate, "1 1 100px",
                       placeholder=S.rate_example, input_mode="decimal"),
                # Wide enough for its placeholder on one line (about 30 characters).
                _input("Registration number", "tax_registration", "tax-registration", S.registration,
                       S.set_registration, "3 1 240px", placeholder="optional, printed on invoices"),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.checkbox("Compound (as a line's second tax, computed on the amount plus the first tax)", checked=S.compound, on_change=S.set_compound),
            field_error(S.error),
            rx.hstack(
                rx.button(rx.cond(S.editing_id > 0, "Save tax rate", "Add tax rate"), type="submit", id="save-tax"),
                rx.cond(S.editing_id > 0, rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                                    on_click=S.cancel_edit)),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save,  # the button, or Enter in a field
        reset_on_submit=False,
        width="100%",
    ))


def _badges(row) -> rx.Component:
    return rx.hstack(
        rx.cond(row["compound"] != "", rx.badge(row["compound"])),
        rx.cond(row["archived"] != "", rx.badge(row["archived"], color_scheme="gray")),
        spacing="1", wrap="wrap",
    )


def _row(row) -> rx.Component:
    # On a phone: the registration number and badges go under the name, so the name, rate and
    # actions fit the card without scrolling sideways.
    return rx.table.row(
        rx.table.cell(
            rx.text(row["name"], overflow_wrap="anywhere"),
            rx.box(
                rx.text(row["registration"], size="1", color_scheme="gray", overflow_wrap="anywhere"),
                _badges(row),
                display=PHONE_ONLY,
            ),
        ),
        rx.table.cell(row["rate"], text_align="right", white_space="nowrap"),
        rx.table.cell(row["registration"], display=WIDE_ONLY),
        rx.table.cell(_badges(row), display=WIDE_ONLY),
        rx.table.cell(
            rx.flex(
                rx.button("Edit", size="1", variant="soft", on_click=S.edit(row["id"]), aria_label="Edit " + row["name"]),
                rx.cond(
                    row["archived"] != "",
                    rx.button("Restore", size="1", variant="soft", on_click=S.toggle_archived(row["id"], False), aria_label="Restore " + row["name"]),
                    rx.button("Archive", size="1", variant="soft", color_scheme="gray", on_click=S.toggle_archived(row["id"], True), aria_label="Archive " + row["name"]),
                ),
                gap="0.5em",
                wrap="wrap",
            )
        ),
        class_name="tax-row",
    )


def tax_catalogue() -> rx.Component:
    """The catalogue with its form: the /taxes page and the Settings page's Taxes tab."""
    return rx.vstack(
        rx.text(
            "Each invoice line can carry up to two of these. A rate is copied onto the line when the invoice is saved, "
            "so editing or archiving it later never changes an invoice already made; a draft saved again takes "
            "today's rate (its editor says so).",
            size="2", color_scheme="gray",
        ),
        _form(),
        card(
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Name"), rx.table.column_header_cell("Rate", text_align="right"),
                    rx.table.column_header_cell("Registration number", display=WIDE_ONLY),
                    rx.table.column_header_cell(rx.el.span("Kind", style=VISUALLY_HIDDEN), display=WIDE_ONLY),
                    rx.table.column_header_cell("Actions"),
                )),
                rx.table.body(rx.foreach(S.rates, _row)),
                width="100%",
                size=rx.breakpoints(initial="1", sm="2"),
                id="tax-rates",
            ),
            rx.cond(
                S.loaded & (S.rates.length() == 0),
                rx.text("No tax rates yet. Add one above: each invoice line can then carry it (VAT, GST, sales tax).",
                        size="2", color_scheme="gray", id="no-tax-rates", padding_top="2"),
            ),
            overflow_x="auto",
        ),
        spacing="4",
        width="100%",
    )


def taxes_page() -> rx.Component:
    return layout(rx.heading("Tax rates", size="6"), tax_catalogue())
