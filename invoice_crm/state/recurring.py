"""The recurring pages: the list (/recurring), the form (/recurring/new, /recurring/<id>/edit)
and a profile's page (/recurring/<id>) with the invoices it issued."""

from __future__ import annotations

import asyncio
import contextlib

import reflex as rx

from invoice_crm.domain.drafts import as_id
from invoice_crm.domain.errors import DomainError, FieldErrors, ValidationError
from invoice_crm.domain.money import normalize_currency
from invoice_crm.domain.numbers import format_percent
from invoice_crm.services import idempotency, queries, recurring, recurring_issue, recurring_views, tax_rates
from invoice_crm.services.business_settings import current_business
from invoice_crm.state.auth import AuthState
from invoice_crm.state.client_choices import ClientChoicesMixin
from invoice_crm.state.focus import show_field
from invoice_crm.state.typed_numbers import as_billed, show_in_input

MAX_LINES = 6  # one form submission carries every field (the event guard allows 50)
LINE_FIELDS = ("description", "quantity", "unit_price", "tax", "discount")
BILLED_FIELDS = ("quantity", "unit_price", "discount")  # shown as billed once left


def _route_id(path: str) -> int:
    parts = [p for p in (path or "").split("/") if p]
    return (as_id(parts[1]) or 0) if len(parts) >= 2 and parts[0] == "recurring" else 0


def _field_id(error_key: str) -> str:
    """The input an error belongs to (``lines.1.quantity`` -> ``recurring-line-1-quantity``)."""
    if error_key == "lines":
        return "recurring-line-0-description"
    if error_key.startswith("lines."):
        _, index, name = [*error_key.split("."), "", ""][:3]
        return f"recurring-line-{index}-{name}"
    return f"recurring-{error_key}"


def blank_line(index: int) -> dict[str, str]:
    return {"index": str(index), "number": str(index + 1), "description": "", "quantity": "1",
            "unit_price": "", "tax": "", "discount": ""}


class RecurringListState(AuthState):
    profiles: list[dict[str, str]] = []
    loading: bool = True

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.profiles = await asyncio.to_thread(recurring_views.list_profiles)
        self.loading = False
        return None


class RecurringFormState(AuthState, ClientChoicesMixin):
    profile_id: int = 0
    version: int = 0
    form_key: str = ""
    values: dict[str, str] = {}
    client_id: str = ""
    lines: list[dict[str, str]] = []
    project_options: list[dict[str, str]] = []
    tax_options: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    loading: bool = True
    saving: bool = False
    not_found: bool = False
    # What a profile holds that the form does not show (second taxes, amount discounts, the
    # invoice discount, tax-inclusive prices): kept on the server and saved back unchanged.
    _kept_lines: list[dict] = []
    _kept_invoice: dict = {}
    keeps_hidden: bool = False

    @rx.var
    def is_new(self) -> bool:
        return self.profile_id == 0

    def _picked_client_id(self) -> int | None:
        return as_id(self.client_id)

    @rx.var
    def can_add_line(self) -> bool:
        return len(self.lines) < MAX_LINES

    async def _load_options(self) -> None:
        await self._load_client_options()  # a few, found by typing (ClientChoicesMixin)
        self.project_options = await asyncio.to_thread(queries.project_options, as_id(self.client_id))
        rates = await asyncio.to_thread(tax_rates.list_tax_rates, False)
        self.tax_options = [{"id": str(t.id), "label": f"{t.name} {format_percent(t.rate)}"} for t in rates]

    @rx.event
    async def load_new(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        business = await asyncio.to_thread(current_business)
        today = await asyncio.to_thread(recurring.today_here)  # the business's day (Settings' timezone)
        self.profile_id, self.version, self.not_found = 0, 0, False
        self._kept_lines, self._kept_invoice, self.keeps_hidden = [], {}, False
        self.client_id = self.router.url.query_parameters.get("client", "")
        self.values = {
            "currency": business.currency, "frequency": "monthly", "every": "1", "day_of_month": "",
            "start_date": today.isoformat(), "end_date": "", "occurrences": "",
            "payment_terms_days": str(business.payment_terms_days), "catch_up": "each", "notes": "",
            "project_id": "", "delivery": "draft",
        }
        self.lines = [blank_line(0)]
        await self._open_form()
        return None

    @rx.event
    async def load_edit(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            profile = await asyncio.to_thread(recurring.get_profile, _route_id(self.router.url.path) or None)
        except DomainError:
            self.not_found, self.loading = True, False
            return None
        self.not_found = False
        self.profile_id, self.version = profile.id, profile.version
        shown = recurring_views.form_values(profile)
        shown["delivery"] = "email" if shown.pop("auto_send") else "draft"
        self.client_id = shown.pop("client_id")
        self.values = shown
        stored = recurring_views.profile_form_lines(profile)
        self.lines = [
            {**blank_line(i), "description": li["description"], "quantity": li["quantity"], "unit_price": li["unit_price"],
             "tax": str(li["tax_ids"][0]) if li.get("tax_ids") else "",
             "discount": li["discount_value"] if li.get("discount_kind") == "percent" else ""}
            for i, li in enumerate(stored)
        ] or [blank_line(0)]
        self._kept_lines = [
            {"tax_ids": [str(t) for t in li.get("tax_ids", [])[1:]],
             "amount_discount": li["discount_value"] if li.get("discount_kind") == "amount" else ""}
            for li in stored
        ]
        self._kept_invoice = recurring_views.form_invoice_extras(profile)
        self.keeps_hidden = bool(self._kept_invoice) or any(k["tax_ids"] or k["amount_discount"] for k in self._kept_lines)
        await self._open_form()
        return None

    async def _open_form(self) -> None:
        self.errors = {}
        self.saving = False
        self.form_key = idempotency.new_key()  # one save per opening of the form; also redraws it
        await self._load_options()
        self.loading = False

    @rx.event
    async def set_client(self, value: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.client_id = value if as_id(value) is not None else ""
        self.errors.pop("client_id", None)
        self.project_options = await asyncio.to_thread(queries.project_options, as_id(self.client_id))
        return None

    @rx.event
    def leave_currency(self, value: str):
        """The currency as typed (the lines' prices are shown with its decimals: none for JPY)."""
        with contextlib.suppress(ValidationError):  # not a currency: its error shows on Save
            self.values = {**self.values, "currency": normalize_currency(str(value)[:10])}

    @rx.event
    def leave_line_field(self, index: str, field: str, value: str):
        """On leaving a line's quantity, unit price or discount it shows the value as it will be
        billed, as the invoice editor does (``1234,5`` -> ``1.234,50`` under de_DE); what cannot
        be read stays as typed. The inputs are not controlled: only their text is set."""
        row = as_id(index)
        if row is None or row >= len(self.lines) or field not in BILLED_FIELDS:
            return None
        shown = as_billed(field, str(value)[:100], self.values.get("currency"))
        return None if shown is None or shown == value else show_in_input(f"recurring-line-{row}-{field}", shown)

    @rx.event
    def add_line(self):
        if len(self.lines) < MAX_LINES:
            self.lines = [*self.lines, blank_line(len(self.lines))]

    def _input(self, form: dict) -> recurring.ProfileInput:
        lines = []
        for i in range(min(len(self.lines), MAX_LINES)):
            raw = {name: str(form.get(f"line-{i}-{name}", "")) for name in LINE_FIELDS}
            discount = raw.pop("discount").strip()
            kept = self._kept_lines[i] if i < len(self._kept_lines) else {}
            chosen = [raw.pop("tax")] if raw.get("tax") else []
            line = {**raw, "tax_ids": chosen + [t for t in kept.get("tax_ids", []) if t not in chosen],
                    "discount_kind": "percent" if discount else "", "discount_value": discount}
            if not discount and kept.get("amount_discount"):
                line.update(discount_kind="amount", discount_value=kept["amount_discount"])
            lines.append(line)
        return recurring.ProfileInput(
            **self._kept_invoice,
            client_id=as_id(form.get("client_id", "")),
            project_id=as_id(form.get("project_id", "")),
            start_date=form.get("start_date", ""),
            lines=lines,
            currency=form.get("currency", ""),
            notes=form.get("notes", ""),
            frequency=form.get("frequency", ""),
            every=form.get("every", ""),
            day_of_month=form.get("day_of_month", ""),
            end_date=form.get("end_date", ""),
            occurrences=form.get("occurrences", ""),
            payment_terms_days=form.get("payment_terms_days", ""),
            auto_send=form.get("delivery", "draft") == "email",
            catch_up=form.get("catch_up", "each"),
        )

    @rx.event
    async def save(self, form: dict):
        if self._current_user() is None:
            return
        if not self.form_key:  # this opening's save is done: a click queued behind it does nothing
            return
        self.saving = True
        self.errors = {}
        yield
        data = self._input(form)
        found = await asyncio.to_thread(recurring.profile_errors, data)
        self.errors = {key.replace(".taxes", ".tax"): message for key, message in found.items()}
        if self.errors:
            self.saving = False
            yield [rx.toast.error("Check the highlighted fields"), show_field(_field_id(next(iter(self.errors))))]
            return
        try:
            profile = await asyncio.to_thread(
                recurring.save_profile, data, self.user_email, profile_id=self.profile_id or None,
                expected_version=self.version or None, idempotency_key=self.form_key,
            )
            # Whatever is due today is issued now (the worker, woken by the save, would too;
            # the period's unique key keeps it once either way).
            await asyncio.to_thread(recurring_issue.issue_due)
        except DomainError as err:
            found = err.errors if isinstance(err, FieldErrors) else {err.field or "form": err.message}
            self.errors = {key.replace(".taxes", ".tax"): message for key, message in found.items()}
            self.saving = False
            yield rx.toast.error(err.message)
            return
        self.saving = False
        self.form_key = ""  # saved: the form is left (its next opening makes a new key)
        yield [rx.toast.success("Recurring profile saved"), rx.redirect(f"/recurring/{profile.id}")]


DONE_STATUS = {"pause": "Paused", "resume": "Active"}  # the page's words after each


class RecurringDetailState(AuthState):
    profile_id: int = 0
    profile: dict[str, str] = {}
    lines: list[dict[str, str]] = []  # what each invoice of it bills
    invoices: list[dict[str, str]] = []
    loading: bool = True
    not_found: bool = False
    busy: bool = False
    stop_key: str = ""  # made when the Stop question opens: one stop per opening

    async def _refresh(self) -> None:
        try:
            page = await asyncio.to_thread(recurring_views.profile_page, self.profile_id or None)
        except DomainError:
            self.not_found = True
            return
        self.not_found = False
        self.profile, self.lines, self.invoices = page.view, page.lines, page.invoices

    async def _refused(self, err: DomainError):
        """A refusal means the profile is not what this page shows (stopped or finished in
        another tab, say): show it as it is now, with the actions that apply to it."""
        await self._refresh()
        self.busy = False
        return rx.toast.error(err.message)

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.profile_id = _route_id(self.router.url.path)
        self.stop_key = ""
        await self._refresh()
        self.loading = False
        return None

    @rx.event
    async def change_status(self, action: str):
        if self._current_user() is None:
            return self._redirect_to_login()
        actions = {"pause": recurring.pause_profile, "resume": recurring.resume_profile}
        if action not in actions:
            return rx.toast.error("That request was not understood")
        if self.profile.get("status") == DONE_STATUS[action]:
            return None  # a second click queued behind the first: it is already done, say nothing
        self.busy = True
        try:
            await asyncio.to_thread(actions[action], self.profile_id)
            if action == "resume":
                await asyncio.to_thread(recurring_issue.issue_due)
        except DomainError as err:
            return await self._refused(err)
        await self._refresh()
        self.busy = False
        return rx.toast.success({"pause": "Profile paused", "resume": "Profile resumed"}[action])

    @rx.event
    def open_stop(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self.stop_key = idempotency.new_key()
        return None

    @rx.event
    async def confirm_stop(self):
        """Stop, as confirmed in the dialog: once per opening of it (a click queued behind the
        first finds the key spent and does nothing)."""
        if self._current_user() is None:
            return self._redirect_to_login()
        if not self.stop_key:
            return None
        self.stop_key = ""
        self.busy = True
        try:
            await asyncio.to_thread(recurring.stop_profile, self.profile_id)
        except DomainError as err:
            return await self._refused(err)
        await self._refresh()
        self.busy = False
        return rx.toast.success("Profile stopped")
