"""The Stripe part of the invoice page, mixed into ``InvoicePageState``: the payment link
made after sending (and its retry), and the freelancer's own return from Checkout
(/invoices/<id>?paid=true&session_id=...), confirmed with Stripe before anything changes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import reflex as rx

from invoice_crm.domain.errors import DomainError, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import format_price, parse_amount
from invoice_crm.services import checkout, payments
from invoice_crm.settings import get_settings


class InvoicePaymentsMixin(rx.State, mixin=True):
    online_payment: bool = False
    payment_link_error: str = ""
    making_payment_link: bool = False
    return_notice: str = ""
    return_paid: bool = False
    # A payment amount as typed (business locale, with or without the invoice currency's
    # sign) and what is wrong with it; for the payment form's Amount field.
    payment_amount: str = ""
    payment_amount_error: str = ""

    def _read_payment_amount(self) -> Decimal | None:
        """The typed amount read in the business locale; None (and the error set) if unreadable."""
        try:
            amount = parse_amount(self.payment_amount, field="amount", currency=self.invoice.get("currency") or None)
        except ValidationError as err:
            self.payment_amount_error = err.message
            return None
        self.payment_amount_error = ""
        return amount

    @rx.event
    def set_payment_amount(self, value: str):
        self.payment_amount = str(value)[:100]
        if self.payment_amount.strip():
            self._read_payment_amount()
        else:
            self.payment_amount_error = ""

    @rx.event
    def leave_payment_amount(self, value: str):
        """On leaving the field: the amount as it will be recorded (``1,5`` -> ``1,50`` in de_DE)."""
        self.payment_amount = str(value)[:100]
        amount = self._read_payment_amount()
        if amount is not None:
            self.payment_amount = format_price(amount, self.invoice.get("currency"))

    @rx.var
    def needs_payment_link(self) -> bool:
        """Sent, unpaid, Stripe on, no link, and none was ever made (Stripe failed when the
        invoice was sent, or was off then) or making one has just failed here: worth a
        warning and a retry."""
        return (
            self.online_payment
            and self.invoice.get("status", "") in (InvoiceStatus.SENT.value, InvoiceStatus.OVERDUE.value)
            and self.invoice.get("stripe_link", "") == ""
            and (self.payment_link_error != "" or self.invoice.get("stripe_session", "") == "")
        )

    @rx.var
    def link_made_at_pay(self) -> bool:
        """The link was dropped because the balance changed (a payment, a credit note): no
        problem, as the pay page's Pay opens Checkout for the new balance."""
        return (
            self.online_payment
            and self.invoice.get("status", "") in (InvoiceStatus.SENT.value, InvoiceStatus.OVERDUE.value)
            and self.invoice.get("stripe_link", "") == ""
            and self.payment_link_error == ""
            and self.invoice.get("stripe_session", "") != ""
        )

    def _reset_payment_view(self) -> None:
        """On each page load: Stripe on or off, and no reason left from another invoice."""
        self.online_payment = get_settings().stripe_enabled
        self.payment_link_error = ""

    async def _make_payment_link(self) -> list:
        """After a committed send: the Checkout session, outside the send's transaction.
        Stripe failing leaves the invoice SENT without a link, and says so."""
        self._reset_payment_view()
        if not self.online_payment:  # the service itself refuses an invoice that is not payable
            return []
        try:
            await asyncio.to_thread(checkout.prepare_checkout, self.invoice_id, self.user_email)
        except DomainError as err:
            self.payment_link_error = err.message
            return [rx.toast.error(f"Sent, but no payment link yet: {err.message}")]
        return []

    @rx.event
    async def create_payment_link(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        self.making_payment_link = True
        yield
        extra = await self._make_payment_link()
        await self._reload()
        self.making_payment_link = False
        yield extra or rx.toast.success("Payment link ready")

    async def _check_checkout_return(self) -> None:
        """?paid=true alone changes nothing; with a session id, Stripe has the last word."""
        self.return_notice = ""
        self.return_paid = False
        params = self.router.url.query_parameters
        if str(params.get("paid", "")).lower() != "true":
            return
        try:
            result = await asyncio.to_thread(
                payments.confirm_checkout_return, params.get("session_id") or None, invoice_id=self.invoice_id
            )
        except DomainError as err:
            self.return_notice = f"{payments.NOT_CONFIRMED}. {err.message}"
            return
        self.return_paid = result.paid
        self.return_notice = result.message
