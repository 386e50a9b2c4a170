"""Client pieces shared by pages: the client menu, and the question asked before adding a
client whose name or email another client already has."""

from __future__ import annotations

import reflex as rx
from reflex.experimental.client_state import ClientStateVar


def client_select(options, value, on_change, trigger: rx.Component, trigger_id: str) -> rx.Component:
    """A menu of the clients (``options``: dicts with "id" and "name").

    Radix's Select renders every item of a closed menu to find the chosen one's text, on every
    update of the page: with hundreds of clients that was most of the editor's load. Closed,
    this menu renders only the chosen client's item; whether it is open is kept in the browser
    (no round trip), and the open menu renders them all."""
    menu_open = ClientStateVar.create(trigger_id.replace("-", "_") + "_open", False)
    return rx.select.root(
        trigger,
        rx.select.content(
            rx.foreach(
                options,
                lambda c: rx.cond(menu_open.value | (c["id"] == value), rx.select.item(c["name"], value=c["id"])),
            )
        ),
        value=value,
        on_change=on_change,
        on_open_change=menu_open.set,
    )


def similar_client_question(duplicate_of, cancel, confirm) -> rx.Component:
    """Open while ``duplicate_of`` (the existing client's name) is not empty; ``cancel`` is
    the handler that clears it (called with the dialog's open flag), ``confirm`` adds anyway."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("A similar client exists"),
            rx.alert_dialog.description(
                "There is already a client named ", duplicate_of,
                " with the same name or email. Add another one anyway?",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", on_click=cancel(False))),
                rx.button("Add anyway", on_click=confirm),
                justify="end", spacing="3", margin_top="1em",
            ),
        ),
        open=duplicate_of != "",
        on_open_change=cancel,
    )
