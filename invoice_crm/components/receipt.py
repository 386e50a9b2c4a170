"""The invoice page's "Email receipt" button, for a paid or partly paid invoice when email is set up."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.services import delivery, receipts
from invoice_crm.state.auth import AuthState
from invoice_crm.state.editor import route_id


class ReceiptState(AuthState):
    mail_on: bool = False

    @rx.event
    def check(self):
        self.mail_on = delivery.email_enabled()

    @rx.event
    async def email_receipt(self):
        user = self._current_user()
        if user is None:
            return self._redirect_to_login()
        try:
            message = await asyncio.to_thread(receipts.send_receipt, route_id(self.router.url.path), user)
        except DomainError as err:
            return rx.toast.error(err.message)
        return rx.toast.success(f"Receipt queued for {message.recipient}")


def receipt_button() -> rx.Component:
    return rx.box(
        rx.cond(
            ReceiptState.mail_on,
            rx.button(rx.icon("mail", size=16), "Email receipt", variant="soft", on_click=ReceiptState.email_receipt,
                      id="email-receipt"),
        ),
        on_mount=ReceiptState.check,
        display="contents",
    )
