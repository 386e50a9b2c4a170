"""/taxes: the tax rate catalogue (name, rate, registration number, compound, archived)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import reflex as rx

from invoice_crm.domain.errors import DomainError, FieldErrors
from invoice_crm.domain.numbers import format_number, format_percent
from invoice_crm.services import idempotency, tax_rates
from invoice_crm.state.auth import AuthState
from invoice_crm.state.focus import show_field

FIELDS = ("tax_name", "tax_rate", "tax_registration")


def rate_row(t) -> dict[str, str]:
    """A rate as the list shows it, in the business locale (``8,875 %`` under de_DE)."""
    return {
        "id": str(t.id),
        "name": t.name,
        "rate": format_percent(t.rate),
        "rate_plain": format_number(t.rate, tax_rates.RATE),  # the edit field: read back as the same rate
        "registration": t.registration_number,
        "compound": "Compound" if t.compound else "",
        "archived": "Archived" if t.archived else "",
    }


class TaxesState(AuthState):
    rates: list[dict[str, str]] = []
    loaded: bool = False  # the list has been read: "none yet" is said only then
    name: str = ""
    rate: str = ""
    registration: str = ""
    compound: bool = False
    editing_id: int = 0
    error: str = ""  # a refusal about no one field (the rate was removed meanwhile)
    errors: dict[str, str] = {}  # field (tax_name, tax_rate, tax_registration) -> message
    # Once per intent: made when the form is shown or changed, spent by a save. A second click
    # queued behind the first finds none and does nothing (it would submit the emptied form).
    intent: str = ""

    rate_example: str = "20 or 9.975"  # the rate field's placeholder, in the business locale

    async def _refresh(self) -> None:
        self.rate_example = "20 or " + format_number(Decimal("9.975"), tax_rates.RATE)
        self.rates = [rate_row(t) for t in await asyncio.to_thread(tax_rates.list_tax_rates)]
        self.loaded = True

    @rx.event
    async def on_load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        self._clear()
        await self._refresh()
        return None

    def _clear(self) -> None:
        self.name = self.rate = self.registration = self.error = ""
        self.errors = {}
        self.compound = False
        self.editing_id = 0
        self.intent = idempotency.new_key()

    def _changed(self) -> None:
        if not self.intent:
            self.intent = idempotency.new_key()

    @rx.event
    def set_name(self, value: str):
        self.name = value
        self._changed()

    @rx.event
    def set_rate(self, value: str):
        self.rate = value
        self._changed()

    @rx.event
    def set_registration(self, value: str):
        self.registration = value
        self._changed()

    @rx.event
    def set_compound(self, value: bool):
        self.compound = value
        self._changed()

    @rx.event
    def edit(self, rate_id: int):
        # The row is looked up among the ones this tab was shown, never taken from the tab.
        row = next((r for r in self.rates if r["id"] == str(rate_id)), None)
        if row is None:
            return rx.toast.error("That tax rate is no longer listed; reload the page")
        self.editing_id = int(row["id"])
        self.name = row["name"]
        self.rate = row["rate_plain"]
        self.registration = row["registration"]
        self.compound = row["compound"] != ""
        self.error = ""
        self.errors = {}
        self.intent = idempotency.new_key()
        return show_field("tax-name")  # to the form it filled (above the list on a phone)

    @rx.event
    def cancel_edit(self):
        self._clear()

    @rx.event
    async def save(self, form: dict | None = None):
        """Add tax rate / Save tax rate, or Enter in one of the fields (the form's submit: what
        it carries is already in the state, field by field)."""
        if self._current_user() is None:
            return self._redirect_to_login()
        if not self.intent:  # this form was saved and not touched since: a repeated click
            return None
        self.error, self.errors = "", {}
        try:
            if self.editing_id:
                await asyncio.to_thread(
                    tax_rates.update_tax_rate, self.editing_id, self.name, self.rate, self.registration, self.compound
                )
            else:
                await asyncio.to_thread(tax_rates.create_tax_rate, self.name, self.rate, self.registration, self.compound)
        except FieldErrors as err:
            self.errors = err.errors
            return rx.toast.error("Not saved: check the highlighted fields")
        except DomainError as err:
            if err.field in FIELDS:
                self.errors = {err.field: err.message}
            else:
                self.error = err.message
            return rx.toast.error(err.message)
        saved = self.name
        self._clear()
        self.intent = ""  # spent: the emptied form is a new intent once something is typed
        await self._refresh()
        return rx.toast.success(f"Tax rate {saved} saved")

    @rx.event
    async def toggle_archived(self, tax_id: str, archived: bool):
        if self._current_user() is None:
            return self._redirect_to_login()
        try:
            await asyncio.to_thread(tax_rates.set_archived, int(tax_id), archived)
        except DomainError as err:
            return rx.toast.error(err.message)
        await self._refresh()
        return None
