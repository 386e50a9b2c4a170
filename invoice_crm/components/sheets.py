"""The Google Sheet panel on the dashboard: sync counts, "Resync all" and its progress; a
quiet one-line notice instead when sync is off."""

from __future__ import annotations

import reflex as rx

from invoice_crm.state.sheets import SheetsState as S


def _count(value, label: str, color: str, test_id: str) -> rx.Component:
    return rx.badge(value, " ", label, color_scheme=color, variant="soft", id=test_id)


def _resync_button() -> rx.Component:
    return rx.button(
        rx.icon("refresh-cw", size=16),
        "Resync all",
        variant="soft",
        loading=S.resyncing,
        disabled=S.resyncing,
        on_click=S.resync_all,
        id="resync-all",
    )


def _progress() -> rx.Component:
    return rx.cond(
        S.resyncing,
        rx.vstack(
            rx.progress(value=S.percent, width="100%"),
            rx.text(S.progress_label, size="1", color_scheme="gray", id="resync-progress"),
            width="100%",
            spacing="1",
        ),
        rx.cond(S.result != "", rx.text(S.result, size="1", color_scheme="gray", id="resync-result")),
    )


def _panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("sheet", size=18, color="var(--green-9)"),
                rx.text("Google Sheet", size="2", weight="medium"),
                _count(S.counts_text["synced"], "synced", "green", "sheet-synced"),
                _count(S.counts_text["pending"], "pending", "amber", "sheet-pending"),
                rx.tooltip(
                    _count(S.counts_text["failed"], "failed", "red", "sheet-failed"),
                    content=rx.cond(S.last_error != "", S.last_error, "No failures"),
                ),
                rx.icon_button(
                    rx.icon("rotate-cw", size=14), variant="ghost", size="1", on_click=S.load,
                    aria_label="Refresh sheet sync counts", id="sheet-sync-refresh",
                ),
                rx.spacer(),
                _resync_button(),
                align="center",
                wrap="wrap",
                spacing="2",
                width="100%",
            ),
            _progress(),
            width="100%",
            spacing="2",
        ),
        width="100%",
    )


def _off_notice() -> rx.Component:
    return rx.text(
        "Google Sheet sync is off — see Settings → Integrations.",
        size="1",
        color_scheme="gray",
        id="sheet-sync-off",
    )


def sheet_sync_panel() -> rx.Component:
    return rx.box(
        rx.cond(S.loaded, rx.cond(S.enabled, _panel(), _off_notice())),
        on_mount=S.load,
        width="100%",
        id="sheet-sync",
    )
