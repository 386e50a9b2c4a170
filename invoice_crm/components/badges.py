"""Status badges: invoice status, lead status, sheet sync state."""

from __future__ import annotations

import reflex as rx

STATUS_COLORS = {
    "DRAFT": "gray", "SENT": "blue", "PAID": "green", "OVERDUE": "red", "VOID": "gray", "PARTIAL": "amber",
    "CREDITED": "violet",
}
# PARTIAL: a sent or overdue invoice with some payment; CREDITED: paid by credit notes alone.
LABELS = {"PARTIAL": "Partially paid", "CREDITED": "Credited"}
LEAD_COLORS = {
    "NEW": "gray",
    "CONTACTED": "cyan",
    "PROPOSAL": "amber",
    "WON": "indigo",
    "INVOICED": "blue",
    "PAID": "green",
}
SYNC_COLORS = {"SYNCED": "green", "PENDING": "amber", "FAILED": "red", "OFF": "gray"}


def _badge(value, colors: dict[str, str], **props) -> rx.Component:
    return rx.match(
        value,
        *[
            (key, rx.badge(LABELS.get(key, key.capitalize()), color_scheme=color, variant="soft", **props))
            for key, color in colors.items()
        ],
        rx.badge(value, variant="soft", **props),
    )


def status_badge(status) -> rx.Component:
    return _badge(status, STATUS_COLORS, class_name="status-badge")


def lead_badge(status) -> rx.Component:
    return _badge(status, LEAD_COLORS)


def sync_badge(status, error="") -> rx.Component:
    return rx.tooltip(_badge(status, SYNC_COLORS, class_name="sync-badge"), content=rx.cond(error, error, "Google Sheet sync"))
