"""The invoice page's "Email receipt" button, for a paid or partly paid invoice when email is set up.

Once per intent, as Send and Send reminder: the button carries a key made when it was drawn
(``services.idempotency``). The clicks of a double click, and a replayed event, carry the same
key: one receipt. Once a receipt is queued the button is drawn with a new key, so a deliberate
later click (the client lost the first) sends another. The second click of a double click is
also dropped in the browser (``data-toggle``, assets/toggle_guard.js) and the button is
disabled while its click runs: feedback, not the guarantee."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.services import delivery, idempotency, receipts
from invoice_crm.state.auth import AuthState
from invoice_crm.state.editor import route_id


class ReceiptState(AuthState):
    mail_on: bool = False
    receipt_key: str = ""  # the next click's key: one receipt per key
    emailing_receipt: bool = False
    last_receipt_id: int = 0  # the email the last click queued: a repeat of its key is said so

    @rx.event
    def check(self):
        self.mail_on = delivery.email_enabled()
        if not self.emailing_receipt:
            self.receipt_key = idempotency.new_key()

    @rx.event
    async def email_receipt(self, key: str):
        user = self._current_user()
        if user is None:
            yield self._redirect_to_login()
            return
        if self.emailing_receipt:
            return
        self.emailing_receipt = True
        yield
        try:
            message = await asyncio.to_thread(
                lambda: receipts.send_receipt(route_id(self.router.url.path), user, idempotency_key=key)
            )
        except DomainError as err:
            from invoice_crm.state.invoice_page import InvoicePageState  # it imports the editor too

            self.emailing_receipt = False
            # Refused: often the payment was removed in another tab; the page shows it so.
            yield [rx.toast.error(err.message), InvoicePageState.reread]
            return
        self.emailing_receipt = False
        repeated = message.id == self.last_receipt_id
        self.last_receipt_id = message.id
        self.receipt_key = idempotency.new_key()  # this intent is done: a later click is a new one
        if repeated:
            yield rx.toast.info(f"That receipt was already queued for {message.recipient}")
        else:
            yield rx.toast.success(f"Receipt queued for {message.recipient}")


def receipt_button() -> rx.Component:
    return rx.box(
        rx.cond(
            ReceiptState.mail_on,
            rx.button(
                rx.icon("mail", size=16), "Email receipt", variant="soft",
                on_click=ReceiptState.email_receipt(ReceiptState.receipt_key),
                loading=ReceiptState.emailing_receipt, disabled=ReceiptState.emailing_receipt,
                id="email-receipt", custom_attrs={"data-toggle": "true"},
            ),
        ),
        on_mount=ReceiptState.check,
        display="contents",
    )
