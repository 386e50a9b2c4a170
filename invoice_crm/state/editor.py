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
from invoice_crm.domain.drafts import (
    MAX_DESCRIPTION,
    MAX_TERM_DAYS,
    LineInput,
    as_id,
    draft_errors,
    is_blank_line,
)
from invoice_crm.domain.errors import Conflict, DomainError, FieldErrors, ValidationError
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import (
    format_money,
    format_price,
    format_quantity,
    line_total,
    parse_quantity,
    parse_unit_price,
)
from invoice_crm.domain.numbering import display_number
from invoice_crm.domain.numbers import format_count
from invoice_crm.services import client_accounts, idempotency, queries
from invoice_crm.services import clients as client_service
from invoice_crm.services import invoices as invoice_service
from invoice_crm.services.business_settings import business_timezone, current_business
from invoice_crm.state.auth import AuthState
from invoice_crm.state.client_choices import ClientChoicesMixin
from invoice_crm.state.editor_taxes import EditorTaxesMixin, copied_line_extras, line_extras
from invoice_crm.state.focus import show_field
from invoice_crm.state.typed_numbers import as_billed, show_in_input

LINE_FIELDS = ("description", "quantity", "unit_price")
NUMBER_FIELDS = ("quantity", "unit_price")


def new_line(description: str = "", quantity: str = "1", unit_price: str = "") -> dict[str, str]:
    """A line as typed. ``key`` names it for the browser, so an input keeps its line when
    lines above it are removed and is drawn afresh when another draft is loaded."""
    return {
        "key": secrets.token_hex(6), "description": description, "quantity": quantity, "unit_price": unit_price,
        **line_extras(),  # taxes and discount (editor_taxes)
    }


def route_id(path: str) -> int | None:
    """The invoice id from /invoices/<id>[/edit]."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "invoices":
        return as_id(parts[1])
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


CLIENT_FIELDS = ("name", "email", "company", "address")  # the inline new-client form's fields
# A refused field's element on the page (pages/editor.py, components/line_items.py).
FIELD_IDS = {"client_id": "client-select", "project_id": "project-select", "issue_date": "issue-date",
             "due_date": "due-date", "currency": "currency", "discount": "invoice-discount", "notes": "notes",
             "lines": "line-0-description"}
LINE_FIELD_IDS = {"discount": "discount-value", "taxes": "tax1"}


def field_id(error_key: str) -> str:
    """The id of the field an error key names: ``lines.2.unit_price`` is ``line-2-unit_price``."""
    if error_key.startswith("lines."):
        _, index, name = [*error_key.split(".", 2), "", ""][:3]
        return f"line-{index}-{LINE_FIELD_IDS.get(name, name or 'description')}"
    return FIELD_IDS.get(error_key, "save-draft")
MAX_NUMBER_TEXT = 100  # kept of a pasted number (still refused: no number in range is that long)


class EditorState(AuthState, EditorTaxesMixin, ClientChoicesMixin):
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
    project_options: list[dict[str, str]] = []
    read_only_reason: str = ""
    not_found: bool = False
    loading: bool = True
    saving: bool = False
    new_client_open: bool = False
    # Once per intent: a key made when the editor (or the inline client form) opens.
    save_key: str = ""
    client_key: str = ""
    adding_client: bool = False
    # The inline client form's values while "a similar client exists" is asked (nothing added yet).
    client_duplicate_of: str = ""
    pending_client: dict[str, str] = {}
    client_errors: dict[str, str] = {}  # the inline client form's refusals, each shown beside its field
    # The draft's version as loaded; a save from an older one is refused (changed elsewhere).
    version: int = 0
    conflict: str = ""
    copied_from: str = ""
    pristine: str = ""  # the form as loaded (see ``unsaved``)

    def _fingerprint(self) -> str:
        """The form's content; an untouched empty line is no change."""
        lines = [{k: v for k, v in line.items() if k != "key"} for line in self.lines if not is_blank_line(line)]
        return json.dumps([
            self.client_id, self.project_id, self.issue_date, self.due_date, self.currency, self.notes, lines,
            self.invoice_discount_kind, self.invoice_discount_value, self.tax_inclusive,
        ])

    @rx.var
    def unsaved(self) -> bool:
        """Whether leaving now loses typing: the page asks before in-app links and tab closing."""
        now = self._fingerprint()  # the dependency tracker follows the call
        return self.read_only_reason == "" and not self.loading and now != self.pristine

    @rx.var
    def _read_lines(self) -> list[tuple[dict[str, str], LineInput | None]]:
        """Each line read once per keystroke (backend only): its view and, when its numbers
        read, the line as billed. The line totals and the live totals both start from it."""
        return [_live_line(line, self.currency) for line in self.lines]

    @rx.var
    def line_views(self) -> list[dict[str, str]]:
        """Each line with its errors and its total as billed, recomputed on every keystroke."""
        views = []
        for index, (read, priced) in enumerate(self._read_lines):
            view = dict(read)  # the read lines are cached: this line's saved errors go on a copy
            for field in LINE_FIELDS:
                view.setdefault(f"{field}_error", "")  # every key present: an absent one shows an empty error
                saved_error = self.errors.get(f"lines.{index}.{field}", "")
                if saved_error and not view.get(f"{field}_error"):
                    view[f"{field}_error"] = saved_error
            view["total_display"] = (
                format_money(line_total(priced.quantity, priced.unit_price, self.currency), self.currency) if priced else "—"
            )
            views.append(view)
        return views

    @rx.var
    def total_display(self) -> str:
        totals = self._live_totals  # the one total function, taxes and discounts included
        return format_money(totals.total, self.currency) if totals is not None else "—"

    @rx.var
    def is_new(self) -> bool:
        return self.invoice_id == 0

    def _reset_form(self) -> None:
        self.save_key = idempotency.new_key()
        self.client_key = idempotency.new_key()
        self.conflict = ""
        self.copied_from = ""
        self.saving = False
        self.adding_client = False
        self.client_duplicate_of, self.pending_client = "", {}
        self.client_errors = {}
        self.errors = {}
        self.read_only_reason = ""
        self.tax_rate_note = ""
        self.not_found = False
        self.new_client_open = False
        self.project_options = []
        self.client_search = ""  # the picker offers the newest clients again

    def _picked_client_id(self) -> int | None:
        return as_id(self.client_id)

    @rx.event
    async def load_new(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._reset_form()
        today = lifecycle.business_today(business_timezone())
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
        self.version = 0
        source = self.router.url.query_parameters.get("from", "")
        if (copy_of := as_id(source)) is not None:
            await self._prefill_copy(copy_of)
        else:
            self._load_invoice_terms()
            await self._load_tax_options()
        await self._load_client_options()
        await self._load_projects()
        self.pristine = self._fingerprint()
        self.loading = False
        return None

    async def _prefill_copy(self, source_id: int) -> None:
        """Duplicate: the editor opens with a copy, unsaved; leaving it leaves nothing behind."""
        try:
            data = await asyncio.to_thread(invoice_service.duplicate_as_input, source_id)
        except DomainError:
            self._load_invoice_terms()
            await self._load_tax_options()
            return
        self.client_id = str(data.client_id)
        self.project_id = str(data.project_id or "")
        self.issue_date = data.issue_date.isoformat()
        self.due_date = data.due_date.isoformat() if data.due_date else ""
        self.currency = data.currency
        self.notes = data.notes
        self.lines = [
            {
                **new_line(li["description"], format_quantity(li["quantity"]), format_price(li["unit_price"], data.currency)),
                **copied_line_extras(li),
            }
            for li in data.lines
        ] or [new_line()]
        self._load_invoice_terms(data)
        await self._load_tax_options(self._taxes_in_use())
        self.copied_from = str(source_id)

    def _taxes_in_use(self) -> set[str]:
        """Tax rates the lines carry: kept in the picker even when archived since."""
        return {line[key] for line in self.lines for key in ("tax1", "tax2") if line.get(key)}

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
        self.number = display_number(inv.number, inv.id)
        self.version = inv.version
        self.client_id = str(inv.client_id)
        self.project_id = str(inv.project_id or "")
        self.issue_date = inv.issue_date.isoformat()
        self.due_date = inv.due_date.isoformat() if inv.due_date else ""
        self.currency = inv.currency
        self.notes = inv.notes
        self.lines = [
            {**new_line(li.description, format_quantity(li.quantity), format_price(li.unit_price, inv.currency)), **line_extras(li)}
            for li in detail["lines"]
        ] or [new_line()]
        self._load_invoice_terms(inv)
        await self._load_tax_options(self._taxes_in_use())
        self._note_changed_rates(detail["lines"])
        if inv.status is not InvoiceStatus.DRAFT:
            try:
                lifecycle.ensure_editable(inv.status)
            except DomainError as err:
                self.read_only_reason = err.message
        await self._load_client_options()
        await self._load_projects()
        self.pristine = self._fingerprint()
        self.loading = False
        return None

    async def _load_projects(self) -> None:
        client = as_id(self.client_id)
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
            issued = lifecycle.business_today(business_timezone())
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
            if field == "description" and len(text.strip()) > MAX_DESCRIPTION:
                # Said as it is typed or pasted, not first on saving; the text is kept to shorten.
                self.errors[f"lines.{index}.description"] = (
                    f"Description must be at most {format_count(MAX_DESCRIPTION)} characters "
                    f"(now {format_count(len(text.strip()))})"
                )

    @rx.event
    def leave_line_field(self, index: int, field: str, value: str):
        """On leaving a number field it shows the value as it will be billed (``1,5`` ->
        ``1,50`` under de_DE); what cannot be read stays as typed, its error beside it."""
        if field not in NUMBER_FIELDS or not 0 <= index < len(self.lines):
            return None
        self._set_line(index, field, value)
        shown = as_billed(field, self.lines[index][field], self.currency)
        if shown is None:
            return None
        self.lines[index] = {**self.lines[index], field: shown}
        return None if shown == value else show_in_input(f"line-{index}-{field}", shown)

    @rx.event
    def add_line(self):
        self.lines = [*self.lines, new_line()]
        self.errors.pop("lines", None)
        return show_field(f"line-{len(self.lines) - 1}-description")  # typing goes to the new line

    @rx.event
    def remove_line(self, index: int):
        if 0 <= index < len(self.lines):
            self.lines = self.lines[:index] + self.lines[index + 1 :]
            # Errors are keyed by position: what followed the removed line moved up.
            self.errors = {k: v for k, v in self.errors.items() if not k.startswith("lines.")}
            # Focus where the removed line was (the line that moved up), not lost to the page.
            return show_field(f"line-{index}-description" if index < len(self.lines) else "add-line")
        return None

    @rx.event
    def toggle_new_client(self):
        self.new_client_open = not self.new_client_open
        self.client_errors = {}
        if self.new_client_open:  # a new intent: this opening's add (see create_client)
            self.client_key = idempotency.new_key()
            return show_field("new-client-name")
        return None

    @rx.event
    async def create_client(self, form: dict):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        if self.adding_client or not self.client_key:
            # The second click of a double click, queued behind the add it repeats: the form's
            # client is added and chosen already (asking "a similar client exists" would be
            # about that very client). The key is made again when the form opens again.
            return
        fields = {k: str(form.get(k, "")) for k in CLIENT_FIELDS}
        # Refused fields are named beside their inputs before anything is asked or added.
        try:
            client_service.client_fields(fields["name"], fields["email"], fields["company"], fields["address"])
        except FieldErrors as err:
            self.client_errors = err.errors
            return
        self.client_errors = {}
        # A second client with the same name or email is asked about first (as on /clients).
        same = await asyncio.to_thread(client_accounts.find_duplicate, fields["name"], fields["email"])
        if same:
            self.pending_client, self.client_duplicate_of = fields, same
            return
        async for update in self._add_client(fields):
            yield update

    @rx.event
    async def confirm_client_duplicate(self):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        fields, self.pending_client, self.client_duplicate_of = self.pending_client, {}, ""
        if not fields:
            return
        async for update in self._add_client(fields):
            yield update

    @rx.event
    def cancel_client_duplicate(self, _open: bool = False):
        self.pending_client, self.client_duplicate_of = {}, ""

    async def _add_client(self, form: dict):
        self.adding_client = True
        yield
        key = self.client_key
        try:
            client = await asyncio.to_thread(
                lambda: client_service.create_client(
                    form.get("name", ""), form.get("email", ""), form.get("company", ""), form.get("address", ""),
                    idempotency_key=key,
                )
            )
        except DomainError as err:
            self.adding_client = False
            errors = err.errors if isinstance(err, FieldErrors) else {err.field or "": err.message}
            self.client_errors = {k: v for k, v in errors.items() if k in CLIENT_FIELDS}
            if not self.client_errors:  # not about a field of the form
                yield rx.toast.error(err.message)
            return
        self.adding_client = False
        self.client_errors = {}
        self.client_key = ""  # this opening's client is added; "New" opens the form with a new key
        self.client_id = str(client.id)
        await self._load_client_options()  # the new client among them, chosen
        self.errors.pop("client_id", None)
        self.new_client_open = False
        await self._load_projects()
        yield rx.toast.success(f"Client {client.name} added")

    def _draft(self) -> invoice_service.DraftInput:
        return invoice_service.DraftInput(
            client_id=as_id(self.client_id),
            project_id=as_id(self.project_id),
            issue_date=self.issue_date,
            due_date=self.due_date,
            currency=self.currency,
            notes=self.notes,
            lines=[self._line_for_save(line) for line in self.lines],
            rates_shown={
                int(o["id"]): (Decimal(o["rate"]), o["compound"] == "yes") for o in self.tax_options if o["id"].isdigit()
            },
            **self._terms_input(),
        )

    def _line_for_save(self, line: dict[str, str]) -> dict[str, object]:
        """Numbers read here, in the business locale and with the draft's currency sign;
        what cannot be read goes as typed, so the service names the field at fault."""
        values: dict[str, object] = {
            "description": line.get("description", ""),
            **{k: line.get(k, "") for k in ("discount_kind", "discount_value", "tax1", "tax2")},
        }
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
        if self.saving or not self.save_key:  # a second click queued behind a done save
            return
        # Every field error at once, each beside its field (the save re-checks everything).
        self.errors = draft_errors(
            client_chosen=self.client_id.isdigit(), issue_date=self.issue_date, due_date=self.due_date,
            lines=self.lines, notes=self.notes, currency=self.currency,
            discount_kind=self.invoice_discount_kind, discount_value=self.invoice_discount_value,
        )
        if self.errors:
            count = len(self.errors)
            yield rx.toast.error(f"{count} field{'s' if count > 1 else ''} to correct before saving")
            yield show_field(field_id(next(iter(self.errors))))  # the first, in the form's order
            return
        self.saving = True
        self.conflict = ""
        yield
        actor, key, draft = self.user_email, self.save_key, self._draft()
        invoice_id, version = self.invoice_id, self.version
        try:
            if invoice_id:
                invoice = await asyncio.to_thread(
                    lambda: invoice_service.update_draft(
                        invoice_id, draft, actor, expected_version=version, idempotency_key=key
                    )
                )
            else:
                invoice = await asyncio.to_thread(
                    lambda: invoice_service.create_invoice(draft, actor, idempotency_key=key)
                )
        except Conflict as err:
            # Nothing is overwritten and nothing typed here is dropped: the form stays as it is
            # until the freelancer chooses to reload the saved draft.
            self.saving = False
            self.conflict = err.message
            yield rx.toast.error(err.message)
            return
        except DomainError as err:
            self.saving = False
            self.errors = err.errors if isinstance(err, FieldErrors) else {err.field or "form": err.message}
            # A rate changed elsewhere is refused: the total shown is worked out again with it.
            await self._load_tax_options(self._taxes_in_use())
            yield rx.toast.error(err.message)
            yield show_field(field_id(next(iter(self.errors))))
            return
        self.saving = False
        self.save_key = ""  # saved: the editor is left (its next opening makes a new key)
        yield rx.toast.success(f"{display_number(invoice.number, invoice.id)} saved")
        # Back does not show this editor again (an unsaved copy a second Save would make
        # again): its history entry is marked saved (assets/unsaved_guard.js).
        yield rx.call_script("window.__editorSaved && window.__editorSaved()")
        yield rx.redirect(f"/invoices/{invoice.id}")

    @rx.event
    async def reload_draft(self):
        """After a conflict: show the draft as it was saved elsewhere."""
        return EditorState.load_edit

