"""The line items editor: description, quantity, unit price, live line total, remove."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import field_error, invalid_attrs, line_control_label, line_field_label
from invoice_crm.components.layout import PHONE_ONLY, WIDE_ONLY


def _line_input(view, index, field: str, label: str, flex: str, **props) -> rx.Component:
    """A labelled line field with its error beside it (tied to the input by aria-describedby).

    Not a controlled input: each keystroke goes to the server at once (no debounce) and the
    server never writes back over what is being typed; on leaving the field the server sets
    the value as it will be billed. The line's ``key`` redraws it for another draft."""
    from invoice_crm.state.editor import EditorState as S

    input_id = "line-" + index.to_string() + "-" + field
    error_id = input_id + "-error"
    error = view[f"{field}_error"]
    extra = {"on_blur": lambda v: S.leave_line_field(index, field, v)} if field != "description" else {}
    return rx.box(
        line_field_label(label, (index + 1).to_string(), input_id, class_name="line-label"),
        rx.input(
            default_value=view[field],
            on_change=lambda v: S.set_line(index, field, v),
            id=input_id,
            class_name=f"line-{field.replace('_', '-')}",
            width="100%",
            custom_attrs={
                "aria-describedby": rx.cond(error != "", error_id, ""),
                "aria-invalid": rx.cond(error != "", "true", "false"),
            },
            **extra,
            **props,
        ),
        rx.cond(
            error != "",
            rx.text(error, id=error_id, color_scheme="red", size="1", class_name="field-error", role="alert"),
        ),
        flex=flex,
        min_width="0",
    )


SELECT_STYLE = {
    "padding": "0.35em", "border_radius": "6px", "border": "1px solid var(--gray-7)", "width": "100%",
    "font_size": "var(--font-size-2)", "background": "var(--color-surface)",
}


def _line_extras(view, index) -> rx.Component:
    """Per line: up to two taxes and a discount (percent or amount). Each control has a
    small visible label like the line's other fields; its accessible name stays its
    aria-label ("Tax", "Second tax", "Line discount type", "Line discount")."""
    from invoice_crm.state.editor import EditorState as S
    from invoice_crm.state.editor_taxes import DISCOUNT_KINDS

    prefix = "line-" + index.to_string() + "-"

    def labelled(label: str, field: str, control: rx.Component, flex: str, *after) -> rx.Component:
        return rx.box(
            line_control_label(label, prefix + field, class_name="line-label"),
            control,
            *after,
            flex=flex,
            min_width="0",
        )

    def tax_select(slot: str, label: str) -> rx.Component:
        return rx.el.select(
            rx.el.option("No tax", value=""),
            rx.foreach(S.tax_options, lambda o: rx.el.option(o["label"], value=o["id"])),
            value=view[slot],
            on_change=lambda v: S.set_line_extra(index, slot, v),
            aria_label=label,
            id=prefix + slot,
            class_name=f"line-{slot}",
            style=SELECT_STYLE,
        )

    discount_error = S.errors.get(f"lines.{index}.discount", "")
    discount_error_id = prefix + "discount-value-error"
    taxes_error = S.errors.get(f"lines.{index}.taxes", "")
    return rx.flex(
        labelled(
            "Tax", "tax1", tax_select("tax1", "Tax"), "2 1 150px",
            rx.cond(
                taxes_error != "",
                rx.text(taxes_error, id=prefix + "taxes-error", color_scheme="red", size="1", class_name="field-error", role="alert"),
            ),
        ),
        labelled("Second tax", "tax2", tax_select("tax2", "Second tax"), "2 1 150px"),
        labelled(
            "Discount type",
            "discount-kind",
            rx.el.select(
                *[rx.el.option(label, value=key) for key, label in DISCOUNT_KINDS],
                value=view["discount_kind"],
                on_change=lambda v: S.set_line_extra(index, "discount_kind", v),
                aria_label="Line discount type",
                id=prefix + "discount-kind",
                class_name="line-discount-kind",
                style=SELECT_STYLE,
            ),
            "1 1 120px",
        ),
        labelled(
            "Discount",
            "discount-value",
            rx.input(
                value=view["discount_value"],
                on_change=lambda v: S.set_line_extra(index, "discount_value", v),
                aria_label="Line discount",
                input_mode="decimal",
                id=prefix + "discount-value",
                class_name="line-discount-value",
                width="100%",
                debounce_timeout=0,
                custom_attrs=invalid_attrs(discount_error, discount_error_id),
            ),
            "1 1 100px",
            rx.cond(
                discount_error != "",
                rx.text(discount_error, id=discount_error_id, color_scheme="red", size="1", class_name="field-error", role="alert"),
            ),
        ),
        gap="0.75em",
        wrap="wrap",
        width="100%",
        align="start",
    )


def _line(view, index) -> rx.Component:
    from invoice_crm.state.editor import EditorState as S

    return rx.vstack(rx.flex(
        _line_input(view, index, "description", "Description", "3 1 220px"),
        _line_input(view, index, "quantity", "Quantity", "1 1 80px", input_mode="decimal", auto_complete="off"),
        _line_input(view, index, "unit_price", "Unit price", "1 1 110px", input_mode="decimal", auto_complete="off"),
        rx.box(
            rx.text("Line total", as_="div", size="1", weight="medium", class_name="line-label"),
            rx.text(
                view["total_display"],
                class_name="line-total",
                text_align="right",
                padding_top="0.4em",
                style={"font_variant_numeric": "tabular-nums"},
            ),
            flex="1 1 100px",
            text_align="right",
        ),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            variant="ghost",
            color_scheme="red",
            on_click=S.remove_line(index),
            aria_label="Remove line " + (index + 1).to_string(),
            class_name="line-remove",
            margin_top="1.6em",
        ),
        gap="0.75em",
        wrap="wrap",
        width="100%",
        align="start",
    ), _line_extras(view, index), width="100%", spacing="2", class_name="line-item", key=view["key"],
       padding_bottom="0.75em", border_bottom="1px solid var(--gray-a4)")


def line_items_editor() -> rx.Component:
    from invoice_crm.state.editor import EditorState as S

    return rx.vstack(
        rx.hstack(
            rx.text("Line items", weight="medium"),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16), "Add line", variant="soft", size="2", on_click=S.add_line, id="add-line", type="button"),
            width="100%",
            align="center",
        ),
        rx.foreach(S.line_views, _line),
        field_error(S.errors.get("lines", "")),
        rx.hstack(
            rx.spacer(),
            rx.text("Total", weight="medium"),
            rx.text(S.total_display, size="5", weight="bold", id="invoice-total"),
            align="center",
            spacing="3",
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def line_items_table(lines) -> rx.Component:
    """Read-only lines, as shown on the invoice page and the client's pay page."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Description"),
                # On a phone the quantity and price go under the description ("2 × $80.00"):
                # four columns cut the Total off at 390 px.
                rx.table.column_header_cell("Qty", text_align="right", display=WIDE_ONLY),
                rx.table.column_header_cell("Unit price", text_align="right", display=WIDE_ONLY),
                rx.table.column_header_cell("Total", text_align="right"),
            )
        ),
        rx.table.body(
            rx.foreach(
                lines,
                lambda line: rx.table.row(
                    rx.table.cell(
                        line["description"],
                        rx.cond(
                            (line["taxes"] != "") | (line["discount"] != ""),
                            rx.text(
                                rx.cond(line["discount"] != "", rx.text.span("Discount ", line["discount"], class_name="line-discount")),
                                rx.cond((line["taxes"] != "") & (line["discount"] != ""), " · ", ""),
                                rx.text.span(line["taxes"], class_name="line-taxes"),
                                size="1", color_scheme="gray",
                            ),
                        ),
                        rx.text(line["quantity"], " × ", line["unit_price"], size="1", color_scheme="gray",
                                display=PHONE_ONLY, class_name="line-qty-price"),
                        # A long word or a pasted URL wraps: the amounts stay on screen.
                        overflow_wrap="anywhere",
                    ),
                    rx.table.cell(line["quantity"], text_align="right", display=WIDE_ONLY),
                    rx.table.cell(line["unit_price"], text_align="right", white_space="nowrap", display=WIDE_ONLY),
                    rx.table.cell(line["total"], text_align="right", class_name="line-total", white_space="nowrap"),
                    class_name="line-row",
                ),
            )
        ),
        width="100%",
        variant="surface",
        size=rx.breakpoints(initial="1", sm="2"),  # phones: tighter cells, so no column is cut off
    )
