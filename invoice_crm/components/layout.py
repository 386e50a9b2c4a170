"""The page frame: navigation bar and a centred content column."""

from __future__ import annotations

import reflex as rx

from invoice_crm.state.auth import AuthState

# A table's columns on a phone (below 30em): a wide-only column is hidden there, and what it
# says is shown under another cell's text with PHONE_ONLY.
WIDE_ONLY = ["none", "table-cell"]
PHONE_ONLY = ["block", "none"]

NAV = [
    ("Dashboard", "/", "layout-dashboard"),
    ("New invoice", "/invoices/new", "file-plus"),
    ("Recurring", "/recurring", "repeat"),
    ("Clients", "/clients", "users"),
    ("Projects", "/projects", "folder"),
    ("Leads", "/leads", "target"),
    ("Reports", "/reports", "chart-column"),
    ("Import", "/import", "upload"),
    ("Settings", "/settings", "settings"),
]


def _is_current(href: str):
    """Whether the page shown is this link's (or one under it: a client's page is Clients')."""
    path = rx.State.router.url.path
    if href == "/":
        return path == "/"
    return (path == href) | (path == href + "/") | path.startswith(href + "/")


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    current = _is_current(href)
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), spacing="1", align="center"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        # Where you are, for the eye (underlined, bold) and for screen readers (aria-current).
        custom_attrs={"aria-current": rx.cond(current, "page", "false")},
        font_weight=rx.cond(current, "600", "400"),
        text_decoration=rx.cond(current, "underline", "none"),
        text_underline_offset="0.35em",
        text_decoration_thickness="2px",
    )


def navbar() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("receipt", size=20), rx.text("Invoice CRM", size="4", weight="bold"), align="center"),
                href="/",
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            rx.hstack(*[nav_link(*item) for item in NAV], spacing="3", wrap="wrap", align="center"),
            # Takes the rest of the row, its content at the right end: the account's email,
            # known once the page has connected, appears without moving anything.
            rx.hstack(
                rx.cond(
                    AuthState.user_email,
                    rx.link(AuthState.user_email, href="/account", size="1", color_scheme="gray", id="account-link"),
                ),
                rx.button(
                    "Sign out", variant="soft", size="1", on_click=AuthState.sign_out, id="sign-out",
                    custom_attrs={"data-leaves-page": "true"},  # the unsaved-changes guard asks first
                ),
                align="center",
                justify="end",
                flex="1 1 auto",
            ),
            align="center",
            wrap="wrap",
            spacing="4",
            width="100%",
        ),
        padding_x="1.5em",
        padding_y="0.75em",
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position=["static", "static", "sticky"],
        top="0",
        z_index="10",
    )


def layout(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        rx.box(
            rx.vstack(*children, spacing="5", width="100%"),
            max_width="1200px",
            margin_x="auto",
            padding=["0.75em", "1em", "1.5em"],
            # On a phone a toast spans the bottom of the screen: room below the last buttons
            # (the editor's Save draft) lets them be scrolled clear of it.
            padding_bottom=["6em", "6em", "1.5em"],
            width="100%",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    )


def page_title(title, *actions: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="6"),
        rx.spacer(),
        *actions,
        width="100%",
        align="center",
        wrap="wrap",
    )


def link_button(*children, href, **button_props) -> rx.Component:
    """A button that opens a page. The link takes the focus, once: the button inside it, kept
    for its look (and its role), is left out of the tab order."""
    return rx.link(rx.button(*children, tab_index=-1, **button_props), href=href)


def loading_block(label: str = "Loading…", **props) -> rx.Component:
    """What a page shows while its data is on the way. It fades in only after 0.4 s, so a
    quick load never flashes it."""
    return rx.center(
        rx.hstack(rx.spinner(size="2"), rx.text(label, size="2", color_scheme="gray"), align="center"),
        role="status",
        padding="3em",
        width="100%",
        animation="rt-fade-in 200ms ease-out 400ms both",
        **props,
    )


def card(*children, **props) -> rx.Component:
    return rx.card(*children, width="100%", **props)
