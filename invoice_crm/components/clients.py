"""Client pieces shared by pages: the question asked before adding a client whose name or
email another client already has. (The client menus are forms.select_menu.)"""

from __future__ import annotations

import reflex as rx


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
