"""The plain HTTP endpoints, as one Starlette app that Reflex puts in front of its own
(``rx.App(api_transformer=api)``): these routes are tried first, on the same port."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from invoice_crm.api import exports, stripe_webhook
from invoice_crm.api.hardening import Hardened


def build_api() -> Starlette:
    return Starlette(routes=[
        Route(stripe_webhook.PATH, stripe_webhook.stripe_webhook, methods=["POST"]),
        Route(exports.PATH, exports.export_csv, methods=["GET"]),
    ])


api = build_api()


def standalone() -> Hardened:
    """The endpoints alone, hardened as in the app (for a server without Reflex: the tests)."""
    from invoice_crm.settings import get_settings

    return Hardened(build_api(), get_settings().app_url)
