"""Client pieces shared by pages: the question asked before adding a client whose name or
email another client already has, and the search box beside a client menu (the menus
themselves are forms.select_menu)."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.forms import field_label


def client_search_field(state, select_id: str, label_size: str = "1", **props) -> rx.Component:
    """The box that finds clients for the menu ``select_id`` (state: ClientChoicesMixin): the
    menu offers only what it finds, a few at a time, and the line under it says how to find
    the others. Enter in it submits no form (its ``form`` names none)."""
    search_id, hint_id = f"{select_id}-search", f"{select_id}-search-hint"
    return rx.vstack(
        field_label("Find a client", search_id, size=label_size),  # as the menu's own label
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            id=search_id,
            type="search",
            value=state.client_search,
            on_change=state.find_clients.debounce(250),
            placeholder="Name, company or email",
            width="100%",
            custom_attrs={"form": f"{search_id}-no-form", "autoComplete": "off", "aria-describedby": hint_id,
                          "aria-controls": select_id,
                          # What the menu holds was found for this text (the server's; tests wait on it).
                          "data-searched": state.client_search},
        ),
        # Said once something is typed: a line appearing under the box when the page's data
        # arrives would move everything below it (no layout shift while a page loads).
        rx.text(rx.cond(state.client_search != "", state.client_hint, ""), id=hint_id, size="1",
                color_scheme="gray", aria_live="polite"),
        **{"spacing": "1", "flex": "1 1 180px", "min_width": "0", **props},
    )


def similar_client_question(duplicate_of, cancel, confirm, editing=False) -> rx.Component:
    """Open while ``duplicate_of`` (the existing client's name) is not empty; ``cancel`` is
    the handler that clears it (called with the dialog's open flag), ``confirm`` adds (or,
    while ``editing``, saves) anyway."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("A similar client exists"),
            rx.alert_dialog.description(
                "There is already a client named ", duplicate_of,
                " with the same name or email. ",
                _either(editing, "Save this one with them anyway?", "Add another one anyway?"),
            ),
            rx.hstack(
                # No on_click of its own: Reflex would wrap it in a Flex, and the dialog's first
                # focus (on Cancel) would land on that, leaving focus on the page behind.
                # Closing calls ``cancel`` through on_open_change.
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.button(_either(editing, "Save anyway", "Add anyway"), on_click=confirm),
                justify="end", spacing="3", margin_top="1em",
            ),
        ),
        open=duplicate_of != "",
        on_open_change=cancel,
    )


def _either(editing, when_editing: str, when_adding: str):
    return rx.cond(editing, when_editing, when_adding) if isinstance(editing, rx.Var) else (when_editing if editing else when_adding)
