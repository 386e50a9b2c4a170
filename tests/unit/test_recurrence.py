"""The schedule rules of recurring profiles (domain/recurrence.py), with hypothesis."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain.recurrence import CatchUp, Frequency, Schedule, due_periods, next_period, occurrences

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
month_based = st.sampled_from([Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY])


def _take(schedule: Schedule, n: int) -> list[date]:
    out = []
    for when in occurrences(schedule):
        out.append(when)
        if len(out) == n:
            break
    return out


@given(starts, month_based, st.integers(1, 6), st.integers(1, 31))
def test_month_based_dates_keep_the_anchor_day_or_the_months_last_day(start, frequency, every, day):
    dates = _take(Schedule(start, frequency, every, day), 30)
    assert dates == sorted(set(dates)) and dates[0] >= start
    for when in dates:
        last = calendar.monthrange(when.year, when.month)[1]
        assert when.day == min(day, last)  # Feb 28 is followed by Mar 31, never Mar 28
    months = [d.year * 12 + d.month for d in dates]
    step = frequency.months * every
    assert all(b - a == step for a, b in itertools.pairwise(months))


@given(starts, st.integers(1, 8))
def test_weekly_dates_are_n_weeks_apart_from_the_start(start, every):
    dates = _take(Schedule(start, Frequency.WEEKLY, every), 20)
    assert dates[0] == start
    assert all(b - a == timedelta(weeks=every) for a, b in itertools.pairwise(dates))


@given(starts, month_based, st.integers(1, 31), st.integers(0, 400), st.integers(0, 800))
def test_catching_up_issues_each_period_once_in_order(start, frequency, day, down_from, down_days):
    schedule = Schedule(start, frequency, 1, day)
    last, count, issued = None, 0, []
    # A worker that ran up to some day, stopped, and came back ``down_days`` later.
    for today in (start + timedelta(days=down_from), start + timedelta(days=down_from + down_days)):
        due = due_periods(schedule, last_issued=last, not_before=start, today=today, issued_count=count)
        issued += due
        if due:
            last, count = due[-1], count + len(due)
        assert due_periods(schedule, last_issued=last, not_before=start, today=today, issued_count=count) == []
    expected = [d for d in _take(schedule, 200) if d <= start + timedelta(days=down_from + down_days)]
    assert issued == expected


@given(starts, st.integers(1, 31), st.integers(40, 800))
def test_latest_only_issues_one_and_never_goes_back(start, day, down_days):
    schedule = Schedule(start, Frequency.MONTHLY, 1, day)
    today = start + timedelta(days=down_days)
    due = due_periods(schedule, last_issued=None, not_before=start, today=today, issued_count=0, catch_up=CatchUp.LATEST)
    assert len(due) == 1 and due[0] <= today
    nxt = next_period(schedule, last_issued=due[0], not_before=start, issued_count=1)
    assert nxt is not None and nxt > today


@given(starts, st.integers(1, 12))
def test_a_number_of_invoices_ends_the_schedule(start, n):
    schedule = Schedule(start, Frequency.MONTHLY, 1, occurrences=n)
    due = due_periods(schedule, last_issued=None, not_before=start, today=start + timedelta(days=3000), issued_count=0)
    assert len(due) == n
    assert next_period(schedule, last_issued=due[-1], not_before=start, issued_count=n) is None


def test_the_31st_in_a_leap_year():
    dates = _take(Schedule(date(2028, 1, 31), Frequency.MONTHLY, 1, 31), 4)
    assert dates == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30)]
