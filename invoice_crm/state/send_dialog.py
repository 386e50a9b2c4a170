"""Delivering an invoice from its page: the Send dialog (email with the PDF, or mark as sent),
reminders, retrying a failed email, and the PDF download.

A substate of the invoice page: it reads the page's invoice and refreshes it after each action.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import reflex as rx

from invoice_crm.domain.email_text import long_date
from invoice_crm.domain.errors import Conflict, DomainError
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.numbers import format_date
from invoice_crm.services import delivery, idempotency, pdf
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.business_settings import business_timezone, current_business
from invoice_crm.state.invoice_ledger import Shown, listed
from invoice_crm.state.invoice_page import InvoicePageState

SEND, REMINDER = "send", "reminder"
BY_EMAIL, MARK_ONLY = "email", "mark"
FORM_FIELDS = ("recipient", "subject", "body")
MOVE_DUE, KEEP_DUE = "move", "keep"
DEFAULT_TERM_DAYS = 14  # Net 14, when the draft's own terms cannot be told
WATCH_SECONDS = 90  # how long the page waits for the sender's result before leaving it to a reload


class DeliveryState(InvoicePageState):
    send_open: bool = False
    send_mode: str = SEND
    send_method: str = BY_EMAIL
    send_to: str = ""
    send_subject: str = ""
    send_body: str = ""
    send_errors: dict[str, str] = {}
    mail_enabled: bool = False
    mail_unavailable: str = ""
    sending: bool = False
    watching_email: bool = False
    send_key: str = ""  # made when the dialog opens: one send (or reminder) per opening
    preview_number: str = ""
    past_due: bool = False  # the draft's due date has passed: the dialog asks what to do
    old_due: str = ""  # ISO dates, for the rule ...
    moved_due: str = ""
    old_due_text: str = ""  # ... and as the business locale writes them
    moved_due_text: str = ""
    due_choice: str = MOVE_DUE
    # No business name in Settings: the invoice and the email would not say who they are from.
    sender_missing: bool = False
    # The prefilled message as written, and the money it names (delivery.EmailDraft.said):
    # a send checks the invoice still says that (server-side only).
    _composed: tuple[str, str] = ("", "")
    _said: str = ""

    def _close_send_dialog(self) -> None:
        """Closed, with the email it composed and its key (InvoicePageState._close_dialogs)."""
        self.send_open = self.sending = self.past_due = self.sender_missing = False
        self.send_key = self.send_to = self.send_subject = self.send_body = self.preview_number = ""
        self._composed, self._said = ("", ""), ""
        self.old_due = self.moved_due = self.old_due_text = self.moved_due_text = ""
        self.send_mode, self.due_choice, self.send_errors = SEND, MOVE_DUE, {}

    @rx.var
    def is_reminder(self) -> bool:
        return self.send_mode == REMINDER

    @rx.var
    def by_email(self) -> bool:
        return self.send_method == BY_EMAIL

    @rx.var
    def confirm_label(self) -> str:
        if self.send_mode == REMINDER:
            return "Send reminder"
        return "Send email" if self.send_method == BY_EMAIL else "Mark as sent"

    async def _open(self, mode: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._check_past_due(mode)
        try:
            draft = await self._compose(mode)
        except DomainError as err:
            return rx.toast.error(err.message)
        self.sender_missing = not (await asyncio.to_thread(current_business)).business_name
        self.send_key = idempotency.new_key()
        self.mail_enabled = delivery.email_enabled()
        self.mail_unavailable = "" if self.mail_enabled else delivery.NOT_CONFIGURED
        self.send_mode = mode
        self.send_method = BY_EMAIL if self.mail_enabled else MARK_ONLY
        self.send_to, self.send_subject, self.send_body = draft.recipient, draft.subject, draft.body
        self.send_errors = {}
        self.send_open = True
        return None

    async def _compose(self, mode: str) -> delivery.EmailDraft:
        """The prefilled email of this mode, as the invoice stands (remembered with its money)."""
        if mode == REMINDER:
            draft = await asyncio.to_thread(delivery.compose_reminder, self.invoice_id)
        else:
            moved = date.fromisoformat(self.moved_due) if self.past_due and self.due_choice == MOVE_DUE else None
            draft, self.preview_number = await asyncio.to_thread(delivery.invoice_email_and_number, self.invoice_id, moved)
        self._composed, self._said = (draft.subject, draft.body), draft.said
        return draft

    async def _rewrite(self) -> str:
        """The invoice changed since the message was written: an untouched message is written
        again with the new figures; one the freelancer edited is kept, to be checked (the next
        Send sends it). What to say beside the message."""
        untouched = (self.send_subject, self.send_body) == self._composed
        draft = await self._compose(self.send_mode)
        if untouched:
            self.send_subject, self.send_body = draft.subject, draft.body
            return f"{delivery.CHANGED_SINCE_WRITTEN}: it now has the new amounts. Check it and send again."
        return f"{delivery.CHANGED_SINCE_WRITTEN}: check the amounts in your message and send again."

    def _check_past_due(self, mode: str) -> None:
        """A draft whose due date has passed: offer today plus its own terms (or Net 14)."""
        self.past_due, self.old_due, self.moved_due, self.due_choice = False, "", "", MOVE_DUE
        if mode != SEND or not self.invoice.get("due_iso"):
            return
        due = date.fromisoformat(self.invoice["due_iso"])
        issued = date.fromisoformat(self.invoice["issue_iso"])
        today = business_today(business_timezone())
        if due >= today:
            return
        term = (due - issued).days
        self.past_due = True
        self.old_due = due.isoformat()
        moved = today + timedelta(days=term if term > 0 else DEFAULT_TERM_DAYS)
        self.moved_due = moved.isoformat()
        self.old_due_text, self.moved_due_text = format_date(due), format_date(moved)

    @rx.event
    def set_due_choice(self, value: str):
        """Keep or move the past due date; the email's text follows the choice."""
        if value not in (MOVE_DUE, KEEP_DUE) or not self.past_due or value == self.due_choice:
            return
        old, new = date.fromisoformat(self.old_due), date.fromisoformat(self.moved_due)
        before, after = (long_date(new), long_date(old)) if value == KEEP_DUE else (long_date(old), long_date(new))
        self.send_subject = self.send_subject.replace(before, after)
        self.send_body = self.send_body.replace(before, after)
        self._composed = (self._composed[0].replace(before, after), self._composed[1].replace(before, after))
        self.due_choice = value

    @rx.event
    async def open_send_dialog(self):
        return await self._open(SEND)

    @rx.event
    async def open_reminder_dialog(self):
        return await self._open(REMINDER)

    @rx.event
    def set_send_open(self, value: bool):
        self.send_open = value

    @rx.event
    def set_send_method(self, value: str):
        if value == MARK_ONLY or (value == BY_EMAIL and self.mail_enabled):
            self.send_method = value

    @rx.event
    def set_send_to(self, value: str):
        self.send_to = value
        self.send_errors.pop("recipient", None)

    @rx.event
    def set_send_subject(self, value: str):
        self.send_subject = value
        self.send_errors.pop("subject", None)

    @rx.event
    def set_send_body(self, value: str):
        self.send_body = value
        self.send_errors.pop("body", None)

    def _action(self):
        actor, key = self.user_email, self.send_key
        invoice_id, to, subject, body = self.invoice_id, self.send_to, self.send_subject, self.send_body
        said = self._said or None
        if self.send_mode == REMINDER:
            return lambda: delivery.send_reminder(invoice_id, to, subject, body, actor, idempotency_key=key, said=said)
        # Unless the freelancer chose here what happens to a past due date, a due date that
        # has passed meanwhile is refused rather than sent as is.
        due = {"new_due_date": None, "refuse_past_due": not self.past_due}
        if self.past_due and self.due_choice == MOVE_DUE:
            due["new_due_date"] = date.fromisoformat(self.moved_due)
        if self.send_method == BY_EMAIL:
            preview = self.preview_number
            return lambda: delivery.send_invoice_by_email(
                invoice_id, to, subject, body, actor, previewed_number=preview, idempotency_key=key, said=said, **due
            )
        return lambda: invoice_service.send_invoice(invoice_id, actor, idempotency_key=key, **due)

    @rx.event
    async def submit_send(self, form: Shown | None = None):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        if (other := await self._not_on_screen(form)) is not None:
            yield other
            return
        if self.sending or not self.send_key:  # a second click queued behind a done send
            return
        self.send_errors = {}
        emailed = self.send_mode == REMINDER or self.send_method == BY_EMAIL
        self.sending = True
        yield
        try:
            await asyncio.to_thread(self._action())
        except DomainError as err:
            self.sending = False
            if err.field in FORM_FIELDS or err.field == "due_date":
                self.send_errors = {err.field: err.message}
            await self._reload()
            if err.field == "due_date" and self.send_mode == SEND:
                self._check_past_due(SEND)
            if isinstance(err, Conflict) and err.field == "body":
                self.send_errors = {"body": await self._rewrite()}
                yield rx.toast.error(delivery.CHANGED_SINCE_WRITTEN)
                return
            if self.send_mode == REMINDER and not self.can_mark_paid:
                self.send_open = False  # paid or voided meanwhile: no reminder to send, no button either
            if self.send_mode == SEND and not self.is_draft:
                self.send_open = False  # sent (or deleted) in another tab: nothing left to send
            yield rx.toast.error(err.message)
            return
        self.send_open = False
        self.sending = False
        self.send_key = ""  # this opening's send is done
        if self.send_mode == SEND:
            extra = await self._after_send()  # reloads the committed invoice itself
        else:
            extra = []
            await self._reload()
        number = self.invoice.get("number", "Invoice")
        if self.send_mode == REMINDER:
            toast = rx.toast.success(f"Reminder for {number} is on its way to {self.send_to}")
        elif emailed:
            toast = rx.toast.success(f"{number} sent; the email is on its way to {self.send_to}")
        else:
            toast = rx.toast.success(f"{number} marked as sent")
        yield [toast, *extra, *([DeliveryState.watch_delivery] if emailed else [])]

    @rx.event
    async def retry_email(self, email_id: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        if not listed(self.emails, email_id):
            await self._reload()
            return rx.toast.error("That email is not one of this invoice's")
        try:
            message = await asyncio.to_thread(delivery.retry_email, int(email_id), self.user_email)
        except (DomainError, ValueError) as err:
            await self._reload()
            return rx.toast.error(getattr(err, "message", "That email cannot be retried"))
        await self._reload()
        return [rx.toast.success(f"Sending the email to {message.recipient} again"), DeliveryState.watch_delivery]

    @rx.event
    async def refresh_emails(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        await self._reload()
        return None

    @rx.event(background=True)
    async def watch_delivery(self):
        """Show the sender's result when it comes: poll until no email of this invoice is in flight."""
        async with self:
            if self.watching_email:
                return
            self.watching_email = True
            invoice_id = self.invoice_id
        try:
            for _ in range(WATCH_SECONDS):
                await asyncio.sleep(1)
                if not await asyncio.to_thread(delivery.has_emails_in_flight, invoice_id):
                    break
        finally:
            async with self:
                self.watching_email = False
                # The tab may have signed out while it waited: then it gets nothing.
                if self.invoice_id == invoice_id and self._current_user() is not None:
                    await self._reload()

    @rx.event
    async def download_pdf(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            filename, content = await asyncio.to_thread(pdf.render_invoice_pdf, self.invoice_id)
        except DomainError as err:
            return rx.toast.error(err.message)
        return rx.download(data=content, filename=filename, mime_type="application/pdf")
