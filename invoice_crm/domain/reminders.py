"""Reminder schedules: which step is due when, and what to do with steps that came due.

A step is "N days from the due date" (negative: before it). Its identity on an invoice is the
date it falls on (due date + N): that date, not a wall-clock time, is the unique key of the
reminder, so a clock or timezone change can move *when* a step goes out but never makes it go
out twice. It goes out at the schedule's hour in the business timezone on that date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from invoice_crm.domain.errors import ValidationError

MAX_STEPS = 8
MAX_OFFSET = 365
DEFAULT_SEND_HOUR = 9

# Invoice overrides: follow the default schedule, an own schedule, or no reminders at all.
MODE_DEFAULT, MODE_CUSTOM, MODE_OFF = "default", "custom", "off"
INVOICE_MODES = (MODE_DEFAULT, MODE_CUSTOM, MODE_OFF)

SENT, SKIPPED = "SENT", "SKIPPED"


@dataclass(frozen=True)
class Step:
    offset_days: int
    enabled: bool = True
    subject: str = ""  # empty: the reminder template of Settings -> Email, else the built-in text
    body: str = ""


DEFAULT_STEPS = (Step(-3), Step(0), Step(7), Step(14))


def step_label(offset_days: int) -> str:
    """'3 days before the due date', 'On the due date', '1 day after the due date'."""
    if offset_days == 0:
        return "On the due date"
    days = abs(offset_days)
    word = "before" if offset_days < 0 else "after"
    return f"{days} day{'s' if days != 1 else ''} {word} the due date"


def clean_offset(raw: object, field: str = "offset_days") -> int:
    text = str(raw if raw is not None else "").strip()
    try:
        value = int(text)
    except ValueError:
        raise ValidationError("Enter a whole number of days (negative: before the due date)", field=field) from None
    if abs(value) > MAX_OFFSET:
        raise ValidationError(f"Between -{MAX_OFFSET} and {MAX_OFFSET} days", field=field)
    return value


def clean_hour(raw: object, field: str = "send_hour") -> int:
    try:
        value = int(str(raw if raw is not None else "").strip())
    except ValueError:
        raise ValidationError("Choose an hour from 0 to 23", field=field) from None
    if not 0 <= value <= 23:
        raise ValidationError("Choose an hour from 0 to 23", field=field)
    return value


def check_steps(steps: list[Step]) -> list[Step]:
    """At most MAX_STEPS, each offset once; returned in date order."""
    if len(steps) > MAX_STEPS:
        raise ValidationError(f"At most {MAX_STEPS} steps", field="steps")
    offsets = [s.offset_days for s in steps]
    if len(set(offsets)) != len(offsets):
        raise ValidationError("Two steps fall on the same day; give each its own number of days", field="steps")
    return sorted(steps, key=lambda s: s.offset_days)


def step_date(due_date: date, offset_days: int) -> date:
    return due_date + timedelta(days=offset_days)


def step_instant(day: date, send_hour: int, tz_name: str) -> datetime:
    """When a step on ``day`` goes out: ``send_hour``:00 in the business timezone, as UTC."""
    local = datetime.combine(day, time(hour=send_hour), tzinfo=ZoneInfo(tz_name))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    day: date  # the step's identity on this invoice
    at: datetime  # when it goes out (UTC)
    before_sending: bool  # it fell before the invoice was sent (or imported): it does not apply


def applies_from(sent_at: datetime | None, imported_at: datetime | None) -> datetime | None:
    """From when an invoice's steps apply: once it was sent, or, imported with a past issue
    date as its sending, once it was brought into the app (its earlier steps were never due here)."""
    if sent_at is None or imported_at is None:
        return sent_at
    return max(sent_at, imported_at)


def plan(steps: list[Step], due_date: date, sent_at: datetime | None, send_hour: int, tz_name: str) -> list[PlannedStep]:
    """The steps on their days; ``sent_at``: from when they apply (``applies_from``)."""
    planned = []
    for step in sorted(steps, key=lambda s: s.offset_days):
        day = step_date(due_date, step.offset_days)
        at = step_instant(day, send_hour, tz_name)
        planned.append(PlannedStep(step, day, at, sent_at is not None and at < sent_at))
    return planned


@dataclass(frozen=True)
class Decision:
    send: PlannedStep | None
    skip: list[tuple[PlannedStep, str]]


def decide(planned: list[PlannedStep], done: set[date], now: datetime, max_late_days: int) -> Decision:
    """What to do now with an invoice's steps not yet recorded (``done``: their days).

    Steps that came due more than ``max_late_days`` ago (the app was down) are skipped with a
    reason; of the others that are due, only the latest goes out (one reminder, not a burst)
    and the earlier ones are skipped."""
    due = [p for p in planned if p.step.enabled and not p.before_sending and p.day not in done and p.at <= now]
    late_limit = timedelta(days=max(0, max_late_days))
    skip = [
        (p, f"Not sent: more than {max_late_days} day{'s' if max_late_days != 1 else ''} late (it came due while reminders could not run)")
        for p in due if now - p.at > late_limit
    ]
    timely = [p for p in due if now - p.at <= late_limit]
    send = timely[-1] if timely else None
    skip += [(p, "Not sent: a later step was due at the same time") for p in timely[:-1]]
    return Decision(send, skip)
