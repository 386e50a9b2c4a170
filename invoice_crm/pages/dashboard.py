"""/ — the freelancer's dashboard."""

from __future__ import annotations

import reflex as rx

from invoice_crm.components.dashboard import Every, overdue_banner, paid_chart, summary_card
from invoice_crm.components.invoice_table import invoice_table
from invoice_crm.components.layout import layout, page_title
from invoice_crm.components.sample_data import sample_banner, start_choice
from invoice_crm.components.sheets import sheet_sync_panel
from invoice_crm.settings import get_settings
from invoice_crm.state.dashboard import REFRESH_SECONDS
from invoice_crm.state.dashboard import DashboardState as S


def dashboard_page() -> rx.Component:
    return layout(
        page_title(
            "Invoices",
            rx.link(rx.button(rx.icon("plus", size=16), "New invoice", id="new-invoice"), href="/invoices/new"),
        ),
        start_choice(),
        sample_banner(),
        overdue_banner(S.overdue_count, S.overdue),
        rx.flex(
            summary_card("Outstanding", S.outstanding, (S.outstanding_count, " sent or overdue"), "hourglass", "blue", "card-outstanding"),
            summary_card("Overdue", S.overdue, (S.overdue_count, " past due"), "triangle-alert", "red", "card-overdue"),
            summary_card("Paid, last 30 days", S.paid_30d, (S.paid_30d_count, " invoices"), "circle-check", "green", "card-paid"),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        paid_chart(S.monthly, get_settings().currency, S.chart_note, get_settings().business_locale),
        sheet_sync_panel(),
        invoice_table(S),
        Every.create(interval=REFRESH_SECONDS * 1000, on_tick=S.refresh),
    )
