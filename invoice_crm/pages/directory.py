"""/clients, /projects, /leads — minimal lists with create and edit."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import lead_badge
from invoice_crm.components.forms import field_error
from invoice_crm.components.layout import card, layout, page_title
from invoice_crm.state.directory import ClientsState, LeadsState, ProjectsState


def _client_form(on_submit, values=None, submit_label="Add client", reset=True) -> rx.Component:
    values = {} if values is None else values
    return rx.form(
        rx.flex(
            rx.input(name="name", placeholder="Name", required=True, default_value=values.get("name", ""), aria_label="Client name", id="client-name" if reset else "edit-client-name"),
            rx.input(name="email", placeholder="Email", type="email", default_value=values.get("email", ""), aria_label="Client email"),
            rx.input(name="company", placeholder="Company", default_value=values.get("company", ""), aria_label="Company"),
            rx.input(name="address", placeholder="Address", default_value=values.get("address", ""), aria_label="Address"),
            rx.input(name="tax_number", placeholder="Tax number", default_value=values.get("tax_number", ""), aria_label="Client tax number"),
            rx.button(submit_label, type="submit"),
            gap="0.5em",
            wrap="wrap",
        ),
        on_submit=on_submit,
        reset_on_submit=reset,
        width="100%",
    )


def _client_row(client) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.link(client["name"], href="/clients/" + client["id"]),
                rx.cond(client["archived"] != "", rx.badge("Archived", color_scheme="gray")),
                spacing="2", align="center",
            )
        ),
        rx.table.cell(client["email"]),
        rx.table.cell(client["company"], display=["none", "table-cell"]),
        rx.table.cell(client["invoices"]),
        rx.table.cell(
            rx.hstack(
                rx.link("New invoice", href="/invoices/new?client=" + client["id"], size="2"),
                rx.button("Edit", size="1", variant="soft", on_click=ClientsState.start_edit(client)),
                spacing="3",
            )
        ),
        class_name="client-row",
    )


def clients_page() -> rx.Component:
    S = ClientsState
    return layout(
        page_title("Clients"),
        card(rx.vstack(rx.text("Add a client", weight="medium"), _client_form(S.create), field_error(S.error), width="100%")),
        card(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Name", "Email")], rx.table.column_header_cell("Company", display=["none", "table-cell"]), rx.table.column_header_cell("Invoices"), rx.table.column_header_cell(""))),
                rx.table.body(rx.foreach(S.clients, _client_row)),
                width="100%",
                variant="ghost",
            ),
            overflow_x="auto",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.content(
                rx.alert_dialog.title("A similar client exists"),
                rx.alert_dialog.description(
                    "There is already a client named ", S.duplicate_of, " with the same name or email. Add another one anyway?"
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", on_click=S.cancel_duplicate(False))),
                    rx.button("Add anyway", on_click=S.confirm_duplicate),
                    justify="end", spacing="3", margin_top="1em",
                ),
            ),
            open=S.duplicate_of != "",
            on_open_change=S.cancel_duplicate,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Edit client"),
                _client_form(S.save_edit, S.form, "Save", reset=False),
                field_error(S.error),
            ),
            open=S.edit_open,
            on_open_change=S.set_edit_open,
        ),
    )


def _client_picker(state) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Client"),
        rx.select.content(rx.foreach(state.client_options, lambda c: rx.select.item(c["name"], value=c["id"]))),
        value=state.new_client_id,
        on_change=state.set_new_client_id,
    )


def _create_for_client(state, field: rx.Component, label: str) -> rx.Component:
    return card(
        rx.form(
            rx.flex(_client_picker(state), field, rx.button(label, type="submit", loading=state.creating, disabled=state.creating), gap="0.5em", wrap="wrap"),
            on_submit=state.create,
            reset_on_submit=True,
        ),
        field_error(state.error),
    )


def projects_page() -> rx.Component:
    S = ProjectsState
    return layout(
        page_title("Projects"),
        _create_for_client(
            S, rx.input(name="name", placeholder="Project name", required=True, aria_label="Project name"), "Add project"
        ),
        card(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell("Project"), rx.table.column_header_cell("Client"))),
                rx.table.body(
                    rx.foreach(
                        S.projects,
                        lambda p: rx.table.row(
                            rx.table.cell(
                                rx.input(default_value=p["name"], on_blur=lambda v: S.rename(p["id"], v), aria_label="Project name", variant="soft")
                            ),
                            rx.table.cell(p["client"]),
                        ),
                    )
                ),
                width="100%",
                variant="ghost",
            )
        ),
    )


def leads_page() -> rx.Component:
    S = LeadsState
    return layout(
        page_title("Leads"),
        _create_for_client(
            S, rx.input(name="title", placeholder="What the lead is about", required=True, aria_label="Lead title"), "Add lead"
        ),
        card(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Lead", "Client", "Status", "Move to")])),
                rx.table.body(
                    rx.foreach(
                        S.leads,
                        lambda lead: rx.table.row(
                            rx.table.cell(lead["title"]),
                            rx.table.cell(lead["client"]),
                            rx.table.cell(lead_badge(lead["status"]), class_name="lead-status"),
                            rx.table.cell(rx.select(S.statuses, value=lead["status"], on_change=lambda v: S.set_status(lead["id"], v), size="1")),
                            class_name="lead-row",
                        ),
                    )
                ),
                width="100%",
                variant="ghost",
            ),
            overflow_x="auto",
        ),
    )
