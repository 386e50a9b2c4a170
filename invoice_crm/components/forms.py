"""Form pieces: a labelled field with its error beside it."""

from __future__ import annotations

import reflex as rx


def field_error(message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, color_scheme="red", size="1", class_name="field-error", role="alert"),
    )


def form_field(label: str, control: rx.Component, error="", html_for: str = "", **props) -> rx.Component:
    return rx.vstack(
        # rx.el.label renders htmlFor (rx.text(as_="label") drops it): the label names the field.
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=html_for or None),
        control,
        field_error(error),
        spacing="1",
        **props,
    )
