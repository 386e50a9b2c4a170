"""The invoice page (/invoices/[invoice_id]): header, lines, timeline, and the actions
its status allows — send, mark as paid, duplicate, delete."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import InvoiceStatus, business_today, timestamp_text
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services import queries
from invoice_crm.services.delivery import email_rows
from invoice_crm.services.links import pay_url
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState
from invoice_crm.state.editor import route_id
from invoice_crm.state.invoice_payments import InvoicePaymentsMixin


class InvoicePageState(AuthState, InvoicePaymentsMixin):
    invoice_id: int = 0
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    emails: list[dict[str, str]] = []
    loading: bool = True
    not_found: bool = False
    pay_dialog_open: bool = False
    paid_on: str = ""
    reference: str = ""
    pay_error: str = ""

    @rx.var
    def status(self) -> str:
        return self.invoice.get("status", "")

    @rx.var
    def can_mark_paid(self) -> bool:
        return self.status in (InvoiceStatus.SENT.value, InvoiceStatus.OVERDUE.value)

    @rx.var
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT.value

    def _fill(self, detail: dict) -> None:
        inv, client, project = detail["invoice"], detail["client"], detail["project"]
        self.invoice_id = inv.id
        self.invoice = {
            "id": str(inv.id),
            "number": inv.number,
            "status": InvoiceStatus(inv.status).value,
            "client": client.name,
            "client_email": client.email,
            "client_id": str(client.id),
            "project": project.name if project else "",
            "amount": format_money(inv.amount, inv.currency),
            "currency": inv.currency,
            "issue_date": format_date(inv.issue_date),
            "due_date": format_date(inv.due_date),
            "sent_at": timestamp_text(inv.sent_at),
            "paid_at": format_date(inv.paid_at),
            "notes": inv.notes,
            "countdown": detail["countdown"],
            "pay_url": pay_url(inv.public_token),
            "stripe_link": inv.stripe_link or "",
            "sync": inv.sheet_sync_status,
            "sync_error": inv.sheet_sync_error,
        }
        self.lines = queries.line_rows(detail["lines"], inv.currency)
        self.events = [
            {"kind": e.kind, "actor": e.actor, "details": e.details, "when": timestamp_text(e.created_at)}
            for e in detail["events"]
        ]
        self.payments = [
            {
                "amount": format_money(p.amount, p.currency),
                "paid_on": format_date(p.paid_on),
                "method": p.method.value,
                "reference": p.reference or p.stripe_payment_intent_id or "",
            }
            for p in detail["payments"]
        ]
        self.emails = email_rows(detail["emails"])

    async def _reload(self) -> None:
        detail = await asyncio.to_thread(queries.invoice_detail, self.invoice_id)
        if detail is None:
            self.not_found = True
            self.invoice = {}
            return
        self.not_found = False
        self._fill(detail)

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.loading = True
        self.pay_dialog_open = False
        invoice_id = route_id(self.router.url.path)
        if invoice_id is None:
            self.not_found = True
            self.loading = False
            return None
        self.invoice_id = invoice_id
        self._reset_payment_view()
        await asyncio.to_thread(invoice_service.sweep_overdue)
        await self._check_checkout_return()
        await self._reload()
        self.loading = False
        return None

    async def _after_send(self) -> list:
        """Work that follows a committed DRAFT -> SENT (outside its transaction); returns
        extra events (toasts) to show: the Stripe Checkout link is made here."""
        await asyncio.to_thread(invoice_service.sweep_overdue)
        extra = await self._make_payment_link()  # from the invoice as committed, not as shown
        await self._reload()
        return extra

    @rx.event
    def open_pay_dialog(self):
        self.paid_on = business_today(get_settings().business_timezone).isoformat()
        self.reference = ""
        self.pay_error = ""
        self.pay_dialog_open = True

    @rx.event
    def set_pay_dialog_open(self, value: bool):
        self.pay_dialog_open = value

    @rx.event
    def set_paid_on(self, value: str):
        self.paid_on = value

    @rx.event
    def set_reference(self, value: str):
        self.reference = value

    @rx.event
    async def confirm_paid(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.pay_error = ""
        try:
            await asyncio.to_thread(
                invoice_service.mark_paid, self.invoice_id, self.paid_on, self.reference, self.user_email
            )
        except DomainError as err:
            self.pay_error = err.message
            return rx.toast.error(err.message)
        self.pay_dialog_open = False
        await self._reload()
        return rx.toast.success(f"{self.invoice.get('number', 'Invoice')} marked as paid")

    @rx.event
    async def duplicate(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            copy = await asyncio.to_thread(invoice_service.duplicate_invoice, self.invoice_id, self.user_email)
        except DomainError as err:
            return rx.toast.error(err.message)
        return [rx.toast.success(f"Draft {copy.number} created"), rx.redirect(f"/invoices/{copy.id}/edit")]

    @rx.event
    async def delete(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            number = await asyncio.to_thread(invoice_service.delete_draft, self.invoice_id, self.user_email)
        except DomainError as err:
            return rx.toast.error(err.message)
        return [rx.toast.success(f"Draft {number} deleted"), rx.redirect("/")]
