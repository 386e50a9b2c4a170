"""The invoice editor (/invoices/new and /invoices/[id]/edit): a draft's terms and lines.

Line totals and the invoice total are computed vars that call the one total function,
so they update as the user types."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import date, timedelta
from decimal import Decimal

import reflex as rx

from invoice_crm.domain import lifecycle
from invoice_crm.domain.drafts import MAX_TERM_DAYS, LineInput, draft_errors, is_blank_line
from invoice_crm.domain.errors import DomainError, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import (
    CURRENCIES,
    format_money,
    format_price,
    format_quantity,
    invoice_total,
    parse_quantity,
    parse_unit_price,
)
from invoice_crm.services import clients as client_service
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services import queries
from invoice_crm.services.business_settings import current_business
from invoice_crm.settings import get_settings
from invoice_crm.state.auth import AuthState

LINE_FIELDS = ("description", "quantity", "unit_price")
NUMBER_FIELDS = ("quantity", "unit_price")
NEW_LINE = {"description": "", "quantity": "1", "unit_price": ""}  # what an untouched line holds


def new_line(description: str = "", quantity: str = "1", unit_price: str = "") -> dict[str, str]:
    """A line as typed. ``key`` names it for the browser, so an input keeps its line when
    lines above it are removed and is drawn afresh when another draft is loaded."""
    return {"key": secrets.token_hex(6), "description": description, "quantity": quantity, "unit_price": unit_price}


def route_id(path: str) -> int | None:
    """The invoice id from /invoices/<id>[/edit]."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "invoices" and parts[1].isdigit():
        return int(parts[1])
    return None


def _read_number(field: str, text: object, currency: str) -> Decimal:
    """One line number as typed, read in the business locale (``ValidationError`` if not)."""
    if field == "quantity":
        return parse_quantity(text)
    return parse_unit_price(text, currency=currency)


def _live_line(line: dict[str, str], currency: str) -> tuple[dict[str, str], LineInput | None]:
    """A line's view (errors in what has been typed so far: blank is not an error yet) and,
    when both numbers read, the line as it will be billed."""
    view = dict(line)
    values: dict[str, Decimal] = {}
    for field in NUMBER_FIELDS:
        view[f"{field}_error"] = ""
        try:
            values[field] = _read_number(field, line.get(field, ""), currency)
        except ValidationError as err:
            if str(line.get(field, "")).strip():
                view[f"{field}_error"] = err.message
    view["description_error"] = ""
    if len(values) < len(NUMBER_FIELDS):
        return view, None
    return view, LineInput("", values["quantity"], values["unit_price"])


MAX_NUMBER_TEXT = 100  # kept of a pasted number (still refused: no number in range is that long)


class EditorState(AuthState):
    invoice_id: int = 0
    number: str = ""
    client_id: str = ""
    project_id: str = ""
    issue_date: str = ""
    due_date: str = ""
    currency: str = "USD"
    notes: str = ""
    lines: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    client_options: list[dict[str, str]] = []
    project_options: list[dict[str, str]] = []
    read_only_reason: str = ""
    not_found: bool = False
    loading: bool = True
    saving: bool = False
    new_client_open: bool = False
    pristine: str = ""  # the form as loaded (see ``unsaved``)

    def _fingerprint(self) -> str:
        """The form's content; an untouched empty line is no change."""
        lines = [line for line in self.lines if not is_blank_line(line)]
        return json.dumps([self.client_id, self.project_id, self.issue_date, self.due_date, self.currency, self.notes, lines])

    @rx.var
    def unsaved(self) -> bool:
        """Whether leaving now loses typing: the page asks before in-app links and tab closing."""
        lines = [line for line in self.lines if not is_blank_line(line)]
        now = json.dumps([self.client_id, self.project_id, self.issue_date, self.due_date, self.currency, self.notes, lines])
        return self.read_only_reason == "" and not self.loading and now != self.pristine

    @rx.var
    def currencies(self) -> list[str]:
        return sorted(CURRENCIES)

    @rx.var
    def line_views(self) -> list[dict[str, str]]:
        """Each line with its errors and its total as billed, recomputed on every keystroke."""
        views = []
        for index, line in enumerate(self.lines):
            view, priced = _live_line(line, self.currency)
            for field in LINE_FIELDS:
                view.setdefault(f"{field}_error", "")  # every key present: an absent one shows an empty error
                saved_error = self.errors.get(f"lines.{index}.{field}", "")
                if saved_error and not view.get(f"{field}_error"):
                    view[f"{field}_error"] = saved_error
            view["total_display"] = format_money(priced.total, self.currency) if priced else "—"
            views.append(view)
        return views

    @rx.var
    def total_display(self) -> str:
        priced = [line for line in (_live_line(raw, self.currency)[1] for raw in self.lines) if line]
        return format_money(invoice_total(priced), self.currency)

    @rx.var
    def is_new(self) -> bool:
        return self.invoice_id == 0

    def _reset_form(self) -> None:
        self.errors = {}
        self.read_only_reason = ""
        self.not_found = False
        self.new_client_open = False
        self.project_options = []

    @rx.event
    async def load_new(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._reset_form()
        settings = get_settings()
        today = lifecycle.business_today(settings.business_timezone)
        self.invoice_id = 0
        self.number = ""
        self.client_id = self.router.url.query_parameters.get("client", "")
        self.project_id = ""
        self.issue_date = today.isoformat()
        defaults = await asyncio.to_thread(current_business)  # Settings > Invoices, read now
        self.due_date = (today + timedelta(days=defaults.payment_terms_days)).isoformat()
        self.currency = defaults.currency
        self.notes = defaults.default_notes
        self.lines = [new_line()]
        self.client_options = await asyncio.to_thread(queries.client_options)
        await self._load_projects()
        self.pristine = self._fingerprint()
        self.loading = False
        return None

    @rx.event
    async def load_edit(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._reset_form()
        self.loading = True
        invoice_id = route_id(self.router.url.path)
        detail = await asyncio.to_thread(queries.invoice_detail, invoice_id) if invoice_id else None
        if detail is None:
            self.not_found = True
            self.loading = False
            return None
        inv = detail["invoice"]
        self.invoice_id = inv.id
        self.number = inv.number
        self.client_id = str(inv.client_id)
        self.project_id = str(inv.project_id or "")
        self.issue_date = inv.issue_date.isoformat()
        self.due_date = inv.due_date.isoformat() if inv.due_date else ""
        self.currency = inv.currency
        self.notes = inv.notes
        self.lines = [
            new_line(li.description, format_quantity(li.quantity), format_price(li.unit_price))
            for li in detail["lines"]
        ] or [new_line()]
        if inv.status is not InvoiceStatus.DRAFT:
            try:
                lifecycle.ensure_editable(inv.status)
            except DomainError as err:
                self.read_only_reason = err.message
        self.client_options = await asyncio.to_thread(queries.client_options)
        await self._load_projects()
        self.pristine = self._fingerprint()
        self.loading = False
        return None

    async def _load_projects(self) -> None:
        client = int(self.client_id) if self.client_id.isdigit() else None
        self.project_options = await asyncio.to_thread(queries.project_options, client)

    @rx.event
    async def set_client(self, value: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.client_id = value
        self.project_id = ""
        self.errors.pop("client_id", None)
        await self._load_projects()
        return None

    @rx.event
    def set_project(self, value: str):
        self.project_id = "" if value == "none" else value

    @rx.event
    def set_field(self, field: str, value: str):
        if field in ("issue_date", "due_date", "currency", "notes"):
            setattr(self, field, value)
            self.errors.pop(field, None)

    @rx.event
    def set_due_in(self, days: int):
        if not 0 <= days <= MAX_TERM_DAYS:  # the quick picks are Net 7/14/30
            return
        try:
            issued = date.fromisoformat(self.issue_date)
        except ValueError:
            issued = lifecycle.business_today(get_settings().business_timezone)
        self.due_date = (issued + timedelta(days=days)).isoformat()
        self.errors.pop("due_date", None)

    @rx.event
    def set_line(self, index: int, field: str, value: str):
        """Every keystroke (the inputs are not debounced): the line totals follow at once."""
        self._set_line(index, field, value)

    def _set_line(self, index: int, field: str, value: str) -> None:
        if field in LINE_FIELDS and 0 <= index < len(self.lines):
            text = str(value) if field == "description" else str(value)[:MAX_NUMBER_TEXT]
            self.lines[index] = {**self.lines[index], field: text}
            self.errors.pop(f"lines.{index}.{field}", None)

    @rx.event
    def leave_line_field(self, index: int, field: str, value: str):
        """On leaving a number field it shows the value as it will be billed (``1,5`` ->
        ``1,50`` under de_DE); what cannot be read stays as typed, its error beside it."""
        if field not in NUMBER_FIELDS or not 0 <= index < len(self.lines):
            return None
        self._set_line(index, field, value)
        try:
            number = _read_number(field, self.lines[index][field], self.currency)
        except ValidationError:
            return None
        shown = format_quantity(number) if field == "quantity" else format_price(number)
        self.lines[index] = {**self.lines[index], field: shown}
        if shown == value:
            return None
        # The input is not controlled (so no keystroke waits for the server): set its text.
        element = json.dumps(f"line-{index}-{field}")
        return rx.call_script(
            f"(() => {{ const el = document.getElementById({element}); "
            f"if (el && document.activeElement !== el) el.value = {json.dumps(shown)}; }})()"
        )

    @rx.event
    def add_line(self):
        self.lines = [*self.lines, new_line()]
        self.errors.pop("lines", None)

    @rx.event
    def remove_line(self, index: int):
        if 0 <= index < len(self.lines):
            self.lines = self.lines[:index] + self.lines[index + 1 :]
            # Errors are keyed by position: what followed the removed line moved up.
            self.errors = {k: v for k, v in self.errors.items() if not k.startswith("lines.")}

    @rx.event
    def toggle_new_client(self):
        self.new_client_open = not self.new_client_open

    @rx.event
    async def create_client(self, form: dict):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            client = await asyncio.to_thread(
                client_service.create_client, form.get("name", ""), form.get("email", ""), form.get("company", "")
            )
        except DomainError as err:
            return rx.toast.error(err.message)
        self.client_options = await asyncio.to_thread(queries.client_options)
        self.client_id = str(client.id)
        self.errors.pop("client_id", None)
        self.new_client_open = False
        await self._load_projects()
        return rx.toast.success(f"Client {client.name} added")

    def _draft(self) -> invoice_service.DraftInput:
        return invoice_service.DraftInput(
            client_id=int(self.client_id) if self.client_id.isdigit() else None,
            project_id=int(self.project_id) if self.project_id.isdigit() else None,
            issue_date=self.issue_date,
            due_date=self.due_date,
            currency=self.currency,
            notes=self.notes,
            lines=[self._line_for_save(line) for line in self.lines],
        )

    def _line_for_save(self, line: dict[str, str]) -> dict[str, object]:
        """Numbers read here, in the business locale and with the draft's currency sign;
        what cannot be read goes as typed, so the service names the field at fault."""
        values: dict[str, object] = {"description": line.get("description", "")}
        for field in NUMBER_FIELDS:
            try:
                values[field] = _read_number(field, line.get(field, ""), self.currency)
            except ValidationError:
                values[field] = line.get(field, "")
        return values

    @rx.event
    async def save(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        if self.read_only_reason:
            yield rx.toast.error(self.read_only_reason)
            return
        # Every field error at once, each beside its field (the save re-checks everything).
        self.errors = draft_errors(
            client_chosen=self.client_id.isdigit(), issue_date=self.issue_date, due_date=self.due_date,
            lines=self.lines, notes=self.notes, currency=self.currency,
        )
        if self.errors:
            count = len(self.errors)
            yield rx.toast.error(f"{count} field{'s' if count > 1 else ''} to correct before saving")
            return
        self.saving = True
        yield
        actor = self.user_email
        try:
            if self.invoice_id:
                invoice = await asyncio.to_thread(invoice_service.update_draft, self.invoice_id, self._draft(), actor)
            else:
                invoice = await asyncio.to_thread(invoice_service.create_invoice, self._draft(), actor)
        except DomainError as err:
            self.saving = False
            self.errors = {err.field or "form": err.message}
            yield rx.toast.error(err.message)
            return
        self.saving = False
        yield rx.toast.success(f"Draft {invoice.number} saved")
        yield rx.redirect(f"/invoices/{invoice.id}")

