"""The scheme the browser used, behind a TLS proxy: with TRUSTED_PROXY_HOPS > 0 the proxy's
X-Forwarded-Proto sets the request's scheme, so a URL the backend builds from the request (the
redirect from /login to /login/ that serving the built pages makes) keeps https instead of
sending the browser to http:// on the proxy's TLS port. With 0 (no proxy), the header is the
client's own and is ignored, as X-Forwarded-For is."""

from __future__ import annotations

from collections.abc import Callable

from invoice_crm.api.hardening import ASGIApp, Receive, Scope, Send

SCHEMES = {"http": {"http": "http", "websocket": "ws"}, "https": {"http": "https", "websocket": "wss"}}


class ForwardedProto:
    def __init__(self, app: ASGIApp, trusted_hops: int) -> None:
        self.app, self.trusted_hops = app, trusted_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted_hops and scope["type"] in ("http", "websocket"):
            value = dict(scope.get("headers") or []).get(b"x-forwarded-proto")
            if value:
                # A proxy that appends gives a list: the nearest (trusted) proxy's is the last.
                proto = value.decode("latin-1").split(",")[-1].strip().lower()
                if proto in SCHEMES:
                    scope = {**scope, "scheme": SCHEMES[proto][scope["type"]]}
        await self.app(scope, receive, send)


def forwarded_proto(trusted_hops: int) -> Callable[[ASGIApp], ASGIApp]:
    """The transform for ``rx.App(api_transformer=[..., forwarded_proto(hops)])`` (outermost)."""
    return lambda app: ForwardedProto(app, trusted_hops)
