"""The reminder schedule's rules: step days, send times in the business timezone, and what
happens to steps that came due (sent, skipped as too late, or superseded)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from invoice_crm.domain import reminders as rules
from invoice_crm.domain.errors import ValidationError

DUE = date(2026, 3, 10)


def _plan(sent_at=datetime(2026, 3, 1, 12, tzinfo=UTC), tz="UTC", steps=rules.DEFAULT_STEPS):
    return rules.plan(list(steps), DUE, sent_at, 9, tz)


def test_steps_fall_on_days_from_the_due_date_at_the_hour_in_the_business_timezone():
    planned = _plan(tz="Europe/Berlin")
    assert [p.day for p in planned] == [date(2026, 3, 7), DUE, date(2026, 3, 17), date(2026, 3, 24)]
    assert planned[0].at == datetime(2026, 3, 7, 8, tzinfo=UTC)  # 9:00 CET
    assert planned[3].at == datetime(2026, 3, 24, 8, tzinfo=UTC)
    assert [rules.step_label(s.offset_days) for s in rules.DEFAULT_STEPS] == [
        "3 days before the due date", "On the due date", "7 days after the due date", "14 days after the due date",
    ]
    assert rules.step_label(-1) == "1 day before the due date"


def test_a_step_due_now_is_sent_and_a_step_done_is_not_again():
    planned = _plan()
    now = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
    assert rules.decide(planned, set(), now, 3).send == planned[0]
    assert rules.decide(planned, {planned[0].day}, now, 3) == rules.Decision(None, [])
    assert rules.decide(planned, set(), now - timedelta(hours=1), 3) == rules.Decision(None, [])


def test_after_downtime_only_the_latest_due_step_goes_out_and_too_late_ones_are_skipped():
    planned = _plan()
    now = datetime(2026, 3, 18, 10, tzinfo=UTC)  # steps of Mar 7 (11 days ago), Mar 10 (8), Mar 17 (1)
    decision = rules.decide(planned, set(), now, 3)
    assert decision.send == planned[2]
    assert [(p.step.offset_days, "late" in why) for p, why in decision.skip] == [(-3, True), (0, True)]
    # Within the limit, the earlier step is superseded rather than sent in a burst.
    decision = rules.decide(planned, set(), datetime(2026, 3, 11, 10, tzinfo=UTC), 5)
    assert decision.send == planned[1]
    assert [(p.step.offset_days, why) for p, why in decision.skip] == [
        (-3, "Not sent: a later step was due at the same time")
    ]


def test_steps_before_sending_and_steps_turned_off_do_not_apply():
    planned = _plan(sent_at=datetime(2026, 3, 9, tzinfo=UTC), steps=[rules.Step(-3), rules.Step(0, enabled=False)])
    assert planned[0].before_sending and not planned[1].before_sending
    assert rules.decide(planned, set(), datetime(2026, 3, 11, tzinfo=UTC), 3) == rules.Decision(None, [])


def test_offsets_hours_and_steps_are_checked():
    assert rules.clean_offset(" -3 ") == -3
    for bad in ("x", "1.5", "400"):
        with pytest.raises(ValidationError):
            rules.clean_offset(bad)
    with pytest.raises(ValidationError):
        rules.clean_hour("24")
    with pytest.raises(ValidationError, match="same day"):
        rules.check_steps([rules.Step(1), rules.Step(1)])
    assert [s.offset_days for s in rules.check_steps([rules.Step(7), rules.Step(-3)])] == [-3, 7]


def test_steps_apply_from_the_sending_or_for_an_imported_invoice_from_its_import():
    sent = datetime(2026, 1, 5, 12, tzinfo=UTC)
    imported = datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert rules.applies_from(sent, None) == sent
    assert rules.applies_from(sent, imported) == imported
    assert rules.applies_from(imported, sent) == imported  # sent again after the import: from then
    assert rules.applies_from(None, imported) is None  # a draft: no step applies yet
    planned = rules.plan([rules.Step(-3), rules.Step(0), rules.Step(7)], date(2026, 11, 18),
                         rules.applies_from(sent, imported), 9, "UTC")
    assert [p.before_sending for p in planned] == [True, True, False]
