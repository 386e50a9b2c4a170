"""Notices about online payment on the invoice page: the Checkout return, and a payment
link that is missing (Stripe failed), made again at Pay (the balance changed), or off (no
Stripe key in the settings)."""

from __future__ import annotations

import reflex as rx


def checkout_result_notice(message, paid, notice_id: str) -> rx.Component:
    """What a return from Checkout showed: paid (green), or not confirmed yet (amber)."""
    return rx.cond(
        message != "",
        # Two fixed icons, not one icon named by a var: a var name pulls in lucide's dynamic
        # loader (every icon's import map, ~240 kB) on the invoice and pay pages.
        rx.callout.root(
            rx.callout.icon(rx.cond(paid, rx.icon("circle-check"), rx.icon("clock"))),
            rx.callout.text(message),
            color_scheme=rx.cond(paid, "green", "amber"),
            id=notice_id,
            width="100%",
        ),
    )


def checkout_return_notice(state) -> rx.Component:
    return checkout_result_notice(state.return_notice, state.return_paid, "checkout-return")


def payment_link_notice(state) -> rx.Component:
    open_invoice = (state.invoice["status"] == "SENT") | (state.invoice["status"] == "OVERDUE")
    return rx.fragment(
        rx.cond(
            state.needs_payment_link,
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert")),
                rx.callout.text(
                    "The client cannot pay online yet: no Stripe payment link",
                    rx.cond(state.payment_link_error != "", rx.text.span(" (", state.payment_link_error, ")")),
                    ". The pay link shows the invoice; its Pay button tries Stripe again.",
                ),
                rx.button(
                    rx.icon("refresh-cw", size=14), "Create payment link", size="1", variant="soft",
                    on_click=state.create_payment_link, loading=state.making_payment_link, id="create-payment-link",
                    width="fit-content",
                ),
                color_scheme="amber",
                id="payment-link-missing",
                width="100%",
            ),
        ),
        rx.cond(
            state.link_made_at_pay,
            rx.text(
                "The pay link's Pay button opens a Stripe payment page for the balance due now.",
                size="1",
                color_scheme="gray",
                id="payment-link-at-pay",
            ),
        ),
        rx.cond(
            ~state.online_payment & open_invoice,
            rx.callout(
                "Online payment is off — see Settings → Integrations. The pay link shows the invoice without a Pay button.",
                icon="info",
                color_scheme="gray",
                id="online-payment-off",
                width="100%",
            ),
        ),
    )
