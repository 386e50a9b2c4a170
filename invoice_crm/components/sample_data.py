"""The first run's choice and the sample-data banner (dashboard)."""

from __future__ import annotations

import reflex as rx

from invoice_crm.state.sample_data import SampleDataState as S


def start_choice() -> rx.Component:
    return rx.cond(
        S.ask_start,
        rx.card(
            rx.vstack(
                rx.heading("Welcome! How do you want to start?", size="4", as_="h2"),
                rx.text(
                    "Start with empty books for your real clients, or explore the app with sample "
                    "clients and invoices first (marked as sample, removable in one click).",
                    size="2",
                ),
                rx.hstack(
                    rx.button("Start empty", on_click=S.start_empty, loading=S.busy, disabled=S.busy, id="start-empty"),
                    rx.button(
                        "Explore with sample data", variant="soft", on_click=S.explore_sample,
                        loading=S.busy, disabled=S.busy, id="explore-sample",
                    ),
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="3",
            ),
            id="start-choice",
            width="100%",
        ),
    )


def sample_banner() -> rx.Component:
    return rx.cond(
        S.has_sample,
        rx.callout.root(
            rx.callout.icon(rx.icon("flask-conical")),
            rx.callout.text(
                "You are looking at sample data. Remove it before you send real invoices, so your numbering starts at the beginning."
            ),
            # Sample data is there to be thrown away: one click, no confirmation.
            rx.box(
                rx.button(
                    "Remove sample data", size="1", color_scheme="amber", variant="soft",
                    on_click=S.remove_sample, loading=S.busy, disabled=S.busy, id="remove-sample",
                ),
            ),
            color_scheme="amber",
            id="sample-banner",
            width="100%",
        ),
    )
