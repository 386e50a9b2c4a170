"""The one door to Stripe: create, retrieve and expire Checkout Sessions, verify webhooks.

One ``stripe.StripeClient`` built from settings (``STRIPE_API_BASE`` points it at a fake in
tests). Stripe's errors become ``IntegrationError`` with a message safe to show: no key,
no raw response. Creates carry an idempotency key, so the client's own network retries
(and ours) never make a second session.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime
from functools import lru_cache

import stripe

from invoice_crm.domain.checkout import CheckoutSession
from invoice_crm.domain.errors import IntegrationError
from invoice_crm.settings import get_settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2  # safe: every create carries an idempotency key
_SECRET_RE = re.compile(r"\b(sk|rk|pk|whsec)_[A-Za-z0-9_*]+")
# Only id-shaped values reach the URL path (Stripe ids are cs_...; any fake or future format
# of letters, digits, _ and - passes; "../" or "?" never does).
SESSION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class WebhookSignatureError(IntegrationError):
    """The request does not carry a valid Stripe-Signature for STRIPE_WEBHOOK_SECRET."""


class WebhookPayloadError(IntegrationError):
    """Signed, but not an event this app can read (not JSON, not an object, odd fields)."""


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def client() -> stripe.StripeClient:
    settings = get_settings()
    key = settings.stripe_secret_key.get_secret_value()
    if not key:
        raise IntegrationError("Online payment is off: it is not set up in the server settings", field="stripe")
    return _client(key, settings.stripe_api_base.rstrip("/"))


def _safe(text: str) -> str:
    return _SECRET_RE.sub("[redacted]", text or "")


def _integration_error(err: stripe.StripeError, action: str) -> IntegrationError:
    """A readable message per failure kind; logged with Stripe's request id, never the key."""
    log.warning(
        "Stripe %s failed: %s (HTTP %s, request %s)",
        action, type(err).__name__, err.http_status, err.request_id,
    )
    if isinstance(err, stripe.AuthenticationError | stripe.PermissionError):
        message = "Stripe refused the API key; check the Stripe key in the server settings"
    elif isinstance(err, stripe.APIConnectionError):
        message = "Could not reach Stripe; try again in a moment"
    elif isinstance(err, stripe.RateLimitError):
        message = "Stripe is busy (rate limited); try again in a moment"
    elif isinstance(err, stripe.InvalidRequestError | stripe.IdempotencyError):
        message = f"Stripe refused the request: {_safe(err.user_message or '')}".rstrip(": ")
    else:
        status = f" (HTTP {err.http_status})" if err.http_status else ""
        message = f"Stripe is not available right now{status}; try again later"
    return IntegrationError(message, field="stripe")


def _when(timestamp) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), UTC) if timestamp else None


def session_from_dict(data: dict) -> CheckoutSession:
    """Map a Checkout Session object (from the API or a webhook event) to the domain's view."""
    intent = data.get("payment_intent")
    if isinstance(intent, dict):  # expanded
        intent = intent.get("id")
    return CheckoutSession(
        id=str(data.get("id") or ""),
        url=data.get("url"),
        status=data.get("status"),
        payment_status=data.get("payment_status"),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        payment_intent=intent,
        expires_at=_when(data.get("expires_at")),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def create_checkout_session(
    *,
    invoice_id: int,
    number: str,
    currency: str,
    amount_minor: int,
    customer_email: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> CheckoutSession:
    params: dict = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": currency.lower(),
                    "product_data": {"name": f"Invoice #{number}"},
                    "unit_amount": amount_minor,
                },
                "quantity": 1,
            }
        ],
        "metadata": {"invoice_id": str(invoice_id), "invoice_number": number},
        "payment_intent_data": {"metadata": {"invoice_id": str(invoice_id), "invoice_number": number}},
        "client_reference_id": str(invoice_id),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    try:
        session = client().v1.checkout.sessions.create(
            params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as err:
        raise _integration_error(err, "create checkout session") from None
    return session_from_dict(session.to_dict())


def retrieve_checkout_session(session_id: str) -> CheckoutSession | None:
    """The session as Stripe knows it now; None when Stripe has no such session."""
    if not SESSION_ID_RE.match(session_id or ""):
        return None
    try:
        session = client().v1.checkout.sessions.retrieve(session_id)
    except stripe.InvalidRequestError as err:
        if err.http_status == 404:
            return None
        raise _integration_error(err, "retrieve checkout session") from None
    except stripe.StripeError as err:
        raise _integration_error(err, "retrieve checkout session") from None
    return session_from_dict(session.to_dict())


def expire_checkout_session(session_id: str) -> bool:
    """Expire an open session so it can no longer be paid; False when it was not open."""
    if not SESSION_ID_RE.match(session_id or ""):
        return False
    try:
        client().v1.checkout.sessions.expire(session_id)
    except stripe.InvalidRequestError as err:
        if err.http_status in (400, 404):
            return False  # already complete or expired, or unknown
        raise _integration_error(err, "expire checkout session") from None
    except stripe.StripeError as err:
        raise _integration_error(err, "expire checkout session") from None
    return True


def _signed_at(signature: str) -> int:
    """The ``t=`` of a Stripe-Signature header that verify_header has accepted."""
    return int(next(part[2:] for part in signature.split(",") if part.startswith("t=")))


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """The event, once its Stripe-Signature checks out against STRIPE_WEBHOOK_SECRET.
    Raises WebhookSignatureError (not from Stripe) or WebhookPayloadError (signed, unreadable)."""
    secret = get_settings().stripe_webhook_secret.get_secret_value()
    if not secret:
        raise WebhookSignatureError("Webhooks are off: STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        raise WebhookSignatureError("Missing Stripe-Signature header")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        raise WebhookSignatureError("Invalid Stripe-Signature") from None
    if _signed_at(signature) > time.time() + stripe.Webhook.DEFAULT_TOLERANCE:
        # The library bounds only the past: a signature dated ahead would stay replayable
        # until then. Stripe signs with the moment it sends; clocks differ by seconds.
        raise WebhookSignatureError("Invalid Stripe-Signature: dated in the future")
    try:
        event = json.loads(text)
    except ValueError:
        raise WebhookPayloadError("The payload is not JSON") from None
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookPayloadError("The payload is not a Stripe event")
    return event
