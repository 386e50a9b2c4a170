"""The client page (/clients/[client_id]): contact details, invoices with balances, what is
outstanding and overdue, the statement PDF, archive and delete."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import reflex as rx

from invoice_crm.domain.drafts import as_id
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import client_accounts, documents, expected_pay, recurring_views
from invoice_crm.services.business_settings import business_currency
from invoice_crm.state.auth import AuthState

# A second click of a double click on Download arrives queued behind the first's download.
AGAIN_SECONDS = 1.0


def _route_id(path: str) -> int:
    parts = [p for p in (path or "").split("/") if p]
    return (as_id(parts[1]) or 0) if len(parts) >= 2 and parts[0] == "clients" else 0


def _day(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(f"{field} must be a date (YYYY-MM-DD)", field=field.lower()) from None


class ClientPageState(AuthState):
    client_id: int = 0
    client: dict[str, str] = {}
    invoices: list[dict[str, str]] = []
    outstanding: str = ""
    overdue: str = ""
    loading: bool = True
    not_found: bool = False
    archived: bool = False
    statement_start: str = ""
    statement_end: str = ""
    statement_error: str = ""
    statement_error_field: str = ""  # "from" or "to": the date the error is about, marked beside it
    statement_busy: bool = False
    _statement_for: tuple = ()  # backend only: the statement last downloaded, and when
    _statement_at: float = 0.0
    confirm_delete: bool = False
    pay_habit: str = ""  # "Usually pays N days after sending (based on K invoices)"

    async def _refresh(self) -> None:
        try:
            acc = await asyncio.to_thread(client_accounts.client_account, self.client_id)
        except DomainError:
            self.not_found = True
            return
        currency = business_currency()
        c = acc.client
        self.not_found = False
        self.client = {
            "id": str(c.id), "name": c.name, "email": c.email, "company": c.company,
            "address": c.address, "tax_number": c.tax_number,
        }
        self.archived = c.archived_at is not None
        self.invoices = [{k: str(v) for k, v in row.items()} for row in acc.rows]
        # Nothing owed is said in the client's own currency when it has one (0 ¥, not $0.00).
        own = acc.currency or currency
        self.outstanding = client_accounts.money_text(acc.outstanding, own)
        self.overdue = client_accounts.money_text(acc.overdue, own)
        self.pay_habit = await asyncio.to_thread(expected_pay.habit_text, self.client_id)

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.loading = True
        self.client_id = _route_id(self.router.url.path)
        # Each client's page starts with the whole history as its statement range, no error:
        # a range (or its refusal) chosen for one client is not carried to the next.
        self.statement_start = self.statement_end = self.statement_error = self.statement_error_field = ""
        self.confirm_delete = False
        await self._refresh()
        self.loading = False
        return None

    @rx.event
    def set_statement_start(self, value: str):
        self.statement_start = value

    @rx.event
    def set_statement_end(self, value: str):
        self.statement_end = value

    @rx.event
    async def download_statement(self):
        """One file per click: the button shows it is working (a long statement takes seconds)
        and a second click of a double click, queued behind the first, downloads nothing more."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        asked = (self.client_id, self.statement_start, self.statement_end)
        if self.statement_busy or (asked == self._statement_for and time.monotonic() - self._statement_at < AGAIN_SECONDS):
            return
        self.statement_error = self.statement_error_field = ""
        self.statement_busy = True
        yield
        try:
            start, end = _day(self.statement_start, "From"), _day(self.statement_end, "To")
            filename, content = await asyncio.to_thread(documents.render_statement_pdf, self.client_id, start, end)
        except DomainError as err:
            self.statement_error = err.message
            self.statement_error_field = {"start": "from", "end": "to"}.get(err.field or "", err.field or "")
            yield rx.toast.error(err.message)
            return
        finally:
            self.statement_busy = False
        self._statement_for, self._statement_at = asked, time.monotonic()
        yield rx.download(data=content, filename=filename, mime_type="application/pdf")

    @rx.event
    async def set_archived(self, archived: bool):
        """Archive or restore, as the button clicked said: a click made before the change shows
        (a second tab, a queued second click) finds it done and says nothing."""
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            changed = await asyncio.to_thread(client_accounts.set_archived, self.client_id, archived)
        except DomainError as err:  # deleted in another tab, or no client loaded
            return rx.toast.error(err.message)
        await self._refresh()
        if not changed:
            return None
        if archived:  # its active recurring profiles keep issuing: say so, naming them
            return rx.toast.success(await asyncio.to_thread(recurring_views.archived_message, self.client_id))
        return rx.toast.success("Client restored")

    @rx.event
    def set_confirm_delete(self, value: bool):
        self.confirm_delete = value

    @rx.event
    async def delete(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            await asyncio.to_thread(client_accounts.delete_client, self.client_id)
        except DomainError as err:  # an invoice made for them in another tab, say: shown now
            self.confirm_delete = False
            await self._refresh()
            return rx.toast.error(err.message)
        return [rx.toast.success("Client deleted"), rx.redirect("/clients")]
