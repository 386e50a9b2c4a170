"""The invoice page's reminders, mixed into ``InvoicePageState``: the timeline of the
schedule's steps (sent, skipped, to come), Skip per upcoming step, and the invoice's override
(the default schedule, its own steps, or no reminders)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

import reflex as rx

from invoice_crm.domain import reminders as rules
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import reminder_schedules, reminders
from invoice_crm.services.reminder_timeline import invoice_reminders

MODE_LABELS = {
    rules.MODE_DEFAULT: "Default schedule",
    rules.MODE_CUSTOM: "Own schedule",
    rules.MODE_OFF: "No reminders",
}
LABEL_MODES = {label: mode for mode, label in MODE_LABELS.items()}


class InvoiceRemindersMixin(rx.State, mixin=True):
    reminder_rows: list[dict[str, str]] = []
    reminder_own_steps: list[dict[str, str]] = []
    reminder_mode: str = MODE_LABELS[rules.MODE_DEFAULT]
    reminder_inactive: str = ""
    reminder_busy: bool = False

    def _load_reminders(self) -> None:
        panel = invoice_reminders(self.invoice_id)
        self.reminder_rows = panel["rows"]
        self.reminder_own_steps = panel["own_steps"]
        self.reminder_mode = MODE_LABELS[panel["mode"]]
        self.reminder_inactive = panel["inactive"]

    async def _change_reminders(self, change: Callable[[], object], message: str):
        """Run one change of this invoice's reminders: the buttons show it is under way, then
        the page shows again (the reminders too) with ``message``; a refused change is a toast
        and changes nothing."""
        self.reminder_busy = True
        yield
        try:
            await asyncio.to_thread(change)
        except DomainError as err:
            self.reminder_busy = False
            yield rx.toast.error(err.message)
            return
        await self._reload()
        self.reminder_busy = False
        yield rx.toast.success(message)

    async def _change_step(self, offset_days: str, change_for: Callable[[int], tuple[Callable[[], object], str]]):
        """One step's change: the offset (days from the due date) read first; ``change_for``
        gives the change and its message for it."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        try:
            offset = rules.clean_offset(offset_days)
        except DomainError as err:
            yield rx.toast.error(err.message)
            return
        async for update in self._change_reminders(*change_for(offset)):
            yield update

    @rx.event
    async def skip_reminder(self, offset_days: str):
        async for update in self._change_step(offset_days, lambda offset: (
            partial(reminders.skip_step, self.invoice_id, offset, self.user_email),
            f"Reminder {rules.step_label(offset).lower()} skipped",
        )):
            yield update

    @rx.event
    async def set_reminder_mode(self, label: str):
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        mode = LABEL_MODES.get(label)
        if mode is None:
            yield rx.toast.error("Choose the default schedule, an own schedule or no reminders")
            return
        async for update in self._change_reminders(
            partial(reminder_schedules.set_invoice_reminders, self.invoice_id, mode, None, self.user_email),
            f"Reminders: {label.lower()}",
        ):
            yield update

    @rx.event
    async def set_own_step(self, offset_days: str, enabled: bool):
        """Turn one step of the invoice's own schedule on or off."""
        word = "on" if enabled else "off"
        async for update in self._change_step(offset_days, lambda offset: (
            partial(reminder_schedules.set_own_step, self.invoice_id, offset, bool(enabled), self.user_email),
            f"Reminder {rules.step_label(offset).lower()} turned {word}",
        )):
            yield update
