"""The invoice page (/invoices/[invoice_id]): header, lines, timeline, and the actions
its status allows — send, record payment, void, credit note, duplicate, delete."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import reflex as rx

from invoice_crm.domain.activity import activity_text, event_label
from invoice_crm.domain.errors import DomainError
from invoice_crm.domain.lifecycle import InvoiceStatus, credited_in_full
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_date, format_timestamp
from invoice_crm.models import PaymentMethod
from invoice_crm.services import expected_pay, figures, idempotency, queries
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services import payments as stripe_payments
from invoice_crm.services.delivery import email_rows
from invoice_crm.services.documents import has_receipt
from invoice_crm.services.links import pay_url
from invoice_crm.services.public_view import viewed_text
from invoice_crm.state.auth import AuthState
from invoice_crm.state.editor import route_id
from invoice_crm.state.invoice_ledger import InvoiceLedgerMixin, Shown
from invoice_crm.state.invoice_payments import InvoicePaymentsMixin
from invoice_crm.state.invoice_reminders import InvoiceRemindersMixin

OTHER_INVOICE = (
    "Nothing was done: that dialog was for another invoice, not {number} shown here now. "
    "The page has been read again; open the dialog from it if it is still needed."
)


class InvoicePageState(AuthState, InvoicePaymentsMixin, InvoiceLedgerMixin, InvoiceRemindersMixin):
    invoice_id: int = 0
    invoice: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    breakdown: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    credit_notes: list[dict[str, str]] = []
    # Stripe payments taken but not recorded, not refunded since (services.payments).
    unrecorded_payments: list[str] = []
    emails: list[dict[str, str]] = []
    loading: bool = True
    not_found: bool = False
    expected_pay: str = ""  # from the client's history (services.expected_pay)
    expected_late: bool = False
    delete_key: str = ""  # made when the delete question opens: one delete per opening

    @rx.var
    def status(self) -> str:
        return self.invoice.get("status", "")

    @rx.var
    def can_mark_paid(self) -> bool:
        return self.status in (InvoiceStatus.SENT.value, InvoiceStatus.OVERDUE.value)

    @rx.var
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT.value

    @rx.var
    def can_void(self) -> bool:
        return self.can_mark_paid and self.invoice.get("has_payments", "") != "yes" and not self.credit_notes

    @rx.var
    def has_receipt(self) -> bool:
        """Money came in and was kept (services.documents.has_receipt): paid, or an open invoice
        with payments; not one credited in full with nothing received."""
        return self.invoice.get("has_receipt", "") == "yes"

    @rx.var
    def can_credit(self) -> bool:
        return self.status in (InvoiceStatus.SENT.value, InvoiceStatus.OVERDUE.value, InvoiceStatus.PAID.value)

    def _fill(self, detail: dict) -> None:
        inv, client, project = detail["invoice"], detail["client"], detail["project"]
        totals = detail["totals"]
        tz_name = detail["timezone"]  # read with the invoice: times are shown on the business's clock
        self.invoice_id = inv.id
        self.invoice = {
            "id": str(inv.id),
            "number": display_number(inv.number, inv.id),
            "status": InvoiceStatus(inv.status).value,
            "imported": "Imported" if inv.imported else "",
            "client": client.name,
            "client_email": client.email,
            "client_id": str(client.id),
            "project": project.name if project else "",
            "amount": format_money(inv.amount, inv.currency),
            "balance": format_money(totals.balance_due, inv.currency),
            "balance_plain": format(totals.balance_due, "f"),
            "balance_signed": format(totals.balance, "f"),  # below zero when overpaid: what a credit is typed against
            "creditable_plain": format(totals.total - totals.credited, "f"),  # the most a credit note can be
            "badge": queries.badge_of(inv.status, totals.paid),
            "has_payments": "yes" if any(p.removed_at is None for p in detail["payments"]) else "",
            "has_receipt": "yes" if has_receipt(inv) else "",
            # Settled by credit notes with nothing received: "Credited", never "Paid".
            "credited": "yes" if credited_in_full(inv.status, totals.paid) else "",
            "void_reason": inv.void_reason,
            "currency": inv.currency,
            "issue_date": format_date(inv.issue_date),
            "issue_iso": inv.issue_date.isoformat(),  # for rules; the *_date values are for reading
            "due_iso": inv.due_date.isoformat() if inv.due_date else "",
            "due_date": format_date(inv.due_date),
            "sent_at": format_timestamp(inv.sent_at, tz_name),
            "paid_at": format_date(inv.paid_at),
            "notes": inv.notes,
            "countdown": detail["countdown"],
            "pay_url": pay_url(inv.public_token),
            "stripe_link": inv.stripe_link or "",
            # A Checkout session was made once (its link is dropped when the balance changes).
            "stripe_session": "yes" if inv.stripe_session_id else "",
            "sync": inv.sheet_sync_status,
            "sync_error": inv.sheet_sync_error,
            "viewed": viewed_text(inv.view_count, inv.first_viewed_at, inv.last_viewed_at, tz_name),
        }
        self.lines = queries.line_rows(detail["lines"], inv.currency)
        self.unrecorded_payments = [activity_text(d, tz_name) for d in stripe_payments.unrecorded_payments(detail["events"])]
        self.events = [
            {"label": event_label(e.kind), "actor": e.actor, "details": activity_text(e.details, tz_name), "when": format_timestamp(e.created_at, tz_name)}
            for e in detail["events"]
        ]
        self.breakdown = figures.breakdown_rows(totals, settled=figures.settled(inv.status))
        self.payments = [
            {
                "id": str(p.id),
                "amount": format_money(p.amount, p.currency),
                "paid_on": format_date(p.paid_on),
                "method": p.method.label,
                "reference": p.reference or p.stripe_payment_intent_id or "",
                "removed": f"Removed: {p.removed_reason}" if p.removed_at else "",
                "removable": "yes" if p.removed_at is None and p.method is not PaymentMethod.STRIPE
                and InvoiceStatus(inv.status) is not InvoiceStatus.VOID else "",
            }
            for p in detail["payments"]
        ]
        refunded: dict[int, Decimal] = {}
        refund_rows: dict[int, list[str]] = {}
        for r in detail["refunds"]:
            if r.credit_note_id is not None:
                refunded[r.credit_note_id] = refunded.get(r.credit_note_id, Decimal(0)) + r.amount
                refund_rows.setdefault(r.credit_note_id, []).append(
                    f"Refunded {format_money(r.amount, r.currency)} on {format_date(r.refunded_on)}, {r.method.in_text}"
                )
        self.credit_notes = []
        for n in detail["credit_notes"]:
            left = figures.refund_left(n.refund_due, refunded.get(n.id, Decimal(0)), totals.refund_due)
            self.credit_notes.append({
                "id": str(n.id),
                "number": n.number,
                "issue_date": format_date(n.issue_date),
                "amount": format_money(n.amount, n.currency),
                "reason": n.reason,
                "refund_left": format(left, "f") if left > 0 else "",
                "refund_left_display": format_money(left, n.currency) if left > 0 else "",
                "refunds": "; ".join(refund_rows.get(n.id, [])),
            })
        self.emails = email_rows(detail["emails"], tz_name)

    async def _reload(self) -> None:
        detail = await asyncio.to_thread(queries.invoice_detail, self.invoice_id)
        if detail is None:
            self.not_found = True
            self.invoice = {}
            return
        self.not_found = False
        self._fill(detail)
        await asyncio.to_thread(self._load_reminders)
        self.expected_pay, self.expected_late = await asyncio.to_thread(expected_pay.expectation_text, self.invoice_id)

    async def _refused(self, err: DomainError):
        """A refused action's toast, with the page read again first: a refusal is often the
        sign that the invoice changed in another tab or window (voided, paid, credited), so the
        page shows it as it now is, with only the actions its status now allows; a dialog whose
        action is no longer offered closes (its button is gone with it)."""
        await self._reload()
        if not self.can_mark_paid:
            self.pay_dialog_open = False
        if not self.can_void:
            self.void_open = False
        if not self.can_credit:
            self.credit_open = False
        return rx.toast.error(err.message)

    async def _close_dialogs(self) -> None:
        """Every dialog of the page closed, with what it loaded, what was typed in it and its
        key: a dialog left open on one invoice never opens by itself on the next invoice this
        tab shows (Back, a link, a reload, an address typed), holding the first one's figures."""
        from invoice_crm.state.send_dialog import DeliveryState  # a substate: it imports this module

        self._close_ledger_dialogs()
        self.delete_key = ""
        (await self.get_state(DeliveryState))._close_send_dialog()

    async def _not_on_screen(self, shown: Shown | None, **ids: int):
        """None when a confirm is for the invoice this page shows: ``shown`` (what the dialog's
        form sent) names it as ``invoice_id``, and each of ``ids`` (the payment or credit note
        the dialog was opened for, 0 when it is not this invoice's) as its own field. Otherwise
        the confirm comes from a dialog of another invoice (a tab left behind, a replayed
        event): nothing is done, every dialog closes, the page is read again, and a toast
        says so."""
        shown = shown or {}
        expected = {"invoice_id": self.invoice_id, **ids}
        if all(value and str(shown.get(name, "")).strip() == str(value) for name, value in expected.items()):
            return None
        await self._close_dialogs()
        await self._reload()
        return rx.toast.error(OTHER_INVOICE.format(number=self.invoice.get("number", "the invoice")))

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        # First of all, and shown at once: no dialog of the invoice left, and no invoice
        # shown until this one is read.
        self.loading = True
        await self._close_dialogs()
        yield
        invoice_id = route_id(self.router.url.path)
        if invoice_id is None:
            self.not_found = True
            self.loading = False
            return
        self.invoice_id = invoice_id
        self._reset_payment_view()
        await asyncio.to_thread(invoice_service.sweep_overdue)
        await self._check_checkout_return()
        await self._reload()
        self.loading = False

    async def _after_send(self) -> list:
        """Work that follows a committed DRAFT -> SENT (outside its transaction); returns
        extra events (toasts) to show: the Stripe Checkout link is made here."""
        await asyncio.to_thread(invoice_service.sweep_overdue)
        extra = await self._make_payment_link()  # from the invoice as committed, not as shown
        await self._reload()
        return extra

    @rx.event
    def duplicate(self):
        """Opens the editor prefilled with a copy; nothing is saved (or numbered) until Save."""
        if self._current_user() is None:
            return self._redirect_to_login()
        return rx.redirect(f"/invoices/new?from={self.invoice_id}")

    @rx.event
    async def reread(self):
        """The invoice read again (after another part of the page was refused: it changed)."""
        await self._reload()

    @rx.event
    def open_delete(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.delete_key = idempotency.new_key()
        return None

    @rx.event
    async def delete(self, shown: Shown | None = None):
        if self._current_user() is None:
            return self._redirect_to_login()
        if (other := await self._not_on_screen(shown)) is not None:
            return other
        if not self.delete_key:  # this opening's delete is done: a queued second click does nothing
            return None
        self.delete_key = ""
        try:
            number = await asyncio.to_thread(invoice_service.delete_draft, self.invoice_id, self.user_email)
        except DomainError as err:  # sent in another tab, say: the page shows it so
            return await self._refused(err)
        return [rx.toast.success(f"{number} deleted"), rx.redirect("/")]
