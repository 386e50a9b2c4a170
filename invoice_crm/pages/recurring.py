"""/recurring (the profiles), /recurring/new and /recurring/<id>/edit (the form), /recurring/<id>
(one profile and the invoices it issued)."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import status_badge
from invoice_crm.components.clients import client_search_field
from invoice_crm.components.forms import field_error, field_label, line_field_label
from invoice_crm.components.layout import WIDE_ONLY, card, layout, link_button, loading_block, page_title
from invoice_crm.components.line_items import SELECT_STYLE
from invoice_crm.state.recurring import RecurringDetailState as D
from invoice_crm.state.recurring import RecurringFormState as F
from invoice_crm.state.recurring import RecurringListState as L

FREQUENCIES = [("weekly", "Weekly"), ("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")]
DELIVERY = [("draft", "Leave each invoice as a draft for review"), ("email", "Email each invoice to the client automatically")]
CATCH_UP = [("each", "Issue each missed period, in order"), ("latest", "Issue only the latest period")]


def _profile_status(status) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("Active", "green"), ("Paused", "amber"), ("Stopped", "red"), "gray"),
        class_name="profile-status",
    )


# --- The list -----------------------------------------------------------------------------------


def _fact(label: str, value, class_name: str = "") -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="2", class_name=class_name),
                     spacing="0", min_width="0")


def _profile_row(p) -> rx.Component:
    return card(
        rx.flex(
            rx.vstack(
                rx.link(p["client"], href="/recurring/" + p["id"], weight="bold"),
                rx.cond(p["what"] != "", rx.text(p["what"], size="2", class_name="profile-what", overflow_wrap="anywhere")),
                rx.text(p["schedule"], " · ", p["auto_send"], rx.cond(p["client_archived"] != "", " · Client archived", ""),
                        size="1", color_scheme="gray"),
                spacing="1", flex="2 1 200px", min_width="0",
            ),
            _fact("Each invoice", p["amount"], "profile-amount"),
            _fact("Next issue", p["next_issue"], "profile-next"),
            _fact("Invoices issued", p["issued"], "profile-issued"),
            _profile_status(p["status"]),
            gap="1.5em", wrap="wrap", align="center",
        ),
        class_name="profile-row",
    )


def recurring_list_page() -> rx.Component:
    return layout(
        page_title("Recurring invoices", link_button(rx.icon("plus", size=16), "New recurring profile",
                                                 href="/recurring/new")),
        rx.cond(
            L.loading, loading_block(),
            rx.cond(
                L.profiles.length() == 0,
                card(rx.text("No recurring profiles yet. A profile issues an invoice every week, month, quarter "
                             "or year — as a draft for review, or emailed to the client.", size="2")),
                rx.vstack(rx.foreach(L.profiles, _profile_row), spacing="3", width="100%"),
            ),
        ),
    )


# --- The form -----------------------------------------------------------------------------------


def _field(label: str, control: rx.Component, name: str, hint: str = "", flex: str = "1 1 200px", **props) -> rx.Component:
    return rx.vstack(
        field_label(label, f"recurring-{name}"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")) if hint else rx.fragment(),
        field_error(F.errors.get(name, "")),
        spacing="1", flex=flex, min_width="0", **props,
    )


def _text_input(name: str, **props) -> rx.Component:
    return rx.input(id=f"recurring-{name}", name=name, default_value=F.values.get(name, ""), width="100%", **props)


def _native_select(name: str, options: list[tuple[str, str]], **props) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(label, value=value) for value, label in options],
        id=f"recurring-{name}", name=name, style=SELECT_STYLE, **props,
    )


def _line_cell(line, field: str, label: str, flex: str, control=None) -> rx.Component:
    input_id = "recurring-line-" + line["index"] + "-" + field
    error = F.errors.get("lines." + line["index"] + "." + field, "")
    return rx.box(
        line_field_label(label, line["number"], input_id),
        control if control is not None else rx.input(
            id=input_id, name="line-" + line["index"] + "-" + field, default_value=line[field], width="100%",
            # A number shows as it will be billed once left (as in the invoice editor).
            **({"on_blur": lambda v: F.leave_line_field(line["index"], field, v)} if field != "description" else {}),
        ),
        field_error(error),
        flex=flex, min_width="0",
    )


def _line(line) -> rx.Component:
    tax = rx.el.select(
        rx.el.option("No tax", value=""),
        rx.foreach(F.tax_options, lambda t: rx.el.option(t["label"], value=t["id"])),
        id="recurring-line-" + line["index"] + "-tax", name="line-" + line["index"] + "-tax",
        default_value=line["tax"], style=SELECT_STYLE,
    )
    return rx.flex(
        _line_cell(line, "description", "Description", "3 1 220px"),
        _line_cell(line, "quantity", "Quantity", "1 1 80px"),
        _line_cell(line, "unit_price", "Unit price", "1 1 110px"),
        _line_cell(line, "tax", "Tax", "1 1 130px", tax),
        _line_cell(line, "discount", "Discount %", "1 1 90px"),
        gap="0.75em", wrap="wrap", width="100%", class_name="recurring-line",
        padding_bottom="0.5em", border_bottom="1px solid var(--gray-a4)",
    )


def _lines() -> rx.Component:
    return card(
        rx.vstack(
            rx.heading("Lines", size="4", as_="h2"),
            rx.text("Every invoice copies these lines, with their taxes and discounts. A line left empty is left out.",
                    size="1", color_scheme="gray"),
            rx.foreach(F.lines, _line),
            field_error(F.errors.get("lines", "")),
            rx.cond(F.can_add_line, rx.button(rx.icon("plus", size=14), "Add line", type="button", variant="soft",
                                              size="1", on_click=F.add_line)),
            spacing="3", width="100%",
        )
    )


def _who() -> rx.Component:
    return card(rx.flex(
        client_search_field(F, "recurring-client_id", label_size="2"),
        _field("Client", rx.el.select(
            rx.el.option("Choose a client", value=""),
            rx.foreach(F.client_options, lambda c: rx.el.option(c["name"], value=c["id"])),
            id="recurring-client_id", name="client_id", value=F.client_id,
            on_change=F.set_client, style=SELECT_STYLE,
        ), "client_id"),
        _field("Project (optional)", rx.el.select(
            rx.el.option("No project", value=""),
            rx.foreach(F.project_options, lambda p: rx.el.option(p["name"], value=p["id"])),
            id="recurring-project_id", name="project_id", default_value=F.values.get("project_id", ""),
            style=SELECT_STYLE,
        ), "project_id"),
        _field("Currency", _text_input("currency", max_length=3, on_blur=F.leave_currency), "currency", flex="0 1 120px"),
        gap="1em", wrap="wrap", width="100%",
    ))


def _schedule() -> rx.Component:
    return card(rx.vstack(
        rx.heading("Schedule", size="4", as_="h2"),
        rx.flex(
            _field("Frequency", _native_select("frequency", FREQUENCIES,
                                               default_value=F.values.get("frequency", "monthly")), "frequency"),
            _field("Repeat every", _text_input("every", input_mode="numeric"), "every",
                   "1: every week, month …; 2: every other one", flex="1 1 140px"),
            _field("Day of the month", _text_input("day_of_month", input_mode="numeric"), "day_of_month",
                   "Empty: the start date's day. 31: the last day of shorter months.", flex="1 1 180px"),
            gap="1em", wrap="wrap", width="100%",
        ),
        rx.flex(
            _field("Start date", _text_input("start_date", type="date"), "start_date"),
            _field("End date (optional)", _text_input("end_date", type="date"), "end_date"),
            _field("Number of invoices (optional)", _text_input("occurrences", input_mode="numeric"), "occurrences",
                   "Or an end date; empty: until stopped"),
            gap="1em", wrap="wrap", width="100%",
        ),
        spacing="3", width="100%",
    ))


def _terms() -> rx.Component:
    return card(rx.vstack(
        rx.heading("Each invoice", size="4", as_="h2"),
        rx.flex(
            _field("Payment terms (days)", _text_input("payment_terms_days", input_mode="numeric"),
                   "payment_terms_days", "Due this many days after the invoice is issued", flex="1 1 180px"),
            _field("After downtime", _native_select("catch_up", CATCH_UP,
                                                    default_value=F.values.get("catch_up", "each")), "catch_up",
                   "When the app was off while periods fell due", flex="2 1 240px"),
            gap="1em", wrap="wrap", width="100%",
        ),
        _field("Delivery", _native_select("delivery", DELIVERY, default_value=F.values.get("delivery", "draft")),
               "delivery", "Emailed: with the PDF and the pay link, through the same path as Send", flex="1 1 100%"),
        _field("Notes", rx.text_area(id="recurring-notes", name="notes", default_value=F.values.get("notes", ""),
                                     width="100%", rows="3"), "notes", flex="1 1 100%", width="100%"),
        spacing="3", width="100%",
    ))


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _who(), _lines(), _schedule(), _terms(),
            field_error(F.errors.get("form", "")),
            rx.hstack(
                link_button("Cancel", type="button", variant="soft", color_scheme="gray",
                        href=rx.cond(F.is_new, "/recurring", "/recurring/" + F.profile_id.to_string())),
                rx.button(rx.cond(F.saving, rx.spinner(size="1"), rx.icon("check", size=16)), "Save profile",
                          type="submit", disabled=F.saving, id="save-profile"),
                justify="end", width="100%",
            ),
            spacing="4", width="100%",
        ),
        on_submit=F.save, key=F.form_key, width="100%",
        # Read by assets/unsaved_guard.js: anything typed or chosen here is asked about before
        # leaving, until the form is drawn afresh (a save empties form_key, its key).
        custom_attrs={"data-unsaved-changes": "false", "data-unsaved-on-input": "true",
                      "data-unsaved-message": "You have unsaved changes to this recurring profile. Leave without saving?"},
    )


def recurring_form_page() -> rx.Component:
    return layout(
        page_title(rx.cond(F.is_new, "New recurring profile", "Edit recurring profile")),
        rx.cond(
            F.loading, loading_block(),
            rx.cond(
                F.not_found, rx.heading("Recurring profile not found", size="5"),
                rx.vstack(
                    rx.cond(~F.is_new, rx.callout("Changes apply to invoices issued from now on; those already "
                                                  "issued stay as they are.", icon="info", width="100%")),
                    rx.cond(F.keeps_hidden, rx.callout(
                        "This profile also has a second tax, an amount discount or an invoice discount that "
                        "this form does not show; they are kept as they are.", icon="info", width="100%")),
                    _form(), spacing="4", width="100%",
                ),
            ),
        ),
    )


# --- One profile --------------------------------------------------------------------------------


def _invoice_row(row) -> rx.Component:
    return rx.table.row(
        # A reference reads as one word: "Draft D-0027" or "INV-2026-0016" never breaks at its hyphen.
        rx.table.row_header_cell(rx.cond(
            row["invoice_id"] != "", rx.link(row["number"], href="/invoices/" + row["invoice_id"]), row["number"],
        ), white_space="nowrap", class_name="profile-invoice-ref"),
        rx.table.cell(row["period"]),
        rx.table.cell(rx.cond(row["status"] != "", status_badge(row["status"]), "")),
        rx.table.cell(row["amount"], text_align="right", white_space="nowrap"),
        rx.table.cell(row["note"], display=WIDE_ONLY, class_name="profile-invoice-delivery"),
        class_name="profile-invoice-row",
    )


def _detail_actions() -> rx.Component:
    p = D.profile
    return rx.hstack(
        rx.cond(p["can_edit"] == "yes", link_button("Edit profile", variant="soft",
                                                href="/recurring/" + p["id"] + "/edit")),
        # Pause and Resume take each other's place: a double click counts once (assets/toggle_guard.js).
        rx.cond(p["can_pause"] == "yes", rx.button("Pause", variant="soft", loading=D.busy,
                                                   on_click=D.change_status("pause"), custom_attrs={"data-toggle": "true"})),
        rx.cond(p["can_resume"] == "yes", rx.button("Resume", loading=D.busy, on_click=D.change_status("resume"),
                                                    custom_attrs={"data-toggle": "true"})),
        rx.cond(p["can_stop"] == "yes", _stop_dialog()),
        wrap="wrap",
    )


def _stop_dialog() -> rx.Component:
    """Stop is final, and on a phone it sits beside Pause: it asks first, as Delete draft does."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Stop", color_scheme="red", variant="soft", loading=D.busy,
                                          on_click=D.open_stop, id="stop-profile")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Stop this profile?"),
            rx.alert_dialog.description(
                "No more invoices will be issued from it. Invoices already issued stay as they are. "
                "This cannot be undone.", size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Stop profile", color_scheme="red", on_click=D.confirm_stop,
                                                 id="confirm-stop")),
                justify="end", spacing="3", margin_top="1em",
            ),
        ),
    )


def _bill_row(line) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line["description"], overflow_wrap="anywhere"),
        rx.table.cell(line["quantity"], " × ", line["unit_price"], text_align="right", white_space="nowrap"),
        rx.table.cell(line["discount"], display=WIDE_ONLY),
        rx.table.cell(line["taxes"], display=WIDE_ONLY),
        rx.table.cell(line["total"], text_align="right", white_space="nowrap"),
        class_name="profile-line",
    )


def _detail_body() -> rx.Component:
    p = D.profile
    return rx.vstack(
        page_title(rx.hstack(rx.text("Recurring: "), rx.link(p["client"], href="/clients/" + p["client_id"]),
                             _profile_status(p["status"]), align="center", wrap="wrap"), _detail_actions()),
        rx.cond(p["client_archived"] != "", rx.callout.root(
            rx.callout.icon(rx.icon("archive", size=16)),
            rx.callout.text(p["client"], " is archived. An archived client's profile keeps issuing invoices until "
                            "it is paused or stopped."),
            color_scheme="amber", id="profile-client-archived", width="100%",
        )),
        card(rx.flex(
            _fact("Schedule", p["schedule"]),
            _fact("Next issue", p["next_issue"], "profile-next"),
            _fact("Each invoice", p["amount"], "profile-amount"),
            _fact("Starts", p["starts"]),
            _fact("Ends", p["ends"]),
            _fact("Terms", p["terms"]),
            _fact("Delivery", p["auto_send"]),
            _fact("After downtime", p["catch_up"]),
            rx.cond(p["project"] != "", _fact("Project", p["project"])),
            gap="1.5em", wrap="wrap",
        )),
        rx.cond(D.lines.length() > 0, card(
            rx.heading("Each invoice bills", size="4", as_="h2"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Description"),
                    rx.table.column_header_cell("Qty × unit price", text_align="right"),
                    rx.table.column_header_cell("Discount", display=WIDE_ONLY),
                    rx.table.column_header_cell("Tax", display=WIDE_ONLY),
                    rx.table.column_header_cell("Total", text_align="right"),
                )),
                rx.table.body(rx.foreach(D.lines, _bill_row)),
                width="100%", variant="ghost",
            ),
            overflow_x="auto",
        )),
        card(
            rx.heading("Invoices issued", size="4", as_="h2"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Invoice"), rx.table.column_header_cell("Period"),
                    rx.table.column_header_cell("Status"), rx.table.column_header_cell("Amount", text_align="right"),
                    rx.table.column_header_cell("Delivery", display=WIDE_ONLY),
                )),
                rx.table.body(rx.foreach(D.invoices, _invoice_row)),
                width="100%", variant="ghost",
            ),
            rx.cond(D.invoices.length() == 0, rx.text("None yet.", size="2", color_scheme="gray")),
            overflow_x="auto",
        ),
        spacing="5", width="100%",
    )


def recurring_detail_page() -> rx.Component:
    return layout(
        rx.cond(D.loading, loading_block(),
                rx.cond(D.not_found, rx.heading("Recurring profile not found", size="5"), _detail_body())),
    )


def recurring_edit_page() -> rx.Component:
    return recurring_form_page()
