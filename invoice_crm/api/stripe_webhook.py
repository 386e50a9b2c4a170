"""POST /api/stripe/webhook: Stripe's report of a finished Checkout, verified by signature.

400 for a missing or wrong Stripe-Signature (or no STRIPE_WEBHOOK_SECRET): nothing changes.
2xx for every verified event, handled or not, once it is recorded (a redelivery is a no-op).
400 for a verified event that cannot be read (not JSON, not an object, a field of the wrong
type): logged, never a traceback. A database failure answers 500 (no traceback in the
answer), so Stripe delivers the event again later.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

from invoice_crm.api.hardening import MAX_BODY
from invoice_crm.integrations.stripe_gateway import WebhookPayloadError, WebhookSignatureError
from invoice_crm.services.payments import receive_stripe_webhook

log = logging.getLogger(__name__)
PATH = "/api/stripe/webhook"


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()  # bounded by api.hardening before it gets here
    if len(payload) > MAX_BODY:
        return JSONResponse({"error": "payload too large"}, status_code=413)
    try:
        outcome = await asyncio.to_thread(
            receive_stripe_webhook, payload, request.headers.get("stripe-signature")
        )
    except WebhookSignatureError as err:
        return JSONResponse({"error": err.message}, status_code=400)
    except WebhookPayloadError as err:
        log.warning("Stripe webhook refused: %s", err.message)
        return JSONResponse({"error": err.message}, status_code=400)
    except (TypeError, ValueError, AttributeError, KeyError) as err:  # a field of an odd shape
        log.warning("Stripe webhook refused: unreadable event (%s: %s)", type(err).__name__, err)
        return JSONResponse({"error": "The event could not be read"}, status_code=400)
    except SQLAlchemyError:
        log.exception("Stripe webhook: database error; Stripe will deliver the event again")
        return JSONResponse({"error": "temporarily unavailable"}, status_code=500)
    return JSONResponse({"received": True, "outcome": outcome})
