"""Settings -> Reminders: the default schedule (steps, their templates, the hour they go out)
and whether it is active (email set up, turned on)."""

from __future__ import annotations

import asyncio

import reflex as rx

from invoice_crm.domain import reminders as rules
from invoice_crm.domain.errors import DomainError
from invoice_crm.services import reminder_schedules, reminders
from invoice_crm.services.business_settings import SettingsErrors, business_timezone
from invoice_crm.services.reminder_timeline import reminders_today
from invoice_crm.state.auth import AuthState


def _rows(schedules: reminder_schedules.Schedules) -> list[dict[str, str]]:
    return [
        {
            "index": str(i),
            "number": str(i + 1),
            "offset_days": str(s.offset_days),
            "label": rules.step_label(s.offset_days),
            "enabled": "yes" if s.enabled else "",
            "subject": s.subject,
            "body": s.body,
        }
        for i, s in enumerate(schedules.default_steps)
    ]


def _text(value: object) -> str:
    """A text field of the form (a checkbox's boolean where text belongs reads as empty)."""
    return value if isinstance(value, str) else ""


class ReminderSettingsState(AuthState):
    reminders_on: bool = True
    send_hour: str = str(rules.DEFAULT_SEND_HOUR)
    send_time: str = f"{rules.DEFAULT_SEND_HOUR:02d}:00"
    step_rows: list[dict[str, str]] = []
    step_errors: dict[str, str] = {}
    inactive: str = ""
    timezone: str = "UTC"
    form_key: int = 0
    saving_reminders: bool = False

    def _show(self, schedules: reminder_schedules.Schedules) -> None:
        self.reminders_on = schedules.default_on
        self.send_hour = str(schedules.send_hour)
        self.send_time = f"{schedules.send_hour:02d}:00"
        self.step_rows = _rows(schedules)
        self.step_errors = {}
        self.inactive = reminders.inactive_reason(schedules)
        self.timezone = business_timezone()
        self.form_key += 1

    @rx.event
    async def load(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        schedules = await asyncio.to_thread(reminder_schedules.load_schedules)
        await asyncio.to_thread(self._show, schedules)
        return None

    @rx.event
    def add_step(self):
        if self._current_user() is None:
            return self._redirect_to_login()
        if len(self.step_rows) >= rules.MAX_STEPS:
            return rx.toast.error(f"At most {rules.MAX_STEPS} steps")
        index = str(len(self.step_rows))
        self.step_rows = [*self.step_rows, {"index": index, "number": str(len(self.step_rows) + 1), "offset_days": "", "label": "New step",
                                            "enabled": "yes", "subject": "", "body": ""}]
        return None

    @rx.event
    def relabel_step(self, index: str, value: str):
        """A step's heading follows the days typed in it ("3 days after the due date") as soon
        as the field is left, saved or not; what cannot be read as days leaves it as it was."""
        try:
            days = int(value.strip())
        except ValueError:
            return
        self.step_rows = [
            {**row, "label": rules.step_label(days)} if row["index"] == index else row for row in self.step_rows
        ]

    @rx.event
    async def save(self, form: dict[str, str | bool]):
        """The schedule form (its checkboxes arrive as booleans)."""
        if self._current_user() is None:
            yield self._redirect_to_login()
            return
        raw, rows = [], []
        for row in self.step_rows:
            i = row["index"]
            offset = _text(form.get(f"step_{i}_offset")).strip()
            if offset == "":
                continue  # an empty "Days" removes the step
            rows.append(i)
            raw.append({
                "offset_days": offset,
                "enabled": form.get(f"step_{i}_enabled") in (True, "on"),
                "subject": _text(form.get(f"step_{i}_subject")),
                "body": _text(form.get(f"step_{i}_body")),
            })
        self.saving_reminders = True
        self.step_errors = {}
        yield
        try:
            saved = await asyncio.to_thread(
                reminder_schedules.save_default_schedule, form.get("reminders_on") in (True, "on"),
                _text(form.get("send_hour")), raw,
            )
        except SettingsErrors as err:
            errors = {}
            for key, message in err.errors.items():
                parts = key.split(".")
                if parts[0] == "steps" and len(parts) == 3:
                    errors[f"step_{rows[int(parts[1])]}_{parts[2]}"] = message
                elif parts[0] == "steps":
                    errors["steps"] = message
                else:
                    errors[key] = message
            self.step_errors = errors
            self.saving_reminders = False
            yield rx.toast.error("Not saved: check the highlighted fields")
            return
        except DomainError as err:
            self.saving_reminders = False
            yield rx.toast.error(err.message)
            return
        await asyncio.to_thread(self._show, saved)
        self.saving_reminders = False
        yield rx.toast.success("Reminder schedule saved")


class RemindersTodayState(AuthState):
    """The dashboard's "Reminders today" card (read by ``DashboardState.on_load``)."""

    reminders_today: int = 0
    reminders_note: str = ""

    def _show(self, card: tuple[int, str]) -> None:
        self.reminders_today, self.reminders_note = card


def read_reminders_today() -> tuple[int, str]:
    """The "Reminders today" card's (count, note): the dashboard's on_load reads it with its
    other cards, in a worker thread."""
    count = reminders_today()
    reason = reminders.inactive_reason()
    return count, f"inactive: {reason}" if reason else "go out today"
