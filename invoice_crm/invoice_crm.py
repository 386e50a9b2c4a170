"""The Reflex app: pages, backend routes and background tasks. Wiring only."""

from __future__ import annotations

import reflex as rx

from invoice_crm import privacy, tasks
from invoice_crm.api.app import api
from invoice_crm.api.forwarded import forwarded_proto
from invoice_crm.api.hardening import hardened
from invoice_crm.pages.client import client_page
from invoice_crm.pages.dashboard import dashboard_page
from invoice_crm.pages.directory import clients_page, leads_page, projects_page
from invoice_crm.pages.editor import edit_invoice_page, new_invoice_page
from invoice_crm.pages.imports import import_page
from invoice_crm.pages.invoice import invoice_page
from invoice_crm.pages.login import login_page
from invoice_crm.pages.pay import pay_missing_page, pay_page, pay_return_page
from invoice_crm.pages.recurring import (
    recurring_detail_page,
    recurring_edit_page,
    recurring_form_page,
    recurring_list_page,
)
from invoice_crm.pages.reports import reports_page
from invoice_crm.pages.settings import account_page, settings_page
from invoice_crm.pages.taxes import taxes_page
from invoice_crm.services.business_settings import follow_saved_locale
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState
from invoice_crm.state.client_page import ClientPageState
from invoice_crm.state.dashboard import DashboardState
from invoice_crm.state.directory import ClientsState, LeadsState, ProjectsState
from invoice_crm.state.editor import EditorState
from invoice_crm.state.guard import EventGuard
from invoice_crm.state.imports import ImportState
from invoice_crm.state.invoice_page import InvoicePageState
from invoice_crm.state.pay import PayState
from invoice_crm.state.recurring import RecurringDetailState, RecurringFormState, RecurringListState
from invoice_crm.state.reminder_settings import ReminderSettingsState
from invoice_crm.state.reports import ReportsState
from invoice_crm.state.settings import SettingsState
from invoice_crm.state.taxes import TaxesState

# State files owner-only, tokens out of the logs (see invoice_crm/privacy.py).
privacy.protect_process(get_settings().database_url)

app = rx.App(
    # dir given: without it the toaster asks getComputedStyle for the page's direction on
    # every render, a full style recalculation (~35 ms while a page loads).
    toaster=rx.toast.provider(position="bottom-right", close_button=True, dir="ltr"),
    stylesheets=["/invoice_list.css"],
    # POST /api/stripe/webhook on the same port; then bounded bodies and security headers
    # around everything the backend serves (pages, events, uploads, the webhook); outermost,
    # the scheme the browser used when a trusted proxy says so (X-Forwarded-Proto).
    api_transformer=[api, hardened(get_settings().app_url), forwarded_proto(get_settings().trusted_proxy_hops)],
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.el.link(rel="alternate icon", href="/favicon.ico", sizes="48x48"),
        # Asks before leaving the invoice editor with unsaved changes (see the file).
        rx.el.script(src="/unsaved_guard.js", defer=True),
        # A double click on a button that turns into its opposite counts once (see the file).
        rx.el.script(src="/toggle_guard.js", defer=True),
        # Focus goes back where it was when a dialog opened by the app closes (see the file).
        rx.el.script(src="/dialog_focus.js", defer=True),
        # Escape undoes an unsaved edit of a field that saves when left (see the file).
        rx.el.script(src="/escape_reverts.js", defer=True),
        # Signed out in another tab: this one leaves its page for the sign-in page (see the file).
        rx.el.script(src="/session_sync.js", defer=True),
    ],
)

# Every event passes the guard first: arguments checked, session required unless public.
app.add_middleware(EventGuard())

APP = "Invoice CRM"
BUSINESS = get_settings().business_name or APP


def _titled(number, prefix: str, fallback: str, suffix: str = APP):
    """A page title naming the invoice once it has loaded: "<prefix>INV-2026-0003 · Invoice CRM"."""
    return rx.cond(number, prefix + number.to(str) + " · " + suffix, fallback)


app.add_page(login_page, route="/login", title="Sign in · Invoice CRM", on_load=AuthState.load_login_page)
app.add_page(account_page, route="/account", title="Account · Invoice CRM", on_load=SettingsState.load_account)
app.add_page(dashboard_page, route="/", title="Invoices · Invoice CRM", on_load=DashboardState.on_load)  # its cards too
app.add_page(new_invoice_page, route="/invoices/new", title="New invoice · Invoice CRM", on_load=EditorState.load_new)
app.add_page(
    edit_invoice_page, route="/invoices/[invoice_id]/edit", on_load=EditorState.load_edit,
    title=_titled(EditorState.number, "Edit ", "Edit draft · Invoice CRM"),
)
app.add_page(
    invoice_page, route="/invoices/[invoice_id]", on_load=InvoicePageState.on_load,
    title=_titled(InvoicePageState.invoice["number"], "", "Invoice · Invoice CRM"),
)
app.add_page(clients_page, route="/clients", title="Clients · Invoice CRM", on_load=ClientsState.on_load)
app.add_page(client_page, route="/clients/[client_id]", title="Client · Invoice CRM", on_load=ClientPageState.on_load)
app.add_page(projects_page, route="/projects", title="Projects · Invoice CRM", on_load=ProjectsState.on_load)
app.add_page(leads_page, route="/leads", title="Leads · Invoice CRM", on_load=LeadsState.on_load)
app.add_page(taxes_page, route="/taxes", title="Tax rates · Invoice CRM", on_load=TaxesState.on_load)
app.add_page(reports_page, route="/reports", title="Reports · Invoice CRM", on_load=ReportsState.on_load)
app.add_page(settings_page, route="/settings", title="Settings · Invoice CRM",
             on_load=[SettingsState.on_load, TaxesState.on_load, ReminderSettingsState.load])  # Taxes tab = /taxes
app.add_page(import_page, route="/import", title="Import · Invoice CRM", on_load=ImportState.on_load)
app.add_page(recurring_list_page, route="/recurring", title="Recurring invoices · Invoice CRM", on_load=RecurringListState.on_load)
app.add_page(recurring_form_page, route="/recurring/new", title="New recurring profile · Invoice CRM", on_load=RecurringFormState.load_new)
app.add_page(recurring_detail_page, route="/recurring/[profile_id]", title="Recurring profile · Invoice CRM", on_load=RecurringDetailState.on_load)
app.add_page(recurring_edit_page, route="/recurring/[profile_id]/edit", title="Edit recurring profile · Invoice CRM", on_load=RecurringFormState.load_edit)
# The client's pages: public, reached by the invoice's unguessable token.
app.add_page(
    pay_page, route="/pay/[token]", on_load=PayState.on_load,
    title=_titled(PayState.invoice["number"], "Pay invoice ", f"Invoice · {BUSINESS}", BUSINESS),
)
app.add_page(
    pay_return_page, route="/pay/[token]/paid", on_load=PayState.on_load_return,
    title=_titled(PayState.invoice["number"], "Payment for invoice ", f"Payment · {BUSINESS}", BUSINESS),
)
# A pay link cut short (/pay, /pay/): what an unknown token shows, with the same title.
app.add_page(pay_missing_page, route="/pay", title=f"Invoice · {BUSINESS}")

# Amounts and dates follow the locale saved in Settings from the next read on, without a restart.
follow_saved_locale()

# Background work runs in every web worker (leases make it once across all of them) unless
# RUN_BACKGROUND_TASKS=false, when `python -m invoice_crm.worker` runs it instead.
if get_settings().run_background_tasks:
    for loop in tasks.LOOPS:
        app.register_lifespan_task(loop)
