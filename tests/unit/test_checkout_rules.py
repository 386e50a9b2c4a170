"""Checkout rules: reuse of a stored session, idempotency keys, what proves a payment."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from invoice_crm.domain.checkout import (
    EXPIRY_MARGIN,
    CheckoutSession,
    idempotency_key,
    mismatch_reason,
    stored_session_usable,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _key(**overrides):
    args = {"invoice_id": 7, "public_token": "tok", "amount": Decimal("100.00"), "currency": "USD", "replaces": None}
    return idempotency_key(**{**args, **overrides})


def test_idempotency_key_is_stable_and_changes_with_what_matters():
    assert _key() == _key()  # a double click or a retry: one session
    assert _key(amount=Decimal("100.01")) != _key()
    assert _key(currency="EUR") != _key()
    assert _key(replaces="cs_test_old") != _key()  # replacing an expired session: a new one
    assert _key(public_token="other") != _key()  # same id in another database
    assert "tok" not in _key()
    assert len(_key(replaces="cs_test_" + "x" * 66)) <= 255


def test_stored_session_is_used_only_with_time_left_and_for_the_current_amount():
    fine = {"expires_at": NOW + timedelta(hours=5), "session_amount": Decimal("100.00"), "invoice_amount": Decimal("100.00"), "now": NOW}
    assert stored_session_usable(**fine)
    assert not stored_session_usable(**{**fine, "expires_at": NOW - timedelta(seconds=1)})
    assert not stored_session_usable(**{**fine, "expires_at": NOW + EXPIRY_MARGIN})
    assert not stored_session_usable(**{**fine, "session_amount": Decimal("99.99")})
    assert not stored_session_usable(**{**fine, "expires_at": None})
    assert not stored_session_usable(**{**fine, "session_amount": None})


PAID = CheckoutSession(
    id="cs_1",
    payment_status="paid",
    status="complete",
    amount_total=12345,
    currency="usd",
    payment_intent="pi_1",
    metadata={"invoice_id": "7", "invoice_number": "INV-2026-0007"},
)


def _reason(session, **overrides):
    args = {"invoice_id": 7, "number": "INV-2026-0007", "amount": Decimal("123.45"), "currency": "USD"}
    return mismatch_reason(session, **{**args, **overrides})


def test_a_paid_session_for_this_invoice_and_total_proves_payment():
    assert _reason(PAID) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"payment_status": "unpaid"}, "unpaid"),
        ({"metadata": {"invoice_id": "8", "invoice_number": "INV-2026-0007"}}, "another invoice"),
        ({"metadata": {"invoice_id": "7", "invoice_number": "INV-2026-0099"}}, "another invoice"),
        ({"metadata": {}}, "another invoice"),
        ({"amount_total": 12344}, "different amount"),
        ({"amount_total": None}, "cannot be read"),
        ({"amount_total": 12345.0}, "cannot be read"),  # QA: a float was read as the whole amount
        ({"amount_total": True}, "cannot be read"),
        ({"currency": None}, "cannot be read"),  # QA: no currency was read as the invoice's
        ({"currency": ""}, "cannot be read"),
        ({"metadata": {"invoice_id": str(10**30), "invoice_number": "INV-2026-0007"}}, "cannot be read"),
        ({"currency": "eur"}, "another currency"),
    ],
)
def test_anything_else_does_not(change, expected):
    from dataclasses import replace

    assert expected in _reason(replace(PAID, **change))


def test_paid_in_full_is_what_counts_not_which_optional_fields_are_echoed():
    from dataclasses import replace

    # Stripe always names the payment intent; a session without it is still proof when it is
    # paid, for this invoice, for its total. Not one without a currency: which money was it?
    assert _reason(replace(PAID, payment_intent=None)) is None


def test_zero_decimal_currency_compares_in_whole_units():
    yen = CheckoutSession(
        id="cs_2", payment_status="paid", amount_total=5000, currency="jpy", payment_intent="pi_2",
        metadata={"invoice_id": "7", "invoice_number": "INV-2026-0007"},
    )
    assert _reason(yen, amount=Decimal("5000.00"), currency="JPY") is None
    assert _reason(yen, amount=Decimal("50.00"), currency="JPY") is not None
