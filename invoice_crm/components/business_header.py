"""Who bills the client, on the pages a client sees: logo, name, address, tax number; and
how to pay when there is no online payment."""

from __future__ import annotations

import reflex as rx


def business_header(business, lines) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.cond(
                business["logo"] != "",
                rx.image(src=business["logo"], alt=business["name"] + " logo", max_height="64px", max_width="220px",
                         id="business-logo"),
            ),
            rx.text(business["name"], size="5", weight="bold", id="business-name", style={"color": business["brand_color"]}),
            rx.foreach(lines, lambda line: rx.text(line, size="2", color_scheme="gray")),
            rx.cond(business["tax"] != "", rx.text(business["tax"], size="2", color_scheme="gray", id="business-tax")),
            spacing="1",
        ),
        justify="between", wrap="wrap", gap="1em", width="100%",
        id="business-header",
    )


def payment_instructions(lines) -> rx.Component:
    return rx.cond(
        lines.length() > 0,
        rx.box(
            rx.text("How to pay", weight="bold", size="2"),
            rx.foreach(lines, lambda line: rx.text(line, size="2")),
            id="payment-instructions",
            padding="0.75em", background="var(--gray-a2)", border_radius="var(--radius-2)", width="100%",
        ),
    )
