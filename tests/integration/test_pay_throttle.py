"""The client's Pay button is bounded per invoice and per client address: thirty clicks do
not make thirty Stripe API calls (counted by the fake Stripe)."""

import pytest
from sqlalchemy import delete, select

from invoice_crm.db import write_session
from invoice_crm.domain.errors import NotFound
from invoice_crm.models import RateLimit
from invoice_crm.services import checkout
from invoice_crm.services.rate_limits import RateLimited
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.stripe_helpers import sent_invoice

LIMIT = 5  # PAY_ATTEMPTS_PER_MINUTE's default


def _clicks(token: str, address: str, n: int) -> tuple[int, int]:
    done = refused = 0
    for _ in range(n):
        try:
            checkout.pay_now(token, address)
            done += 1
        except RateLimited as err:
            assert "Too many payment attempts" in err.message and err.retry_after > 0
            refused += 1
    return done, refused


def test_thirty_clicks_make_a_bounded_number_of_stripe_calls(stripe_api):
    inv = sent_invoice("Clicky")
    assert _clicks(inv.public_token, "203.0.113.5", 30) == (LIMIT, 30 - LIMIT)
    assert len(stripe_api.log) <= 2 * LIMIT  # a retrieve and at most one create per allowed click
    assert len(stripe_api.session_creates()) == 1


def test_the_bound_is_per_invoice_whatever_the_address(stripe_api):
    inv = sent_invoice("Many Addresses")
    results = [_clicks(inv.public_token, f"198.51.100.{i}", 3) for i in range(5)]
    assert sum(done for done, _ in results) == LIMIT


def test_the_bound_is_per_address_across_invoices(stripe_api):
    invoices = [sent_invoice(f"Invoice {i}") for i in range(LIMIT + 2)]
    done = sum(_clicks(inv.public_token, "192.0.2.77", 1)[0] for inv in invoices)
    assert done == LIMIT
    # Another client, another address: unaffected.
    assert _clicks(invoices[-1].public_token, "192.0.2.78", 1) == (1, 0)


def test_setting_changes_the_bound(stripe_api, monkeypatch):
    from tests.conftest import reset_caches

    monkeypatch.setenv("PAY_ATTEMPTS_PER_MINUTE", "2")
    reset_caches()
    inv = sent_invoice("Two Only")
    assert _clicks(inv.public_token, "192.0.2.9", 4) == (2, 2)


def test_unknown_tokens_are_not_counted_and_not_found(stripe_api):
    with pytest.raises(NotFound, match="not available"):
        checkout.pay_now("nope", "192.0.2.10")
    assert stripe_api.log == []


def test_many_workers_counting_one_new_key_at_once_count_each_use_once(database):
    """Twelve uses of a key nobody has used yet, at the same moment (as three workers' Pay
    clicks arrive): exactly the limit go through, the rest are refused, none fails."""
    from invoice_crm.services import rate_limits
    from tests.integration.helpers import at_once

    def use() -> bool:
        try:
            rate_limits.take(["pay:invoice:race", "pay:addr:192.0.2.7"], LIMIT, "Too many.")
            return True
        except RateLimited:
            return False

    for _ in range(3):  # the race is a matter of timing: a few rounds, each on fresh keys
        assert sorted(at_once(use, 12)) == [False] * 7 + [True] * LIMIT
        with write_session() as session:
            session.execute(delete(RateLimit))


def test_keys_unused_for_ten_minutes_are_forgotten_and_a_stale_window_starts_afresh(database):
    from datetime import timedelta

    from invoice_crm.db_types import utcnow
    from invoice_crm.services import rate_limits

    now = utcnow()
    with write_session() as session:
        session.add(RateLimit(key="pay:addr:old", window_start=now - timedelta(minutes=11), count=LIMIT))
        session.add(RateLimit(key="pay:addr:recent", window_start=now - timedelta(minutes=5), count=LIMIT))
    rate_limits.take(["pay:addr:recent"], LIMIT, "Too many.")  # its window is over: counting anew
    with write_session() as session:
        kept = {row.key: row.count for row in session.execute(select(RateLimit)).scalars()}
    assert kept == {"pay:addr:recent": 1}
