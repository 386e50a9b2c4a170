"""The client's pages, no sign-in: /pay/[token] (the invoice and a Pay button) and
/pay/[token]/paid (the return from Stripe Checkout, confirmed with Stripe)."""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.services import auth, checkout, documents, payments, pdf
from invoice_crm.services.public_view import public_invoice, record_view
from invoice_crm.state.auth import AuthState


def token_from_path(path: str) -> str:
    """The token from /pay/<token>[/paid]."""
    parts = [p for p in (path or "").split("/") if p]
    return parts[1] if len(parts) >= 2 and parts[0] == "pay" else ""


class PayState(rx.State):
    loading: bool = True
    available: bool = False
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    breakdown: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    payable: bool = False
    paying: bool = False
    notice: str = ""
    notice_paid: bool = False
    # Back from Checkout with a payment Stripe took but this app did not record (the balance
    # changed meanwhile): the notice says so, and Pay is not offered on top of it.
    payment_taken: bool = False
    business: dict[str, str] = {}
    business_lines: list[str] = []
    payment_lines: list[str] = []

    @rx.var
    def is_paid(self) -> bool:
        return self.invoice.get("status", "") == "PAID"

    @rx.var
    def is_credited(self) -> bool:
        """Paid by credit notes alone (lifecycle.credited_in_full): nothing to pay, nothing received."""
        return self.invoice.get("credited", "") == "yes"

    @rx.var
    def has_receipt(self) -> bool:
        return self.is_paid and not self.is_credited

    @rx.var
    def is_void(self) -> bool:
        return self.invoice.get("status", "") == "VOID"

    def _token(self) -> str:
        return token_from_path(self.router.url.path)

    async def _load(self) -> None:
        view = await asyncio.to_thread(public_invoice, self._token())
        self.available = view is not None
        view = view or {}
        self.lines = view.pop("lines", [])
        self.breakdown = view.pop("breakdown", [])
        self.history = view.pop("history", [])
        self.payable = bool(view.pop("payable", False))
        business = view.pop("business", None) or {}
        self.business_lines = business.pop("lines", [])
        self.payment_lines = business.pop("payment_lines", [])
        self.business = {key: str(value) for key, value in business.items()}
        self.invoice = {key: str(value) for key, value in view.items()}

    @rx.event
    async def on_load(self):
        self.loading = True
        self.notice = ""
        self.notice_paid = self.payment_taken = False
        self.paying = False
        await self._load()
        self.loading = False
        if self.available:
            yield  # the page first; then the view is counted
            await self._count_view()

    async def _count_view(self) -> None:
        """The client opened the pay link: Viewed. The owner's own visits, signed in in this
        browser (the session token in its local storage), are not counted."""
        owner_token = (await self.get_state(AuthState)).auth_token
        if owner_token and await asyncio.to_thread(auth.user_for_token, owner_token):
            return
        await asyncio.to_thread(record_view, self._token())

    @rx.event
    async def on_load_return(self):
        """Back from Checkout: ask Stripe about the session before saying anything."""
        self.loading = True
        self.paying = False
        params = self.router.url.query_parameters
        self.notice, self.notice_paid, self.payment_taken = payments.NOT_CONFIRMED, False, False
        if str(params.get("paid", "")).lower() == "true":
            try:
                result = await asyncio.to_thread(
                    payments.confirm_checkout_return, params.get("session_id") or None, public_token=self._token()
                )
                self.notice, self.notice_paid, self.payment_taken = result.message, result.paid, result.taken
            except DomainError:
                self.notice = ""
        await self._load()
        if self.is_paid and not self.notice_paid:
            said = "This invoice was credited in full; there is nothing to pay" if self.is_credited else "This invoice is paid"
            self.notice, self.notice_paid = said, True
        self.loading = False

    @rx.event
    async def pay(self, shown: str = ""):
        """Pay: ``shown`` is the balance the pressed button said (blank: what this page was
        last sent). A refusal (cancelled, the balance changed, Stripe down) reads the invoice
        again, so the page says what is true now: its status, its balance, its button."""
        self.paying = True
        yield
        try:
            shown_balance: Decimal | None = Decimal(shown or self.invoice.get("balance_plain", ""))
        except InvalidOperation:
            shown_balance = None
        if shown_balance is not None and not shown_balance.is_finite():
            shown_balance = None  # not a figure this page sent: the balance decides, as before
        try:
            step = await asyncio.to_thread(
                checkout.pay_now, self._token(), self.router.session.client_ip or "", shown_balance
            )
        except DomainError as err:
            await self._load()
            self.paying = False
            # One message however often Pay was pressed (a double click refused twice).
            yield rx.toast.error(err.message, id="pay-refused")
            return
        self.paying = False  # a click after coming Back reuses the same session
        if step.paid or not step.url:
            await self._load()
            return
        # Same tab: rx.redirect to another host is a full navigation (is_external would
        # open a new tab, which popup blockers stop after an awaited server round trip).
        yield rx.redirect(step.url)

    @rx.event
    async def download_pdf(self):
        """The invoice as a PDF (drafts and unknown tokens have none)."""
        try:
            filename, content = await asyncio.to_thread(pdf.render_public_invoice_pdf, self._token())
        except DomainError as err:
            return rx.toast.error(err.message)
        return rx.download(data=content, filename=filename, mime_type="application/pdf")

    @rx.event
    async def download_receipt(self):
        """The receipt of a paid invoice as a PDF."""
        try:
            filename, content = await asyncio.to_thread(documents.render_public_receipt_pdf, self._token())
        except DomainError as err:
            return rx.toast.error(err.message)
        return rx.download(data=content, filename=filename, mime_type="application/pdf")
