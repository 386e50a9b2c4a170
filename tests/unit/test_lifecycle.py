from datetime import UTC, date, datetime

import pytest

from invoice_crm.domain.errors import InvalidTransition, ValidationError
from invoice_crm.domain.lifecycle import (
    InvoiceStatus,
    business_today,
    check_transition,
    countdown,
    credited_in_full,
    ensure_editable,
    ensure_sendable,
    is_overdue,
    status_label,
)

S = InvoiceStatus
ALLOWED = {
    (S.DRAFT, S.SENT), (S.SENT, S.PAID), (S.OVERDUE, S.PAID), (S.SENT, S.OVERDUE), (S.SENT, S.VOID), (S.OVERDUE, S.VOID),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition_is_allowed_or_refused_with_a_message(current, target):
    if (current, target) in ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition) as err:
            check_transition(current, target)
        assert err.value.message
        assert err.value.field == "status"


def test_refusal_messages_say_what_is_wrong():
    with pytest.raises(InvalidTransition, match="draft cannot be paid"):
        check_transition(S.DRAFT, S.PAID)
    with pytest.raises(InvalidTransition, match="already been sent"):
        check_transition(S.SENT, S.SENT)
    with pytest.raises(InvalidTransition, match="already paid"):
        check_transition(S.PAID, S.PAID)
    with pytest.raises(InvalidTransition, match=r"^This invoice is void; there is nothing to pay$"):
        check_transition(S.VOID, S.PAID)  # Record payment in a tab left open on a voided invoice


@pytest.mark.parametrize("status", list(S))
def test_asked_for_the_status_it_has_the_invoice_says_where_it_stands(status):
    """A second tab voiding a voided invoice hears "already void", not "from Void to Void"."""
    with pytest.raises(InvalidTransition) as err:
        check_transition(status, status)
    assert "cannot go from" not in err.value.message
    assert err.value.message == {
        S.DRAFT: "This invoice is still a draft",
        S.SENT: "This invoice has already been sent",
        S.PAID: "This invoice is already paid",
        S.OVERDUE: "This invoice is already overdue",
        S.VOID: "This invoice is already void",
    }[status]


@pytest.mark.parametrize("status", [S.SENT, S.OVERDUE, S.PAID])
def test_only_drafts_are_editable(status):
    ensure_editable(S.DRAFT)
    with pytest.raises(InvalidTransition, match="only drafts can be edited"):
        ensure_editable(status)


def test_sendable_needs_client_due_date_and_a_positive_line():
    from decimal import Decimal

    ensure_sendable(client_id=1, due_date=date(2026, 1, 1), line_totals=[Decimal("0"), Decimal("5")])
    with pytest.raises(ValidationError) as err:
        ensure_sendable(client_id=None, due_date=date(2026, 1, 1), line_totals=[Decimal("5")])
    assert err.value.field == "client_id"
    with pytest.raises(ValidationError) as err:
        ensure_sendable(client_id=1, due_date=None, line_totals=[Decimal("5")])
    assert err.value.field == "due_date"
    with pytest.raises(ValidationError) as err:
        ensure_sendable(client_id=1, due_date=date(2026, 1, 1), line_totals=[Decimal("0")])
    assert err.value.field == "lines"
    with pytest.raises(ValidationError):
        ensure_sendable(client_id=1, due_date=date(2026, 1, 1), line_totals=[])


def test_not_overdue_on_the_due_date_overdue_the_day_after():
    due = date(2026, 3, 10)
    assert not is_overdue(S.SENT, due, date(2026, 3, 10))
    assert is_overdue(S.SENT, due, date(2026, 3, 11))
    assert not is_overdue(S.DRAFT, due, date(2026, 4, 1))
    assert not is_overdue(S.PAID, due, date(2026, 4, 1))
    assert not is_overdue(S.SENT, None, date(2026, 4, 1))


def test_business_today_follows_the_business_timezone_across_midnight():
    # 23:30 UTC on the 10th is already the 11th in Auckland and still the 10th in New York.
    instant = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert business_today("UTC", instant) == date(2026, 3, 10)
    assert business_today("Pacific/Auckland", instant) == date(2026, 3, 11)
    assert business_today("America/New_York", instant) == date(2026, 3, 10)
    due = date(2026, 3, 10)
    assert is_overdue(S.SENT, due, business_today("Pacific/Auckland", instant))
    assert not is_overdue(S.SENT, due, business_today("America/New_York", instant))


def test_countdown_words():
    today = date(2026, 5, 10)
    assert countdown(S.SENT, date(2026, 5, 13), today) == "due in 3 days"
    assert countdown(S.SENT, date(2026, 5, 11), today) == "due in 1 day"
    assert countdown(S.SENT, today, today) == "due today"
    assert countdown(S.OVERDUE, date(2026, 5, 9), today) == "1 day overdue"
    assert countdown(S.OVERDUE, date(2026, 5, 1), today) == "9 days overdue"
    assert countdown(S.DRAFT, date(2026, 5, 13), today) == ""
    assert countdown(S.PAID, date(2026, 5, 1), today) == ""


# (status, amount paid net of refunds) -> the word shown, and whether it is credited in full.
STATUS_WORDS = [
    ("SENT", "0.00", "Sent", False),
    ("SENT", "40.00", "Partially paid", False),
    ("OVERDUE", "40.00", "Partially paid", False),
    ("PAID", "100.00", "Paid", False),  # paid in full
    ("PAID", "40.00", "Paid", False),  # partly paid, the rest credited: paid for what came in
    ("PAID", "0.00", "Credited", True),  # settled by credit notes with nothing received
    ("PAID", "-0.00", "Credited", True),
    ("PAID", 0, "Credited", True),
    ("VOID", "0.00", "Void", False),
    ("DRAFT", "0.00", "Draft", False),
]


@pytest.mark.parametrize(("status", "paid", "word", "credited"), STATUS_WORDS)
def test_status_words_say_credited_for_an_invoice_paid_by_credit_notes_alone(status, paid, word, credited):
    from decimal import Decimal

    from invoice_crm.services.queries import badge_of

    amount = Decimal(paid) if isinstance(paid, str) else paid
    assert status_label(status, amount) == word
    assert credited_in_full(status, amount) is credited
    assert (badge_of(status, amount) == "CREDITED") is credited
