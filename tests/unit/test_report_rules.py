"""The ageing buckets' edges."""

from datetime import date, timedelta

import pytest

from invoice_crm.services.reports import BUCKETS, bucket_of, credited_positions

AS_OF = date(2026, 3, 31)


@pytest.mark.parametrize(("days_past_due", "bucket"), [
    (-5, "Current"), (0, "Current"), (1, "1–30 days"), (30, "1–30 days"), (31, "31–60 days"),
    (60, "31–60 days"), (61, "61–90 days"), (90, "61–90 days"), (91, "Over 90 days"), (400, "Over 90 days"),
])
def test_days_past_due_fall_in_their_bucket(days_past_due, bucket):
    assert BUCKETS[bucket_of(AS_OF, AS_OF - timedelta(days=days_past_due))] == bucket


def test_an_invoice_without_a_due_date_is_current():
    assert BUCKETS[bucket_of(AS_OF, None)] == "Current"


def test_a_credit_note_by_lines_reads_back_as_the_lines_it_names():
    lines = ["Design\nphase 1", "Travel", "Design", "Travel"]
    assert list(credited_positions("Travel", lines)) == [[1], [3]]
    assert list(credited_positions("Design\nphase 1\nTravel", lines)) == [[0, 1], [0, 3]]
    assert list(credited_positions("Design\nTravel", lines)) == [[2, 3]]
    assert list(credited_positions("Design", lines)) == [[2]]  # not the first line's beginning
    assert list(credited_positions("", lines)) == [] and list(credited_positions("Hosting", lines)) == []
