"""The dashboard's load: the overdue sweep first, then its figures and first page.

This is exactly what the dashboard's on_load does; bench/ measures it."""

from __future__ import annotations

from invoice_crm.services.invoices import sweep_overdue
from invoice_crm.services.queries import DashboardData, InvoiceQuery, dashboard_data


def load_dashboard(query: InvoiceQuery) -> DashboardData:
    sweep_overdue()
    return dashboard_data(query)
