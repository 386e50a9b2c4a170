"""The activity timeline of an invoice."""

from __future__ import annotations

import reflex as rx


def _event(event) -> rx.Component:
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="50%", background="var(--accent-9)", margin_top="0.45em", flex_shrink="0"),
        rx.vstack(
            # Long unbroken words (a Stripe session id, a link) wrap inside the card on a phone.
            rx.text(rx.text.strong(event["label"], class_name="timeline-label"), " · ", event["details"], size="2", overflow_wrap="anywhere"),
            rx.text(event["when"], " · ", event["actor"], size="1", color_scheme="gray", overflow_wrap="anywhere"),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="3",
        class_name="timeline-event",
    )


def timeline(events) -> rx.Component:
    return rx.vstack(
        rx.heading("Activity", size="3", as_="h2"),
        rx.cond(
            events.length() > 0,
            rx.vstack(rx.foreach(events, _event), spacing="3", id="timeline"),
            rx.text("No activity yet.", color_scheme="gray", size="2"),
        ),
        spacing="3",
        width="100%",
    )
