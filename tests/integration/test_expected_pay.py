"""Expected payment dates from a client's real history in the database: the client page's
sentence, the invoice page's date (flagged when after the due date), and the dashboard's cash
expected in the next 30 days, per currency, from the stored balances."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from invoice_crm.db import write_session
from invoice_crm.models import Invoice
from invoice_crm.services import expected_pay, invoices, ledger
from tests.integration.helpers import make_client, make_invoice

TODAY = date.today()


def _sent(client_id: int, sent_on: date, due_days: int = 30, price: str = "100.00", currency: str = "USD") -> int:
    inv = make_invoice(client_id, issue=sent_on, due=sent_on + timedelta(days=due_days), currency=currency,
                       lines=[{"description": "Work", "quantity": "1", "unit_price": price}])
    invoices.send_invoice(inv.id)
    with write_session() as s:  # the history: sent on that day (sent_at is the moment of sending)
        s.execute(update(Invoice).where(Invoice.id == inv.id).values(
            sent_at=datetime.combine(sent_on, datetime.min.time(), UTC) + timedelta(hours=10)))
    return inv.id


def _paid(client_id: int, sent_on: date, days: int) -> None:
    ledger.record_payment(_sent(client_id, sent_on), "", sent_on + timedelta(days=days))


def test_habit_expected_date_and_cash_in_from_a_hand_computed_history(database):
    regular = make_client("Regular", "r@example.com")
    start = TODAY - timedelta(days=200)
    for offset, days in ((0, 12), (30, 20), (60, 16), (90, 40)):  # 12 16 20 40 -> median 18
        _paid(regular.id, start + timedelta(days=offset), days)
    assert expected_pay.habit_text(regular.id) == "Usually pays 18 days after sending (based on 4 invoices)"

    # Open: sent 5 days ago, due in 25 -> expected in 13 days, on time.
    on_time = _sent(regular.id, TODAY - timedelta(days=5), due_days=30, price="250.00")
    # Open: sent 2 days ago with 7-day terms -> expected in 16 days, after its due date.
    late = _sent(regular.id, TODAY - timedelta(days=2), due_days=7, price="80.50")
    text, flagged = expected_pay.expectation_text(late)
    assert flagged and text.endswith(" (after the due date)")
    assert expected_pay.invoice_expectation(on_time).on == TODAY + timedelta(days=13)
    assert not expected_pay.invoice_expectation(on_time).late
    # Partly paid: only the balance is expected.
    ledger.record_payment(on_time, "50.00", TODAY)

    # Two paid invoices only: no habit, nothing expected from this client.
    newcomer = make_client("Newcomer", "n@example.com")
    _paid(newcomer.id, start, 10)
    _paid(newcomer.id, start + timedelta(days=30), 10)
    unknown = _sent(newcomer.id, TODAY - timedelta(days=1), price="999.00")
    assert expected_pay.habit_text(newcomer.id) == ""
    assert expected_pay.invoice_expectation(unknown) is None

    # Euro client: 3 paid (5, 5, 9 -> 5 days); an open one sent 60 days ago counts (still owed),
    # one sent today (expected in 5 days) counts; sent far ahead is impossible, so both count.
    euro = make_client("Euro", "e@example.com")
    for offset in (0, 20, 40):
        ledger.record_payment(_sent(euro.id, start + timedelta(days=offset), currency="EUR"), "",
                              start + timedelta(days=offset + (9 if offset == 40 else 5)))
    _sent(euro.id, TODAY - timedelta(days=60), due_days=90, price="300.00", currency="EUR")
    _sent(euro.id, TODAY, price="20.25", currency="EUR")

    assert expected_pay.expected_cash_in(TODAY) == {"EUR": Decimal("320.25"), "USD": Decimal("280.50")}
    # 14 days: the partly paid one (expected in 13 days, $200.00 left) is in, the late one
    # (expected in 16) is not.
    assert expected_pay.expected_cash_in(TODAY, 14) == {"EUR": Decimal("320.25"), "USD": Decimal("200.00")}


def test_the_days_to_pay_count_from_the_sending_day_in_the_saved_timezone(database):
    """Sent at 23:30 UTC is already the next day in Auckland: a client paying ten days after
    that UTC day pays nine days after the business day of sending once Settings say Auckland."""
    from invoice_crm.services import business_settings as biz

    client = make_client("Late Evening", "l@example.com")
    start = TODAY - timedelta(days=120)
    for offset in (0, 30, 60):
        sent_on = start + timedelta(days=offset)
        invoice_id = _sent(client.id, sent_on)
        with write_session() as s:
            s.execute(update(Invoice).where(Invoice.id == invoice_id).values(
                sent_at=datetime.combine(sent_on, datetime.min.time(), UTC) + timedelta(hours=23, minutes=30)))
        ledger.record_payment(invoice_id, "", sent_on + timedelta(days=10))
    assert expected_pay.client_habit(client.id).days == 10  # no timezone saved: the environment's UTC

    biz.save_invoice_defaults({"currency": "USD", "number_format": "INV-{year}-{seq:04d}",
                               "payment_terms_days": "14", "locale": "en_US", "timezone": "Pacific/Auckland"})
    assert expected_pay.client_habit(client.id).days == 9


def _moments_around_changes(zone: ZoneInfo) -> list[datetime]:
    """UTC moments a minute either side of each offset change of 2025-2026 and of local
    midnights, where a sending day is easiest to get wrong."""
    moments, hour = [], datetime(2025, 1, 1, tzinfo=UTC)
    while hour < datetime(2027, 1, 1, tzinfo=UTC):
        later = hour + timedelta(hours=1)
        if later.astimezone(zone).utcoffset() != hour.astimezone(zone).utcoffset():
            moments += [later - timedelta(minutes=61), later - timedelta(minutes=1), later + timedelta(minutes=1)]
        hour = later
    for day in (date(2025, 1, 15), date(2025, 7, 15), date(2026, 12, 31)):
        midnight = datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
        moments += [midnight - timedelta(minutes=1), midnight, midnight + timedelta(seconds=59)]
    return moments


def test_the_database_counts_each_sending_day_as_the_business_timezone_does(database):
    """The days each paid invoice took, as the database counts them (PostgreSQL's timezones, or
    SQLite's stored texts), equal the rule's: the paid date minus the sending moment's day in
    the business's zone -- around daylight-saving changes, half- and quarter-hour zones and
    midnights."""
    from invoice_crm.db import read_session

    zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
             "Pacific/Chatham", "America/St_Johns"]
    client = make_client("Everywhere", "w@example.com")
    moments = sorted({m for name in zones for m in _moments_around_changes(ZoneInfo(name))})
    paid_on = date(2026, 6, 1)
    ids = [make_invoice(client.id).id for _ in moments]
    with write_session() as s:
        for invoice_id, moment in zip(ids, moments, strict=True):
            s.execute(update(Invoice).where(Invoice.id == invoice_id).values(
                status="PAID", sent_at=moment, paid_at=paid_on - timedelta(days=invoice_id % 40),
                amount_paid=Invoice.amount))  # paid with money received (not credited in full)
        paid = {row.id: row.paid_at for row in s.execute(select(Invoice.id, Invoice.paid_at).where(Invoice.id.in_(ids)))}
    for name in zones:
        zone = ZoneInfo(name)
        expected = sorted((paid[i] - m.astimezone(zone).date()).days for i, m in zip(ids, moments, strict=True))
        with read_session() as s:
            counted = sorted(expected_pay._days_taken(s, [client.id], zone)[client.id])
        assert counted == expected, name


def test_the_dashboards_expected_cash_is_read_once_while_nothing_changes_and_again_after_a_payment(database):
    """Every dashboard load asks for "Expected in 30 days", which reads every paid invoice of
    the clients owing money: a second load with nothing committed in between reads nothing, and
    the next one after a payment (of this process, or a worker's) shows the new balance."""
    from tests.integration.helpers import statements_run

    regular = make_client("Regular", "r@example.com")
    start = TODAY - timedelta(days=200)
    for offset in (0, 30, 60):
        _paid(regular.id, start + timedelta(days=offset), 10)
    owing = _sent(regular.id, TODAY - timedelta(days=2), price="250.00")

    first, reads = statements_run(lambda: expected_pay.cash_in_text(TODAY), "from invoice")
    assert first == "$250.00" and reads >= 2
    again, reads = statements_run(lambda: expected_pay.cash_in_text(TODAY), "from invoice")
    assert again == "$250.00" and reads == 0
    # Another day, another window: not the kept answer.
    _, reads = statements_run(lambda: expected_pay.expected_cash_in(TODAY + timedelta(days=1)), "from invoice")
    assert reads >= 2

    ledger.record_payment(owing, "100.00", TODAY)
    after, reads = statements_run(lambda: expected_pay.cash_in_text(TODAY), "from invoice")
    assert after == "$150.00" and reads >= 2
    # What is kept is a copy: changing the answer given does not change the next one.
    expected_pay.expected_cash_in(TODAY)["USD"] = Decimal("1")
    assert expected_pay.expected_cash_in(TODAY) == {"USD": Decimal("150.00")}
