"""/login — sign in, or create the owner account on the first run."""

from __future__ import annotations

import reflex as rx

from invoice_crm.state.auth import AuthState as S


def _field(label: str, name: str, kind: str = "text", **props) -> rx.Component:
    return rx.vstack(
        # rx.el.label renders html_for as the label's `for` (rx.text as_="label" drops it).
        rx.el.label(label, html_for=name, font_size="var(--font-size-2)", font_weight="500"),
        rx.input(name=name, id=name, type=kind, required=True, width="100%", **props),
        spacing="1",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.cond(
        S.login_error != "",
        rx.callout(S.login_error, icon="circle-alert", color_scheme="red", id="login-error", width="100%",
                   custom_attrs={"role": "alert"}),  # read out when it appears
    )


def login_page() -> rx.Component:
    sign_in = rx.form(
        rx.vstack(
            rx.heading("Sign in", size="6"),
            _error(),
            _field("Email", "email", "email", auto_complete="username"),
            _field("Password", "password", "password", auto_complete="current-password"),
            rx.button("Sign in", type="submit", width="100%", loading=S.signing_in, id="sign-in"),
            spacing="4",
            width="100%",
        ),
        on_submit=S.sign_in,
    )
    create_owner = rx.form(
        rx.vstack(
            rx.heading("Create the owner account", size="6"),
            rx.text(
                "This is the first run. The account you create here signs in to the dashboard. "
                "The set-up code is printed in the app's console at start-up.",
                size="2",
                color_scheme="gray",
            ),
            _error(),
            _field("Set-up code", "setup_code", auto_complete="off"),
            _field("Email", "email", "email", auto_complete="username"),
            _field("Password (8+ characters)", "password", "password", auto_complete="new-password"),
            _field("Repeat password", "confirm", "password", auto_complete="new-password"),
            rx.button("Create account", type="submit", width="100%", id="create-owner"),
            spacing="4",
            width="100%",
        ),
        on_submit=S.create_owner,
    )
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("receipt", size=24), rx.text("Invoice CRM", size="5", weight="bold"), align="center"),
                rx.cond(S.has_owner, sign_in, create_owner),
                spacing="5",
                width="100%",
            ),
            width="min(400px, 92vw)",
            padding="2em",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )
