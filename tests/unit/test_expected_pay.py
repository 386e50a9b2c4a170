"""Expected payment dates against a history worked out by hand."""

from __future__ import annotations

from datetime import date

from invoice_crm.domain.expected_pay import PayHabit, expected_pay, in_window, pay_habit

# Sent -> paid, days between (counted on a calendar):
#   Jan  5 -> Jan 19   14
#   Feb  2 -> Mar  4   30   (2027 is not a leap year: 26 days of Feb + 4)
#   Mar  1 -> Mar 22   21
#   Apr 10 -> Apr 20   10
#   May  3 -> May 28   25
# Sorted: 10 14 21 25 30 -> median 21, based on 5.
HISTORY = [
    (date(2027, 1, 5), date(2027, 1, 19)),
    (date(2027, 2, 2), date(2027, 3, 4)),
    (date(2027, 3, 1), date(2027, 3, 22)),
    (date(2027, 4, 10), date(2027, 4, 20)),
    (date(2027, 5, 3), date(2027, 5, 28)),
]


def test_median_days_and_count_from_a_hand_computed_history():
    habit = pay_habit(HISTORY)
    assert habit == PayHabit(days=21, based_on=5)
    assert habit.sentence == "Usually pays 21 days after sending (based on 5 invoices)"


def test_an_even_count_takes_the_middle_two_rounded_half_up():
    # 10 14 25 30 -> (14 + 25) / 2 = 19.5 -> 20
    habit = pay_habit([h for h in HISTORY if h[0].month != 3])
    assert habit == PayHabit(days=20, based_on=4)


def test_fewer_than_three_paid_invoices_give_no_figure():
    assert pay_habit(HISTORY[:2]) is None
    assert pay_habit([]) is None
    assert pay_habit(HISTORY[:3]) == PayHabit(days=21, based_on=3)  # 14 30 21 -> 21


def test_expected_date_is_flagged_when_after_the_due_date():
    habit = PayHabit(days=21, based_on=5)
    on_time = expected_pay(habit, date(2027, 6, 1), date(2027, 6, 30))
    late = expected_pay(habit, date(2027, 6, 1), date(2027, 6, 15))
    assert on_time.on == date(2027, 6, 22) and not on_time.late
    assert late.on == date(2027, 6, 22) and late.late
    assert expected_pay(None, date(2027, 6, 1), date(2027, 6, 15)) is None


def test_the_thirty_day_window():
    today = date(2027, 6, 1)
    assert in_window(date(2027, 7, 1), today)  # day 30 counts
    assert not in_window(date(2027, 7, 2), today)
    assert in_window(date(2027, 5, 20), today)  # expected already: still owed, still coming
