"""The schedule rules of recurring profiles (domain/recurrence.py), with hypothesis."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.domain.recurrence import (
    CatchUp,
    Frequency,
    Schedule,
    due_periods,
    next_period,
    occurrences,
    rescheduled_from,
    schedule_problems,
)

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


# --- A changed schedule never bills a period twice ---------------------------------------------


def _next_after_edit(old: Schedule, new: Schedule, last: date | None, not_before: date, today: date, count: int):
    bound = rescheduled_from(old, new, last_issued=last, not_before=not_before, today=today)
    return bound, next_period(new, last_issued=last, not_before=bound, issued_count=count)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # The report: monthly from Nov 26 (issued at once), then "day of the month 27".
        (Schedule(date(2026, 11, 26)), Schedule(date(2026, 11, 26), day_of_month=27), date(2026, 12, 27)),
        # An earlier day waits for the next period too: Dec 25 is still inside Nov 26's month.
        (Schedule(date(2026, 11, 26)), Schedule(date(2026, 11, 26), day_of_month=25), date(2027, 1, 25)),
        (Schedule(date(2026, 11, 26)), Schedule(date(2026, 11, 26), every=2), date(2027, 1, 26)),
        (Schedule(date(2026, 11, 26), every=3), Schedule(date(2026, 11, 26)), date(2027, 2, 26)),
        (Schedule(date(2026, 11, 26)), Schedule(date(2026, 11, 26), Frequency.WEEKLY), date(2026, 12, 31)),
        (Schedule(date(2026, 11, 26), Frequency.WEEKLY), Schedule(date(2026, 11, 26), day_of_month=5), date(2026, 12, 5)),
        (Schedule(date(2026, 11, 26), Frequency.WEEKLY, 2), Schedule(date(2026, 11, 27), Frequency.WEEKLY), date(2026, 12, 11)),
        (Schedule(date(2026, 11, 26), Frequency.YEARLY), Schedule(date(2026, 11, 26), day_of_month=1), date(2027, 12, 1)),
        (Schedule(date(2026, 11, 26), Frequency.QUARTERLY), Schedule(date(2026, 11, 26), Frequency.YEARLY), date(2027, 11, 26)),
        # On the 31st the billed period of Feb 28 runs to Mar 30: the 29th waits for April.
        (Schedule(date(2027, 1, 31)), Schedule(date(2027, 1, 31), day_of_month=29), date(2027, 4, 29)),
    ],
)
def test_a_changed_schedule_starts_after_the_period_already_billed(old, new, expected):
    last = date(2027, 2, 28) if old.start.day == 31 else old.start
    _, nxt = _next_after_edit(old, new, last, old.start, last, 1)
    assert nxt == expected


def test_a_profile_never_issued_starts_its_changed_schedule_from_today():
    old = Schedule(date(2026, 11, 20))
    new = Schedule(date(2026, 11, 20), day_of_month=27)
    bound, nxt = _next_after_edit(old, new, None, old.start, date(2026, 11, 26), 0)
    assert bound == date(2026, 11, 26) and nxt == date(2026, 11, 27)


def test_two_changes_in_a_row_still_wait_for_the_billed_period():
    first = Schedule(date(2026, 11, 26))
    second = Schedule(date(2026, 11, 26), day_of_month=27)
    third = Schedule(date(2026, 11, 26), day_of_month=5)
    today = date(2026, 11, 26)
    bound, _ = _next_after_edit(first, second, today, first.start, today, 1)
    _, nxt = _next_after_edit(second, third, today, bound, today, 1)
    assert nxt == date(2027, 1, 5)  # Dec 5 falls inside the month billed on Nov 26


any_frequency = st.sampled_from(list(Frequency))


@st.composite
def schedules(draw, start=starts):
    frequency = draw(any_frequency)
    day = None if frequency is Frequency.WEEKLY else draw(st.none() | st.integers(1, 31))
    return Schedule(draw(start), frequency, draw(st.integers(1, 12)), day)


@given(schedules(), schedules(), st.integers(0, 40), st.integers(0, 400))
def test_after_any_schedule_edit_the_next_issue_is_on_the_new_schedule_after_the_billed_period(
    old, new, periods, edit_after
):
    billed = _take(old, periods + 1)
    last = billed[-1]
    today = last + timedelta(days=edit_after)
    _, nxt = _next_after_edit(old, new, last, old.start, today, len(billed))
    assert nxt is not None
    period_over = next(d for d in occurrences(old) if d > last)
    assert nxt >= max(today, period_over)  # at least one (billed) interval after the last issue
    on_new = list(itertools.takewhile(lambda d: d <= nxt, occurrences(new)))
    assert on_new[-1] == nxt  # on the new schedule ...
    # ... and the first of its dates that can be issued: none skipped between.
    assert not [d for d in on_new if max(today, period_over, new.start) <= d < nxt]


def test_a_schedule_is_refused_with_every_field_at_fault():
    bad = Schedule(date(2027, 3, 1), Frequency.MONTHLY, 0, 32, end=date(2027, 1, 1))
    assert set(schedule_problems(bad)) == {"every", "day_of_month", "end_date"}
    assert schedule_problems(Schedule(date(2027, 3, 1), occurrences=0)) == {
        "occurrences": "Number of invoices must be 1 to 1000"
    }
    assert schedule_problems(Schedule(date(2027, 3, 1), Frequency.WEEKLY, 2)) == {}
