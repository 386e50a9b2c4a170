"""/ — the freelancer's dashboard."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.dashboard import Every, ListUrl, overdue_banner, paid_chart, summary_card
from invoice_crm.components.invoice_table import invoice_table
from invoice_crm.components.layout import layout, link_button, loading_block, page_title
from invoice_crm.components.reports import export_list_dialog
from invoice_crm.components.sample_data import sample_banner, start_choice
from invoice_crm.components.sheets import sheet_sync_panel
from invoice_crm.state.dashboard import REFRESH_SECONDS, ListViewState
from invoice_crm.state.dashboard import DashboardState as S
from invoice_crm.state.expected_cash import ExpectedCashState as E
from invoice_crm.state.reminder_settings import RemindersTodayState as R


def dashboard_page() -> rx.Component:
    return layout(
        page_title(
            "Invoices",
            export_list_dialog(),
            link_button(rx.icon("plus", size=16), "New invoice", id="new-invoice", href="/invoices/new"),
        ),
        # Everything under the title depends on the data: it appears in one piece when the data
        # has arrived, so nothing already on screen moves (no banner pushing the cards down, no
        # card growing), and never with another list than the URL's.
        rx.cond(ListViewState.list_in_view, _content(), loading_block("Loading invoices…", id="dashboard-loading")),
        Every.create(interval=REFRESH_SECONDS * 1000, on_tick=S.refresh),
        ListUrl.create(url=ListViewState.pushed),
    )


def _content() -> rx.Component:
    return rx.vstack(
        start_choice(),
        sample_banner(),
        overdue_banner(S.overdue_count, S.counts_text["overdue"], S.overdue),
        rx.flex(
            summary_card("Outstanding", S.outstanding, (S.counts_text["outstanding"], " sent or overdue"), "hourglass", "blue", "card-outstanding"),
            summary_card("Overdue", S.overdue, (S.counts_text["overdue"], " past due"), "triangle-alert", "red", "card-overdue"),
            summary_card("Paid, last 30 days", S.paid_30d, (S.counts_text["paid_30d"], rx.cond(S.paid_30d_count == 1, " invoice", " invoices")), "circle-check", "green", "card-paid"),
            summary_card("Reminders today", R.reminders_today, (R.reminders_note,), "bell-ring", "amber", "card-reminders"),
            # Read when the card mounts, not on every change of the list's URL (search, sort, page);
            # its figure and note arrive into the room kept for them (two lines for the note).
            rx.box(
                summary_card("Expected in 30 days", E.expected_cash_in, (E.expected_note,), "calendar-clock", "violet", "card-expected", note_lines=2),
                on_mount=E.load, display="flex", flex="1 1 190px",
            ),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        paid_chart(S.monthly, S.chart_currency, S.chart_note, S.chart_locale, S.paid_any),
        invoice_table(S),
        # Last: its status is read after the page shows, and nothing below it can move.
        sheet_sync_panel(),
        spacing="5",
        width="100%",
    )
