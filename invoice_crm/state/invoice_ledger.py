"""The money actions of the invoice page, mixed into ``InvoicePageState``: Record payment
(partial or whole), remove a payment, void (and void and duplicate), credit notes and
refunds. Each handler reads its dialog, calls one service, reloads and toasts."""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation

import reflex as rx

from invoice_crm.domain.credits import refund_to_come
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import business_today
from invoice_crm.domain.money import format_money, format_price, parse_amount
from invoice_crm.domain.numbering import display_number
from invoice_crm.models import MANUAL_METHODS
from invoice_crm.services import delivery, idempotency, ledger
from invoice_crm.services.business_settings import business_timezone

METHODS = [(method.value, method.label) for method in MANUAL_METHODS]

# What a dialog's form sends with its confirm: its hidden fields (components.ledger.shown_fields)
# name what it is about; the rest (texts, a checkbox's bool, None for a field not drawn) is
# read from the state, never from here.
Shown = dict[str, str | bool | None]


NOT_THIS_NOTE = "That credit note is not one of this invoice's"


def listed(rows: list[dict], value) -> bool:
    """Whether ``value`` is the id of one of ``rows`` (what the page shows of this invoice): a
    button left from another invoice's page, or a replayed event, names one that is not."""
    return str(value) in {row["id"] for row in rows}


def _today() -> str:
    return business_today(business_timezone()).isoformat()


class InvoiceLedgerMixin(rx.State, mixin=True):
    pay_dialog_open: bool = False
    paid_on: str = ""
    pay_method: str = "BANK_TRANSFER"
    reference: str = ""
    pay_error: str = ""  # what belongs to no one field
    paid_on_error: str = ""
    reference_error: str = ""
    pay_key: str = ""  # made when the dialog opens: one payment per opening, whatever the clicks
    paying: bool = False
    # "Email a receipt to the client": offered when the client has an address and email is set up.
    receipt_possible: bool = False
    email_receipt: bool = False

    remove_open: bool = False
    remove_payment_id: int = 0
    remove_reason: str = ""
    remove_error: str = ""
    # Each dialog makes a key when it opens and forgets it once its action is done: a second
    # click queued behind the first (or a replayed event) finds no key and does nothing.
    remove_key: str = ""

    void_open: bool = False
    void_reason: str = ""
    void_error: str = ""
    void_key: str = ""

    credit_open: bool = False
    credit_amount: str = ""
    credit_lines: list[str] = []
    # What each line alone would credit, and the ticked lines' total (services.ledger.credit_by_lines).
    credit_line_amounts: list[str] = []
    credit_line_done: list[bool] = []  # credited already: shown so, and not offered again
    credit_total: str = ""
    # Said before issuing when the note is more than the balance due: what it leaves to refund.
    credit_refund_hint: str = ""
    credit_reason: str = ""
    credit_error: str = ""  # what belongs to no one field
    credit_errors: dict[str, str] = {}  # beside the fields: credit_amount, credit_lines, credit_reason
    credit_key: str = ""  # also stored with the note: one note per opening, whatever the clicks

    refund_open: bool = False
    refund_note_id: int = 0
    refund_amount: str = ""
    refund_date: str = ""
    refund_method: str = "BANK_TRANSFER"
    refund_reference: str = ""
    refund_error: str = ""  # what belongs to no one field
    refund_errors: dict[str, str] = {}  # beside the fields: refund_amount, refunded_on, refund_reference
    refund_key: str = ""  # also stored with the refund

    def _close_ledger_dialogs(self) -> None:
        """Every money dialog closed, with what it loaded or was typed in it and its key
        (InvoicePageState._close_dialogs: on each page load, and on a confirm from another invoice)."""
        self.pay_dialog_open = self.remove_open = self.void_open = self.credit_open = self.refund_open = False
        self.pay_key = self.remove_key = self.void_key = self.credit_key = self.refund_key = ""
        self.paying = self.receipt_possible = self.email_receipt = False
        self.payment_amount = self.payment_amount_error = self.paid_on = self.reference = ""
        self.pay_error = self.paid_on_error = self.reference_error = ""
        self.remove_payment_id, self.remove_reason, self.remove_error = 0, "", ""
        self.void_reason = self.void_error = ""
        self.credit_amount = self.credit_total = self.credit_reason = self.credit_error = ""
        self.credit_refund_hint = ""
        self.credit_lines, self.credit_line_amounts, self.credit_errors = [], [], {}
        self.refund_note_id, self.refund_amount, self.refund_date, self.refund_reference = 0, "", "", ""
        self.refund_error, self.refund_errors = "", {}

    # -- record payment --------------------------------------------------------------
    @rx.event
    def open_pay_dialog(self):
        balance = self.invoice.get("balance_plain", "")
        self.payment_amount = format_price(Decimal(balance), self.invoice.get("currency")) if balance else ""
        self.payment_amount_error = ""
        self.paid_on = _today()
        self.pay_method = "BANK_TRANSFER"
        self.reference = ""
        self.pay_error = self.paid_on_error = self.reference_error = ""
        self.pay_key = idempotency.new_key()
        self.paying = False
        self.receipt_possible = bool(self.invoice.get("client_email", "")) and delivery.email_enabled()
        self.email_receipt = self.receipt_possible
        self.pay_dialog_open = True

    @rx.event
    def set_pay_dialog_open(self, value: bool):
        self.pay_dialog_open = value

    @rx.event
    def set_paid_on(self, value: str):
        self.paid_on = value
        self.paid_on_error = ""

    @rx.event
    def set_pay_method(self, value: str):
        self.pay_method = value

    @rx.event
    def set_reference(self, value: str):
        self.reference = value

    @rx.event
    def set_email_receipt(self, value: bool):
        self.email_receipt = value

    @rx.event
    async def confirm_paid(self, form: Shown | None = None):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        if (other := await self._not_on_screen(form)) is not None:
            yield other
            return
        if not self.pay_key or self.paying:
            return
        self.pay_error = self.paid_on_error = self.reference_error = ""
        amount = self._read_payment_amount() if self.payment_amount.strip() else ""  # blank: the balance
        if amount is None:  # said beside the field
            yield rx.toast.error(self.payment_amount_error)
            return
        self.paying = True
        send_receipt = self.email_receipt and self.receipt_possible
        yield
        try:
            await asyncio.to_thread(
                lambda: ledger.record_payment(
                    self.invoice_id, amount, self.paid_on, self.pay_method, self.reference,
                    self.user_email, idempotency_key=self.pay_key, email_receipt=send_receipt,
                )
            )
        except DomainError as err:
            self.paying = False
            self._pay_field_error(err)
            yield await self._refused(err)
            return
        self.paying = False
        self.pay_key = ""  # this opening's payment is done: a queued second click does nothing
        self.pay_dialog_open = False
        await self._reload()
        number = self.invoice.get("number", "Invoice")
        emailed = f"; receipt emailed to {self.invoice.get('client_email', '')}" if send_receipt else ""
        if self.invoice.get("status") == "PAID":
            done = rx.toast.success(f"{number} is paid{emailed}")
        else:
            done = rx.toast.success(f"Payment recorded; balance due {self.invoice.get('balance', '')}{emailed}")
        yield [rx.toast.dismiss(), done]  # an earlier refusal's toast does not stay beside it

    def _pay_field_error(self, err: DomainError) -> None:
        """The refusal beside the field it is about (the amount, the date, the reference), or
        under the fields when it is about none of them."""
        if err.field == "amount":
            self.payment_amount_error = err.message
        elif err.field == "paid_on":
            self.paid_on_error = err.message
        elif err.field == "reference":
            self.reference_error = err.message
        else:
            self.pay_error = err.message

    # -- remove a payment ------------------------------------------------------------
    @rx.event
    def open_remove(self, payment_id: str):
        if not listed([p for p in self.payments if p.get("removable")], payment_id):
            return rx.toast.error("That payment is not one of this invoice's to remove")
        self.remove_payment_id = int(payment_id)
        self.remove_reason = ""
        self.remove_error = ""
        self.remove_key = idempotency.new_key()
        self.remove_open = True
        return None

    @rx.event
    def set_remove_open(self, value: bool):
        self.remove_open = value

    @rx.event
    def set_remove_reason(self, value: str):
        self.remove_reason = value

    @rx.event
    async def confirm_remove(self, form: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        # The payment the dialog names, and one of this page's invoice's payments.
        payment_id = self.remove_payment_id if listed(self.payments, self.remove_payment_id) else 0
        if (other := await self._not_on_screen(form, payment_id=payment_id)) is not None:
            return other
        if not self.remove_key:
            return None
        try:
            await asyncio.to_thread(ledger.remove_payment, self.remove_payment_id, self.remove_reason, self.user_email)
        except DomainError as err:
            self.remove_error = err.message
            return await self._refused(err)
        self.remove_key = ""
        self.remove_open = False
        await self._reload()
        return rx.toast.success(f"Payment removed; balance due {self.invoice.get('balance', '')}")

    # -- void ------------------------------------------------------------------------
    @rx.event
    def open_void(self):
        self.void_reason = ""
        self.void_error = ""
        self.void_key = idempotency.new_key()
        self.void_open = True

    @rx.event
    def set_void_open(self, value: bool):
        self.void_open = value

    @rx.event
    def set_void_reason(self, value: str):
        self.void_reason = value

    @rx.event
    async def confirm_void(self, form: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        if (other := await self._not_on_screen(form)) is not None:
            return other
        if not self.void_key:
            return None
        try:
            await asyncio.to_thread(ledger.void_invoice, self.invoice_id, self.void_reason, self.user_email)
        except DomainError as err:
            self.void_error = err.message
            return await self._refused(err)
        self.void_key = ""
        self.void_open = False
        await self._reload()
        return rx.toast.success(f"{self.invoice.get('number', 'Invoice')} is void")

    @rx.event
    async def void_and_duplicate(self, form: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        if (other := await self._not_on_screen(form)) is not None:
            return other
        if not self.void_key:
            return None
        try:
            copy = await asyncio.to_thread(ledger.void_and_duplicate, self.invoice_id, self.void_reason, self.user_email)
        except DomainError as err:
            self.void_error = err.message
            return await self._refused(err)
        self.void_key = ""
        self.void_open = False
        # The copy is a draft, so it has no number yet: named by its reference ("Draft D-0030").
        created = display_number(copy.number, copy.id)
        return [rx.toast.success(f"Voided; {created} created"), rx.redirect(f"/invoices/{copy.id}/edit")]

    # -- credit notes ----------------------------------------------------------------
    @rx.event
    async def open_credit(self):
        self.credit_amount = ""
        self.credit_lines = []
        self.credit_reason = ""
        self.credit_error = ""
        self.credit_refund_hint = ""
        self.credit_errors = {}
        await self._show_credit_by_lines()
        self.credit_key = idempotency.new_key()
        self.credit_open = True

    @rx.event
    def set_credit_open(self, value: bool):
        self.credit_open = value

    @rx.event
    def set_credit_amount(self, value: str):
        self.credit_amount = value
        self.credit_errors.pop("credit_amount", None)
        self._hint_refund()

    def _hint_refund(self, lines_amount: Decimal = Decimal(0)) -> None:
        """Before issuing: a note beyond the balance due leaves money owed back to the client.
        The note is the ticked lines' total, or else the amount typed (nothing readable yet:
        no hint; issuing says what is wrong with it)."""
        amount = lines_amount
        if not self.credit_lines:
            try:
                amount = parse_amount(self.credit_amount, "credit_amount", self.invoice.get("currency"))
            except DomainError:
                amount = Decimal(0)
        balance = self.invoice.get("balance_signed")
        creditable = Decimal(self.invoice.get("creditable_plain") or "0")
        if not balance or amount > creditable:  # more than can be credited: issuing refuses it
            self.credit_refund_hint = ""
            return
        currency = self.invoice.get("currency", "USD")
        owed = refund_to_come(amount, Decimal(balance))
        self.credit_refund_hint = (
            f"{format_money(owed, currency)} more than the balance due "
            f"({format_money(max(Decimal(balance), Decimal(0)), currency)}): issued, it is owed back to the client, to refund"
            if owed > 0 else ""
        )

    @rx.event
    def set_credit_reason(self, value: str):
        self.credit_reason = value

    @rx.event
    async def toggle_credit_line(self, position: str, checked: bool):
        chosen = [p for p in self.credit_lines if p != position]
        self.credit_lines = [*chosen, position] if checked else chosen
        self.credit_errors.pop("credit_lines", None)
        await self._show_credit_by_lines()

    async def _show_credit_by_lines(self) -> None:
        """Each line's credit and the ticked lines' total, as issuing would credit them (read
        in a thread, as every other read of these handlers: not on the event loop)."""
        try:
            figures = await asyncio.to_thread(ledger.credit_by_lines, self.invoice_id, self._credit_positions())
        except DomainError as err:
            self.credit_line_amounts, self.credit_line_done, self.credit_total = [], [], ""
            self.credit_refund_hint = ""
            self.credit_error = err.message
            return
        self.credit_line_amounts, self.credit_line_done, self.credit_total = figures.per_line, figures.credited, figures.total
        self._hint_refund(figures.amount)

    async def _credit_total_as_shown(self, form: Shown | None) -> bool:
        """By line, the total the dialog showed is the one issuing would credit; if not (the
        invoice changed meanwhile), the dialog shows the new figures and nothing is issued."""
        shown = str((form or {}).get("credit_total", ""))
        await self._show_credit_by_lines()
        return bool(self.credit_error) or shown == self.credit_total  # a refusal: issuing says it

    def _credit_positions(self) -> list[int]:
        return [int(p) for p in self.credit_lines if p.isdigit()]

    @rx.event
    async def confirm_credit(self, form: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        if (other := await self._not_on_screen(form)) is not None:
            return other
        if not self.credit_key:
            return None
        positions = self._credit_positions()
        if positions and not await self._credit_total_as_shown(form):
            return rx.toast.error(f"The lines now come to {self.credit_total}: check the total and issue again")
        self.credit_error, self.credit_errors = "", {}
        # The balance on screen: an amount is typed against it (refused if it changed since).
        seen = Decimal(self.invoice["balance_signed"]) if self.invoice.get("balance_signed") else None
        try:
            note = await asyncio.to_thread(
                lambda: ledger.issue_credit_note(
                    self.invoice_id, amount=self.credit_amount, line_positions=positions or None,
                    reason=self.credit_reason, actor=self.user_email, idempotency_key=self.credit_key,
                    balance_seen=seen,
                )
            )
        except DomainError as err:
            if err.field in ("credit_amount", "credit_lines", "credit_reason"):
                # By line the amount field is not shown: a refused amount is the lines' total.
                field = "credit_lines" if positions and err.field == "credit_amount" else err.field
                self.credit_errors = {field: err.message}
            else:
                self.credit_error = err.message
            return await self._refused(err)
        self.credit_key = ""
        self.credit_open = False
        await self._reload()
        return [rx.toast.dismiss(), rx.toast.success(f"Credit note {note.number} issued")]

    # -- refunds ---------------------------------------------------------------------
    @rx.event
    def open_refund(self, note_id: str, left: str):
        if not listed(self.credit_notes, note_id):
            return rx.toast.error(NOT_THIS_NOTE)
        self.refund_note_id = int(note_id)
        # What is left to refund, written as the business locale writes it (42,50 in fr_FR),
        # so that saving it unchanged reads it back as the same amount.
        try:
            value = Decimal(left or "NaN")
            self.refund_amount = format_price(value, self.invoice.get("currency")) if value.is_finite() else ""
        except InvalidOperation:  # not the page's figure: blank, which refunds what is left
            self.refund_amount = ""
        self.refund_date = _today()
        self.refund_method = "BANK_TRANSFER"
        self.refund_reference = ""
        self.refund_error = ""
        self.refund_errors = {}
        self.refund_key = idempotency.new_key()
        self.refund_open = True
        return None

    @rx.event
    def set_refund_open(self, value: bool):
        self.refund_open = value

    @rx.event
    def set_refund_amount(self, value: str):
        self.refund_amount = value
        self.refund_errors.pop("refund_amount", None)

    @rx.event
    def set_refund_date(self, value: str):
        self.refund_date = value
        self.refund_errors.pop("refunded_on", None)

    @rx.event
    def set_refund_method(self, value: str):
        self.refund_method = value

    @rx.event
    def set_refund_reference(self, value: str):
        self.refund_reference = value
        self.refund_errors.pop("refund_reference", None)

    @rx.event
    async def confirm_refund(self, form: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        note_id = self.refund_note_id if listed(self.credit_notes, self.refund_note_id) else 0
        if (other := await self._not_on_screen(form, note_id=note_id)) is not None:
            return other
        if not self.refund_key:
            return None
        self.refund_error, self.refund_errors = "", {}
        try:
            await asyncio.to_thread(
                lambda: ledger.record_refund(
                    self.refund_note_id, self.refund_amount, self.refund_date, self.refund_method,
                    self.refund_reference, self.user_email, idempotency_key=self.refund_key,
                )
            )
        except DomainError as err:
            if err.field in ("refund_amount", "refunded_on", "refund_reference"):
                self.refund_errors = {err.field: err.message}
            else:
                self.refund_error = err.message
            return await self._refused(err)
        self.refund_key = ""
        self.refund_open = False
        await self._reload()
        return [rx.toast.dismiss(), rx.toast.success("Refund recorded")]

    @rx.event
    async def download_credit_note(self, note_id: str):
        from invoice_crm.services import pdf

        if self._current_user() is None:
            return self._redirect_to_login()
        if not listed(self.credit_notes, note_id):
            return rx.toast.error(NOT_THIS_NOTE)
        try:
            filename, content = await asyncio.to_thread(pdf.render_credit_note_pdf, int(note_id))
        except DomainError as err:
            return rx.toast.error(err.message)
        return rx.download(data=content, filename=filename, mime_type="application/pdf")
