"""Stripe Checkout rules, with no Stripe in sight: when a stored session can still be used,
the idempotency key of a new one, and whether a session really pays a given invoice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from invoice_crm.domain.money import to_minor_units

# A session this close to its expiry is replaced rather than handed to a client who
# still has to type their card number.
EXPIRY_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True)
class CheckoutSession:
    """The fields of a Stripe Checkout Session this app reads (as the gateway maps them)."""

    id: str
    url: str | None = None
    status: str | None = None  # open | complete | expired
    payment_status: str | None = None  # paid | unpaid | no_payment_required
    amount_total: int | None = None  # minor units
    currency: str | None = None
    payment_intent: str | None = None
    expires_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def idempotency_key(
    *, invoice_id: int, public_token: str, amount: Decimal, currency: str, replaces: str | None
) -> str:
    """The same invoice, amount and predecessor give the same key, so a double click or a
    retry makes one session; replacing an expired session (a new predecessor) makes a new one.

    The public token is hashed in: invoice ids repeat across databases sharing one Stripe
    account (staging, a restored backup), the token does not, and it never leaves in clear.
    """
    token_digest = hashlib.sha256(public_token.encode()).hexdigest()[:16]
    minor = to_minor_units(amount, currency)
    return f"invoice-{invoice_id}-{token_digest}-{minor}{currency.lower()}-after-{replaces or 'none'}"


def stored_session_usable(
    *,
    expires_at: datetime | None,
    session_amount: Decimal | None,
    invoice_amount: Decimal,
    now: datetime,
) -> bool:
    """A stored session can be offered while it has time left and is for the current total."""
    if expires_at is None or session_amount is None:
        return False
    return session_amount == invoice_amount and expires_at - EXPIRY_MARGIN > now


def amount_of(session: CheckoutSession) -> Decimal:
    """What a session charged, from Stripe's minor units."""
    from invoice_crm.domain.money import CURRENCIES

    digits = CURRENCIES.get((session.currency or "usd").upper(), 2)
    return (Decimal(int(session.amount_total or 0)).scaleb(-digits)).quantize(Decimal("0.01"))


MAX_ID = 2**31 - 1  # fits every integer column: a larger invoice id is no invoice's


def invoice_id_of(session: CheckoutSession) -> int | None:
    """The invoice a session names in its metadata (ASCII digits, in the id columns' range),
    or None."""
    raw = str(session.metadata.get("invoice_id", ""))
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 0 < int(raw) <= MAX_ID:
        return None
    return int(raw)


def unreadable_reason(session: CheckoutSession) -> str | None:
    """Why a session's report cannot be trusted to say what was paid (None when it can): an
    amount that is not a whole number of minor units (``164000.0``), no currency, or an
    invoice id out of range. Stripe never sends these; a report that does is refused, never
    read as "the invoice's currency" or rounded."""
    amount = session.amount_total
    if isinstance(amount, bool) or not isinstance(amount, int):
        return "its amount_total is not a whole number of minor units"
    if not isinstance(session.currency, str) or len(session.currency) != 3 or not session.currency.isalpha():
        return "it names no currency"
    raw = str(session.metadata.get("invoice_id", ""))
    if raw.isascii() and raw.isdigit() and invoice_id_of(session) is None:  # other ids: another app's
        return "its metadata.invoice_id is out of range"
    return None


UNPAID = "Stripe reports this checkout as unpaid"
UNREADABLE = "Stripe's report of this payment cannot be read"
OTHER_INVOICE = "This payment is for another invoice"
OTHER_CURRENCY = "This payment is in another currency"
OTHER_AMOUNT = "This payment is for a different amount"


def mismatch_reason(
    session: CheckoutSession, *, invoice_id: int, number: str, amount: Decimal, currency: str
) -> str | None:
    """Why this session does not prove a payment of this invoice's ``amount`` (its balance
    due); None if it does. A session made for an older balance is refused."""
    if session.payment_status != "paid":
        return UNPAID
    if unreadable_reason(session) is not None:
        return UNREADABLE
    if str(session.metadata.get("invoice_id", "")) != str(invoice_id) or (
        session.metadata.get("invoice_number", "") != number
    ):
        return OTHER_INVOICE
    if session.currency.lower() != currency.lower():
        return OTHER_CURRENCY
    if session.amount_total != to_minor_units(amount, currency):
        return OTHER_AMOUNT
    return None


# What the invoice's Activity says of money Stripe took that the app does not record: someone
# has to refund it (or, when it fits the balance, record it by hand).

def other_currency_note(reference: str, paid: str, currency: str, invoice_currency: str) -> str:
    return (
        f"Stripe payment {reference} of {paid} is in {currency.upper()}, not in the invoice's currency "
        f"({invoice_currency.upper()}), and is not recorded: refund it in Stripe"
    )


def refunded_unrecorded(reference: str) -> str:
    """What the Activity says once a Stripe payment that was not recorded is refunded in
    Stripe; the invoice's notice of the payment goes when this is found."""
    return f"the Stripe payment {reference}, which was not recorded, was refunded"


def unrecorded_refund_note(refund_id: str, amount: str, reference: str) -> str:
    return f"Stripe refund {refund_id} of {amount}: {refunded_unrecorded(reference)}"


def other_amount_note(reference: str, paid: str, balance_due: str, *, earlier_balance: bool, fits: bool) -> str:
    """``earlier_balance``: the session was made by this app for what the invoice owed then (a
    payment or credit note changed it since); else its amount matches nothing the invoice was
    asked for. ``fits``: not more than the balance due, so recording it by hand is possible."""
    what = "was for an earlier balance of the invoice" if earlier_balance else "does not match the invoice"
    keep = ", or record it by hand if you keep it" if fits else ""
    return (
        f"Stripe payment {reference} of {paid} {what} (balance due {balance_due}) and is not recorded: "
        f"refund it in Stripe{keep}"
    )
