"""/clients, /projects, /leads — minimal lists with create and edit."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.badges import lead_badge
from invoice_crm.components.clients import client_search_field, similar_client_question
from invoice_crm.components.forms import (
    KEEP_TYPED,
    dialog_actions,
    field_error,
    field_label,
    invalid_attrs,
    labelled_input,
    labelled_textarea,
    search_field,
    select_menu,
)
from invoice_crm.components.layout import PHONE_ONLY, WIDE_ONLY, card, layout, loading_block, page_title
from invoice_crm.domain.leads import PIPELINE
from invoice_crm.state.directory import (
    ADD_CLIENT_FORM,
    ADD_LEAD_FORM,
    ADD_PROJECT_FORM,
    ClientsState,
    LeadsState,
    ProjectsState,
)


def _client_form(on_submit, errors, values=None, submit_label="Add client", form_id=None) -> rx.Component:
    """The add form (``form_id``: never emptied by a submit, only by the state once the client
    is added, so a refusal or the similar-client question keeps what was typed) or the edit
    dialog's form (``values``). Each refusal in ``errors`` shows under its own field, tied to
    it (aria-invalid, aria-describedby), as on the other pages' forms."""
    values = {} if values is None else values
    prefix = "client" if form_id is not None else "edit-client"

    def field(label, name, **props):
        return labelled_input(label, f"{prefix}-{name.replace('_', '-')}", errors.get(name, ""), name=name,
                              default_value=values.get(name, ""), **props)

    return rx.form(
        rx.flex(
            field("Client name", "name", required=True),
            field("Client email", "email", type="email"),
            field("Company", "company"),
            labelled_textarea("Address", f"{prefix}-address", errors.get("address", ""), name="address",
                              default_value=values.get("address", "")),
            field("Client tax number", "tax_number"),
            rx.vstack(
                rx.text("\u00a0", size="1", aria_hidden="true"),  # the labels' line: the button sits level with the inputs
                rx.button(submit_label, type="submit"),
                spacing="1",
            ),
            # The add form carries the key it was drawn with: a double click's two
            # submissions are one intent (DirectoryState._intent).
            *([rx.el.input(type="hidden", name="form_key", value=ClientsState.form_key)] if form_id is not None else []),
            gap="0.5em",
            wrap="wrap",
            # Aligned at the top: an error under one field does not push the others down.
            align="start",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
        id=form_id,
    )


def _list(state, waiting: str, table: rx.Component) -> rx.Component:
    # The table appears in one piece once its rows are read: its columns never resize in view.
    return rx.cond(state.loaded, card(table, overflow_x="auto"), loading_block(waiting))


def _client_row(client) -> rx.Component:
    # On a phone: name with email and company under it, the count, and the actions.
    return rx.table.row(
        rx.table.row_header_cell(
            rx.hstack(
                rx.link(client["name"], href="/clients/" + client["id"], overflow_wrap="anywhere"),
                rx.cond(client["archived"] != "", rx.badge("Archived", color_scheme="gray")),
                spacing="2", align="center", wrap="wrap",
            ),
            rx.text(client["email"], size="1", color_scheme="gray", display=PHONE_ONLY, overflow_wrap="anywhere"),
        ),
        # A long name, email or company wraps anywhere (a name without spaces, an address):
        # the table's columns stay in the card.
        rx.table.cell(client["email"], display=WIDE_ONLY, overflow_wrap="anywhere"),
        rx.table.cell(client["company"], display=WIDE_ONLY, overflow_wrap="anywhere"),
        rx.table.cell(client["invoices"], text_align="right"),
        rx.table.cell(
            rx.flex(
                # An archived client is not offered in the editor: no link to an empty choice.
                rx.cond(
                    client["archived"] == "",
                    rx.link("New invoice", href="/invoices/new?client=" + client["id"], size="2", white_space="nowrap"),
                ),
                rx.button("Edit", size="1", variant="soft", on_click=ClientsState.start_edit(client), aria_label="Edit " + client["name"]),
                spacing="2",
                wrap="wrap",
                align="center",
            )
        ),
        class_name="client-row",
    )


def _clients_toolbar() -> rx.Component:
    S = ClientsState
    return rx.flex(
        search_field("Search clients", "client-search", "Name, company or email", S.search, S.set_search, type="search"),
        _pager("clients-range"),
        wrap="wrap",
        gap="0.75em",
        align="end",
        justify="between",
        width="100%",
    )


def _pager(range_id: str = "") -> rx.Component:
    """The range shown and Previous/Next: above the list, and again under a long one (the one
    above is the range read out when it changes, by its id)."""
    S = ClientsState
    extra = {"id": range_id, "aria_live": "polite"} if range_id else {}
    return rx.hstack(
        rx.text(S.range_label, size="2", color_scheme="gray", **extra),
        rx.button("Previous", size="1", variant="soft", on_click=S.previous_page, disabled=S.page <= 1),
        rx.button("Next", size="1", variant="soft", on_click=S.next_page, disabled=S.page >= S.page_count),
        spacing="2",
        align="center",
    )


def _clients_table() -> rx.Component:
    S = ClientsState
    return rx.cond(
        S.total == 0,
        rx.text(
            rx.cond(S.search.strip() != "", "No client's name, company or email has this text.", "No clients yet: add the first one above."),
            color_scheme="gray", size="2", id="clients-empty",
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Name"),
                    rx.table.column_header_cell("Email", display=WIDE_ONLY),
                    rx.table.column_header_cell("Company", display=WIDE_ONLY),
                    rx.table.column_header_cell("Invoices", text_align="right"),
                    rx.table.column_header_cell("Actions"),
                )
            ),
            rx.table.body(rx.foreach(S.clients, _client_row)),
            width="100%",
            variant="ghost",
            size=rx.breakpoints(initial="1", sm="2"),
        ),
    )


def clients_page() -> rx.Component:
    S = ClientsState
    return layout(
        page_title("Clients"),
        # The form, the search and the list are drawn in one piece once the page's data is in:
        # a form in the page's first paint was laid out again as the app started (a slow
        # device saw its fields jump a row down).
        rx.cond(
            S.loaded,
            rx.vstack(
                card(rx.vstack(rx.text("Add a client", weight="medium"), _client_form(S.create, S.errors, form_id=ADD_CLIENT_FORM),
                             field_error(S.add_error), width="100%")),
                _clients_toolbar(),
                _list(S, "Loading clients…", rx.vstack(_clients_table(), rx.cond(S.page_count > 1, _pager()), width="100%", spacing="3")),
                spacing="5",
                width="100%",
            ),
            loading_block("Loading clients…"),
        ),
        similar_client_question(S.duplicate_of, S.cancel_duplicate, S.confirm_duplicate, S.pending_edit),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Edit client"),
                _client_form(S.save_edit, S.edit_errors, S.form, "Save"),
                field_error(S.edit_error, "edit-client-error"),
                **KEEP_TYPED,
            ),
            open=S.edit_open,
            on_open_change=S.set_edit_open,
        ),
    )


def _client_picker(state, picker_id: str) -> rx.Component:
    error, error_id = state.errors.get("client_id", ""), f"{picker_id}-error"
    return rx.fragment(
        client_search_field(state, picker_id),
        rx.vstack(
            field_label("Client", picker_id, size="1"),
            select_menu(
                rx.select.trigger(placeholder="Choose a client", id=picker_id, width="100%", custom_attrs=invalid_attrs(error, error_id)),
                picker_id, state.new_client_id, state.set_new_client_id, options=state.client_options,
            ),
            field_error(error, error_id),
            spacing="1",
            flex="1 1 160px",
            min_width="0",
        ),
    )


def _create_for_client(state, picker_id: str, field: rx.Component, label: str, form_id: str) -> rx.Component:
    # Checked by the server, not the browser, so each refusal shows beside its own field; the
    # form keeps what was typed until the create succeeds (the state empties it then).
    # Aligned at the top: an error under one field does not push the others down.
    return card(
        rx.form(
            rx.flex(
                _client_picker(state, picker_id), field,
                rx.vstack(
                    rx.text("\u00a0", size="1", aria_hidden="true"),  # the labels' line: the button sits level with the inputs
                    rx.button(label, type="submit", loading=state.creating, disabled=state.creating),
                    spacing="1",
                ),
                rx.el.input(type="hidden", name="form_key", value=state.form_key),  # one intent per key
                gap="0.5em", wrap="wrap", align="start",
            ),
            on_submit=state.create,
            reset_on_submit=False,
            no_validate=True,
            id=form_id,
        ),
        field_error(state.errors.get("", "")),  # a refusal that names no field of the form
    )


def _rename_field(p) -> rx.Component:
    """A project's name, saved when the field loses focus or on Enter (its own small form). A
    refused name keeps what was typed, with the reason under it, so it is put right in place."""
    S = ProjectsState
    error, error_id = S.rename_errors.get(p["id"], ""), "rename-project-error-" + p["id"]
    return rx.form(
        rx.input(
            name="name", default_value=p["name"], on_blur=lambda v: S.rename(p["id"], v),
            aria_label="Rename project " + p["name"], variant="soft", width="100%", id="project-name-" + p["id"],
            # Escape puts the saved name back (assets/escape_reverts.js).
            custom_attrs={**invalid_attrs(error, error_id), "data-escape-reverts": "true"},
            # Not controlled: its key (the project) keeps it with its row when the rows move
            # (a new project on top). A name changed elsewhere comes in as its default value;
            # a rename here does not draw it again, so the keyboard stays in it after Enter.
            key=p["id"],
        ),
        rx.cond(error != "", rx.text(error, id=error_id, color_scheme="red", size="1", class_name="field-error", role="alert")),
        # The project rides in the form: the submit handler is declared once for the page,
        # outside the rows, so it cannot name a row's project itself.
        rx.el.input(type="hidden", name="id", value=p["id"]),
        on_submit=S.submit_rename,
        reset_on_submit=False,
        no_validate=True,
    )


def _rename_lead_dialog() -> rx.Component:
    """A lead's title, changed in a small dialog (the list shows titles as text). A refused
    title keeps what was typed, with the reason under the field; saved, the dialog closes."""
    S = LeadsState
    error = S.rename_errors.get(S.renaming_id, "")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename lead"),
            rx.form(
                rx.vstack(
                    rx.flex(  # a row: the field's flex basis is its width, and it takes the whole line
                        labelled_input("New title", "rename-lead-title", error, name="title", default_value=S.renaming_title,
                                       key=S.renaming_id, custom_attrs={"aria-required": "true"}, auto_focus=True),
                        width="100%",
                    ),
                    dialog_actions(rx.button("Save title", type="submit")),
                    spacing="3",
                ),
                on_submit=S.submit_rename,
                reset_on_submit=False,
                no_validate=True,
            ),
            max_width="28em",
            **KEEP_TYPED,
        ),
        open=S.renaming_id != "",
        on_open_change=S.set_rename_open,
    )


def projects_page() -> rx.Component:
    S = ProjectsState
    return layout(
        page_title("Projects"),
        _create_for_client(
            S, "project-client",
            labelled_input("Project name", "project-name", S.errors.get("name", ""), name="name", custom_attrs={"aria-required": "true"}),
            "Add project", ADD_PROJECT_FORM,
        ),
        _list(
            S,
            "Loading projects…",
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Project"), rx.table.column_header_cell("Client", display=WIDE_ONLY),
                )),
                rx.table.body(
                    rx.foreach(
                        S.projects,
                        lambda p: rx.table.row(
                            rx.table.cell(
                                _rename_field(p),
                                # On a phone the client is under the name, which keeps the row's width.
                                rx.text(p["client"], display=PHONE_ONLY, size="1", color_scheme="gray",
                                        overflow_wrap="anywhere", margin_top="0.25em"),
                            ),
                            rx.table.cell(p["client"], display=WIDE_ONLY, overflow_wrap="anywhere"),
                            class_name="project-row",
                        ),
                    )
                ),
                width="100%",
                variant="ghost",
            ),
        ),
    )


def leads_page() -> rx.Component:
    S = LeadsState
    return layout(
        page_title("Leads"),
        _create_for_client(
            S, "lead-client",
            labelled_input("Lead title", "lead-title", S.errors.get("title", ""), name="title",
                           custom_attrs={"aria-required": "true"}, placeholder="What the lead is about"),
            "Add lead", ADD_LEAD_FORM,
        ),
        _list(
            S,
            "Loading leads…",
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Lead"),
                        rx.table.column_header_cell("Client", display=WIDE_ONLY),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell("Move to"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.leads,
                        lambda lead: rx.table.row(
                            rx.table.cell(
                                rx.hstack(
                                    # A title without spaces (a pasted address) wraps: the table keeps its columns.
                                    rx.text(lead["title"], class_name="lead-title", overflow_wrap="anywhere", min_width="0"),
                                    rx.icon_button(
                                        rx.icon("pencil", size=14), size="1", variant="ghost", color_scheme="gray",
                                        aria_label="Rename lead " + lead["title"], title="Rename",
                                        on_click=S.start_rename(lead["id"], lead["title"]),
                                    ),
                                    align="center", spacing="2", min_width="0",
                                ),
                                # On a phone the client is under the title: four columns do not fit.
                                rx.text(lead["client"], display=PHONE_ONLY, size="1", color_scheme="gray"),
                            ),
                            rx.table.cell(lead["client"], display=WIDE_ONLY),
                            rx.table.cell(lead_badge(lead["status"]), class_name="lead-status"),
                            rx.table.cell(
                                select_menu(
                                    rx.select.trigger(aria_label="Move " + lead["title"] + " to"), "lead-move", lead["status"],
                                    lambda v: S.set_status(lead["id"], v), items=[(s.value.capitalize(), s.value) for s in PIPELINE], size="1",
                                ),
                            ),
                            class_name="lead-row",
                        ),
                    )
                ),
                width="100%",
                variant="ghost",
            ),
        ),
        _rename_lead_dialog(),
    )
