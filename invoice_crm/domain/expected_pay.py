"""When a client usually pays: the median number of days between sending and paying.

From a client's paid invoices, (sent date, paid date) pairs give the days each took; the median
of those (rounded half up to a whole day) is "usually pays N days after sending", told with how
many invoices it rests on. Fewer than ``MIN_PAID`` paid invoices tell nothing: no figure.
An open invoice is then expected to be paid on its sent date plus that median, flagged when
that falls after its due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

MIN_PAID = 3


@dataclass(frozen=True)
class PayHabit:
    days: int  # median days from sending to paying
    based_on: int  # how many paid invoices

    @property
    def sentence(self) -> str:
        unit = "day" if self.days == 1 else "days"
        invoices = "invoice" if self.based_on == 1 else "invoices"
        return f"Usually pays {self.days} {unit} after sending (based on {self.based_on} {invoices})"


def pay_habit(history: Iterable[tuple[date, date]]) -> PayHabit | None:
    """The client's habit from (sent date, paid date) pairs, or None with fewer than three."""
    return habit_from_days((paid - sent).days for sent, paid in history if sent is not None and paid is not None)


def habit_from_days(taken: Iterable[int]) -> PayHabit | None:
    """The habit from the days each paid invoice took, or None with fewer than three.
    A payment dated before the sending (recorded early) counts as 0 days."""
    days = [max(0, day) for day in taken]
    if len(days) < MIN_PAID:
        return None
    middle = Decimal(str(median(days))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return PayHabit(days=int(middle), based_on=len(days))


@dataclass(frozen=True)
class ExpectedPay:
    on: date
    late: bool  # expected after the due date


def expected_pay(habit: PayHabit | None, sent: date | None, due: date | None) -> ExpectedPay | None:
    """The date an open invoice sent on ``sent`` is expected to be paid, or None without a habit."""
    if habit is None or sent is None:
        return None
    on = sent + timedelta(days=habit.days)
    return ExpectedPay(on=on, late=due is not None and on > due)


def in_window(expected: date, today: date, days: int = 30) -> bool:
    """Cash expected within the next ``days`` days (an expected date already past counts as
    coming now: the money is still owed)."""
    return expected <= today + timedelta(days=days)
