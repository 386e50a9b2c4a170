"""When a recurring profile issues its invoices: pure schedule rules, no database.

A schedule is a start date, a frequency (weekly, monthly, quarterly, yearly) repeated every N
of those, an optional day of the month, and an end (a last date or a number of invoices).
Month-based schedules keep their anchor day: on the 31st, a shorter month gets its last day
(Feb 28 or 29, Apr 30), and the month after returns to the 31st -- dates are always counted
from the anchor, never from the previous (clamped) date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from invoice_crm.domain.errors import FieldErrors


class Frequency(str, Enum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        return {"weekly": 0, "monthly": 1, "quarterly": 3, "yearly": 12}[self.value]

    def describe(self, every: int) -> str:
        unit = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}[self.value]
        if every == 1:
            return {"weekly": "Weekly", "monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}[self.value]
        return f"Every {every} {unit}s"


class CatchUp(str, Enum):
    """After downtime: issue every missed period once, in order, or only the latest one."""

    EACH = "each"
    LATEST = "latest"


MAX_EVERY = 52
MAX_OCCURRENCES = 1000


@dataclass(frozen=True)
class Schedule:
    start: date
    frequency: Frequency = Frequency.MONTHLY
    every: int = 1
    day_of_month: int | None = None  # month-based only; None: the start date's day
    end: date | None = None
    occurrences: int | None = None  # how many invoices in all; None: no limit

    @property
    def anchor_day(self) -> int:
        return self.day_of_month or self.start.day


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def on_day(year: int, month: int, day: int) -> date:
    """``day`` of the month, or its last day when the month is shorter (31 -> Feb 28/29)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def occurrences(schedule: Schedule) -> Iterator[date]:
    """Every period start of the schedule in order (ignoring its end), from its start date."""
    if schedule.frequency is Frequency.WEEKLY:
        current = schedule.start
        while True:
            yield current
            try:
                current += timedelta(weeks=schedule.every)
            except OverflowError:
                return
    step = schedule.frequency.months * schedule.every
    k = 0
    while True:
        year, month = add_months(schedule.start.year, schedule.start.month, k * step)
        if year > 9999:
            return
        when = on_day(year, month, schedule.anchor_day)
        if when >= schedule.start:
            yield when
        k += 1


def periods_between(schedule: Schedule, after: date | None, not_before: date, through: date) -> list[date]:
    """Period starts of the schedule later than ``after`` (the last one issued), on or after
    ``not_before``, up to ``through`` (today) and the schedule's end date; in order."""
    found = []
    for when in occurrences(schedule):
        if when > through or (schedule.end is not None and when > schedule.end):
            break
        if (after is None or when > after) and when >= not_before:
            found.append(when)
    return found


def due_periods(
    schedule: Schedule,
    *,
    last_issued: date | None,
    not_before: date,
    today: date,
    issued_count: int,
    catch_up: CatchUp = CatchUp.EACH,
) -> list[date]:
    """The periods to issue now: each missed one in order, or only the latest; never more than
    the invoices the schedule has left."""
    due = periods_between(schedule, last_issued, not_before, today)
    if schedule.occurrences is not None:
        due = due[: max(0, schedule.occurrences - issued_count)]
    if catch_up is CatchUp.LATEST and due:
        due = due[-1:]
    return due


def next_period(
    schedule: Schedule, *, last_issued: date | None, not_before: date, issued_count: int
) -> date | None:
    """The next period start still to issue, or None when the schedule has ended."""
    if schedule.occurrences is not None and issued_count >= schedule.occurrences:
        return None
    for when in occurrences(schedule):
        if schedule.end is not None and when > schedule.end:
            return None
        if (last_issued is None or when > last_issued) and when >= not_before:
            return when
    return None


def period_after(schedule: Schedule, period: date) -> date | None:
    """The first period start of ``schedule`` later than ``period`` (ignoring its end): the day
    after the period that began on ``period`` is over. None past the year 9999."""
    for when in occurrences(schedule):
        if when > period:
            return when
    return None


def rescheduled_from(
    old: Schedule, new: Schedule, *, last_issued: date | None, not_before: date, today: date
) -> date:
    """The first day a changed schedule may issue on (the profile's new ``not_before``).

    Never before today, never reaching back. A profile that has issued never issues again
    inside a period already billed: the new schedule waits until the last issued period is
    over -- its end taken on the schedule it was billed on (``old``), so monthly on the 26th
    moved to the 27th goes Nov 26 -> Dec 27, not Nov 27. A bound an earlier change set after
    that issue (``not_before`` later than ``last_issued``) still holds, so two changes in a
    row cannot undo it."""
    first = max(new.start, today)
    if last_issued is None:
        return first
    billed_until = period_after(old, last_issued)
    if billed_until is not None:
        first = max(first, billed_until)
    if not_before > last_issued:
        first = max(first, not_before)
    return first


def schedule_problems(schedule: Schedule) -> dict[str, str]:
    """Every field error of a schedule a person typed (field -> message); empty when fine."""
    found: dict[str, str] = {}
    if not 1 <= schedule.every <= MAX_EVERY:
        found["every"] = f"Repeat every 1 to {MAX_EVERY}"
    if schedule.day_of_month is not None:
        if schedule.frequency is Frequency.WEEKLY:
            found["day_of_month"] = "A weekly schedule has no day of the month"
        elif not 1 <= schedule.day_of_month <= 31:
            found["day_of_month"] = "Day of the month must be 1 to 31"
    if schedule.end is not None and schedule.end < schedule.start:
        found["end_date"] = "The end date cannot be before the start date"
    if schedule.end is not None and schedule.occurrences is not None:
        found["occurrences"] = "Choose an end date or a number of invoices, not both"
    elif schedule.occurrences is not None and not 1 <= schedule.occurrences <= MAX_OCCURRENCES:
        found["occurrences"] = f"Number of invoices must be 1 to {MAX_OCCURRENCES}"
    return found


def check_schedule(schedule: Schedule) -> None:
    """Refuse a schedule with every field error at once (FieldErrors)."""
    found = schedule_problems(schedule)
    if found:
        raise FieldErrors(found)
