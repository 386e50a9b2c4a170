"""/ — the freelancer's dashboard."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.dashboard import Every, overdue_banner, paid_chart, summary_card
from invoice_crm.components.invoice_table import invoice_table
from invoice_crm.components.layout import layout, page_title
from invoice_crm.components.reports import export_list_dialog
from invoice_crm.components.sample_data import sample_banner, start_choice
from invoice_crm.components.sheets import sheet_sync_panel
from invoice_crm.state.dashboard import REFRESH_SECONDS
from invoice_crm.state.dashboard import DashboardState as S
from invoice_crm.state.expected_cash import ExpectedCashState as E
from invoice_crm.state.reminder_settings import RemindersTodayState as R


def dashboard_page() -> rx.Component:
    return layout(
        page_title(
            "Invoices",
            export_list_dialog(),
            rx.link(rx.button(rx.icon("plus", size=16), "New invoice", id="new-invoice"), href="/invoices/new"),
        ),
        start_choice(),
        sample_banner(),
        overdue_banner(S.overdue_count, S.overdue),
        rx.flex(
            summary_card("Outstanding", S.outstanding, (S.outstanding_count, " sent or overdue"), "hourglass", "blue", "card-outstanding"),
            summary_card("Overdue", S.overdue, (S.overdue_count, " past due"), "triangle-alert", "red", "card-overdue"),
            summary_card("Paid, last 30 days", S.paid_30d, (S.paid_30d_count, " invoices"), "circle-check", "green", "card-paid"),
            summary_card("Reminders today", R.reminders_today, (R.reminders_note,), "bell-ring", "amber", "card-reminders"),
            # Read when the card mounts, not on every change of the list's URL (search, sort, page).
            rx.box(
                summary_card("Expected in 30 days", E.expected_cash_in, (E.expected_note,), "calendar-clock", "violet", "card-expected"),
                on_mount=E.load, display="flex", flex="1 1 190px",
            ),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        paid_chart(S.monthly, S.chart_currency, S.chart_note, S.chart_locale, S.loaded),
        sheet_sync_panel(),
        invoice_table(S),
        Every.create(interval=REFRESH_SECONDS * 1000, on_tick=S.refresh),
    )
