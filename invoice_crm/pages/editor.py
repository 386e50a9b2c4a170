"""/invoices/new and /invoices/[invoice_id]/edit — the draft editor."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.clients import client_search_field, similar_client_question
from invoice_crm.components.forms import (
    field_error,
    form_field,
    invalid_attrs,
    labelled_input,
    labelled_textarea,
    select_menu,
)
from invoice_crm.components.layout import card, layout, link_button, loading_block, page_title
from invoice_crm.components.line_items import line_items_editor
from invoice_crm.domain.money import CURRENCIES
from invoice_crm.state.editor import EditorState as S


def _new_client_form() -> rx.Component:
    # Checked by the server, not the browser, so each refusal shows beside its field; the form
    # keeps what was typed until the client is added (then it closes) or while a similar one is asked about.
    errors = S.client_errors
    return rx.cond(
        S.new_client_open,
        rx.form(
            rx.flex(
                labelled_input("New client name", "new-client-name", errors.get("name", ""), name="name",
                               custom_attrs={"aria-required": "true"}),
                labelled_input("New client email", "new-client-email", errors.get("email", ""), name="email", type="email"),
                labelled_input("New client company (optional)", "new-client-company", errors.get("company", ""), name="company"),
                labelled_textarea("New client address (optional)", "new-client-address", errors.get("address", ""), name="address"),
                rx.button("Add client", type="submit", loading=S.adding_client, disabled=S.adding_client, id="add-client"),
                gap="0.5em",
                wrap="wrap",
                align="end",
                width="100%",
            ),
            on_submit=S.create_client,
            reset_on_submit=False,
            no_validate=True,
            width="100%",
        ),
    )


def _invalid(error_key: str, control_id: str) -> dict:
    """The control's ties to its error under it (form_field gives the error the id ``<id>-error``)."""
    return invalid_attrs(S.errors.get(error_key, ""), f"{control_id}-error")


def _terms() -> rx.Component:
    return rx.vstack(
        rx.flex(
            client_search_field(S, "client-select", label_size="2", flex="1 1 200px"),
            form_field(
                "Client",
                rx.hstack(
                    select_menu(
                        rx.select.trigger(placeholder="Choose a client", id="client-select", flex="1", min_width="0",
                                          custom_attrs=_invalid("client_id", "client-select")),
                        "client-select", S.client_id, S.set_client, options=S.client_options,
                    ),
                    rx.button(
                        rx.icon("user-plus", size=16), "New", variant="soft", type="button",
                        on_click=S.toggle_new_client, id="new-client-toggle",
                    ),
                    width="100%",
                    min_width="0",
                ),
                S.errors.get("client_id", ""),
                html_for="client-select",
                flex="2 1 260px",
                # A long client name is cut short in the menu, never pushing "New" off a phone's screen.
                min_width="0",
            ),
            form_field(
                "Project (optional)",
                select_menu(
                    rx.select.trigger(placeholder="No project", id="project-select", width="100%",
                                      custom_attrs=_invalid("project_id", "project-select")),
                    "project-select", rx.cond(S.project_id == "", "none", S.project_id), S.set_project,
                    items=[("No project", "none")], options=S.project_options,
                ),
                S.errors.get("project_id", ""),
                html_for="project-select",
                flex="1 1 200px",
            ),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        _new_client_form(),
        similar_client_question(S.client_duplicate_of, S.cancel_client_duplicate, S.confirm_client_duplicate),
        rx.flex(
            form_field(
                "Issue date",
                rx.input(type="date", value=S.issue_date, on_change=lambda v: S.set_field("issue_date", v), id="issue-date",
                         custom_attrs=_invalid("issue_date", "issue-date")),
                S.errors.get("issue_date", ""),
                html_for="issue-date",
            ),
            form_field(
                "Due date",
                rx.input(type="date", value=S.due_date, on_change=lambda v: S.set_field("due_date", v), id="due-date",
                         custom_attrs=_invalid("due_date", "due-date")),
                S.errors.get("due_date", ""),
                html_for="due-date",
            ),
            rx.vstack(
                rx.text("Quick pick", size="2", weight="medium"),
                rx.hstack(
                    *[
                        rx.button(f"Net {d}", variant="outline", size="1", type="button", on_click=S.set_due_in(d), id=f"net-{d}")
                        for d in (7, 14, 30)
                    ],
                ),
                spacing="1",
            ),
            form_field(
                "Currency",
                select_menu(
                    rx.select.trigger(id="currency", custom_attrs=_invalid("currency", "currency")), "currency", S.currency, lambda v: S.set_field("currency", v),
                    items=[(code, code) for code in sorted(CURRENCIES)],
                ),
                S.errors.get("currency", ""),
                html_for="currency",
            ),
            gap="1em",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _discount_and_tax() -> rx.Component:
    """The invoice discount, the inclusive switch and the live breakdown (the one total function)."""
    from invoice_crm.components.ledger import breakdown_table
    from invoice_crm.components.line_items import SELECT_STYLE
    from invoice_crm.state.editor_taxes import DISCOUNT_KINDS

    return rx.vstack(
        rx.flex(
            form_field(
                "Invoice discount type",
                rx.el.select(
                    *[rx.el.option(label, value=key) for key, label in DISCOUNT_KINDS],
                    value=S.invoice_discount_kind, on_change=S.set_invoice_discount_kind, id="invoice-discount-kind",
                    style=SELECT_STYLE,
                ),
                html_for="invoice-discount-kind",
                flex="1 1 160px",
            ),
            form_field(
                "Invoice discount",
                rx.input(value=S.invoice_discount_value, on_change=S.set_invoice_discount_value, input_mode="decimal",
                         placeholder=S.invoice_discount_placeholder, id="invoice-discount", debounce_timeout=0,
                         custom_attrs=invalid_attrs(S.errors.get("discount", ""), "invoice-discount-error")),
                S.errors.get("discount", ""),
                html_for="invoice-discount",
                flex="1 1 160px",
            ),
            rx.vstack(
                rx.text("Prices", size="2", weight="medium"),
                rx.checkbox("Prices include tax", checked=S.tax_inclusive, on_change=S.set_tax_inclusive, id="tax-inclusive"),
                spacing="2",
                flex="1 1 160px",
            ),
            gap="1em",
            wrap="wrap",
            width="100%",
            align="start",
        ),
        rx.cond(
            S.tax_rate_note != "",
            rx.callout(S.tax_rate_note, icon="info", color_scheme="amber", size="1", width="100%", id="tax-rate-note"),
        ),
        breakdown_table(S.live_breakdown, "editor-breakdown"),
        width="100%",
        spacing="3",
    )


def _conflict() -> rx.Component:
    """Saved elsewhere since this tab loaded it: nothing was overwritten; reload to see it."""
    return rx.cond(
        S.conflict != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.callout.text(S.conflict, " Your changes here are not saved."),
            rx.button("Reload", size="1", variant="soft", on_click=S.reload_draft, id="reload-draft"),
            color_scheme="red",
            role="alert",
            id="conflict-notice",
            width="100%",
        ),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        _conflict(),
        rx.cond(S.copied_from != "", rx.callout("A copy, not saved yet: Save draft keeps it, Cancel leaves nothing behind.", icon="copy", id="copy-notice", width="100%")),
        card(_terms()),
        card(line_items_editor()),
        card(_discount_and_tax()),
        card(
            form_field(
                "Notes (shown on the invoice)",
                rx.text_area(value=S.notes, on_change=lambda v: S.set_field("notes", v), id="notes", rows="3", width="100%",
                             custom_attrs=_invalid("notes", "notes")),
                S.errors.get("notes", ""),
                html_for="notes",
                width="100%",
            )
        ),
        field_error(S.errors.get("form", "")),
        rx.hstack(
            rx.button(
                rx.icon("save", size=16), "Save draft", on_click=S.save, loading=S.saving, disabled=S.saving, id="save-draft", size="3",
            ),
            rx.cond(
                S.is_new,
                link_button("Cancel", variant="soft", size="3", type="button", href="/"),
                link_button("Cancel", variant="soft", size="3", type="button", href="/invoices/" + S.invoice_id.to_string()),
            ),
            spacing="3",
        ),
        width="100%",
        spacing="4",
        # Read by assets/unsaved_guard.js: ask before leaving with unsaved changes.
        custom_attrs={"data-unsaved-changes": rx.cond(S.unsaved, "true", "false")},
        id="invoice-editor",
    )


def _read_only() -> rx.Component:
    return rx.callout(
        S.read_only_reason,
        icon="lock",
        color_scheme="amber",
        id="read-only-notice",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.cond(
        S.loading,
        loading_block(),
        rx.cond(
            S.not_found,
            rx.callout("Invoice not found.", icon="circle-alert", color_scheme="red"),
            rx.cond(
                S.read_only_reason != "",
                rx.vstack(
                    _read_only(),
                    rx.link("Back to the invoice", href="/invoices/" + S.invoice_id.to_string()),
                    width="100%",
                ),
                _editor(),
            ),
        ),
    )


def new_invoice_page() -> rx.Component:
    return layout(page_title("New invoice"), _body())


def edit_invoice_page() -> rx.Component:
    return layout(page_title(rx.fragment("Edit ", S.number)), _body())
