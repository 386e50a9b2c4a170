"""ASGI middleware around the whole backend (pages, events, uploads, the webhook): bounded
request bodies and the browser security headers.

Bodies: a Content-Length above ``MAX_BODY`` is refused (413) before anything is read; a body
without one (chunked) is read chunk by chunk and refused as soon as it passes the bound, so
no request makes the process hold more than ``MAX_BODY`` of it. The app then reads the body
from the bounded buffer as usual.

Headers: every HTTP response gets a Content-Security-Policy (``frame-ancestors 'none'``),
X-Frame-Options, Referrer-Policy and X-Content-Type-Options unless it already set them.
The build's files under ``/assets/`` are named by their content (a new build gives new names),
so a browser may keep them for good: a returning tab loads a page's JavaScript and styles
from its cache instead of asking the one app process for each file again.
Reflex's client applies server-sent events (toasts, redirects) with ``eval``, and its pages
carry inline bootstrap scripts and styles, so scripts allow 'unsafe-inline' and 'unsafe-eval';
everything else is limited to this origin (and the websocket to this host).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from invoice_crm.domain.business import MAX_LOGO_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Stripe events are a few kB and the app's forms travel over the websocket; the largest bodies
# are uploads (a logo of up to 512 KB, an import of up to 500 KB) in their multipart envelope.
MAX_BODY = MAX_LOGO_BYTES + 64 * 1024
BUILD_FILES = "/assets/"  # Vite's output: every name carries a hash of the file's content
FOREVER = (b"cache-control", b"public, max-age=31536000, immutable")


def content_security_policy(app_url: str) -> str:
    parts = urlsplit(app_url)
    ws = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {ws}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(app_url: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(app_url).encode()),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"x-content-type-options", b"nosniff"),
    ]


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Hardened:
    """``Hardened(app, app_url)``: the bounded, header-adding version of ``app``."""

    def __init__(self, app: ASGIApp, app_url: str, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body
        self.headers = security_headers(app_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send, scope.get("path", "").startswith(BUILD_FILES))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await _plain(send, 400, "Bad Content-Length")
                return
            if int(length) > self.max_body:
                await _plain(send, 413, "Request body too large")
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _plain(send, 413, "Request body too large")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    def _with_headers(self, send: Send, build_file: bool = False) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                keep = [FOREVER] if build_file and message.get("status") == 200 else []
                extra = [(n, v) for n, v in [*self.headers, *keep] if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return send_with_headers


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # http.disconnect, when it comes

    return replay


def hardened(app_url: str) -> Callable[[ASGIApp], ASGIApp]:
    """The transform for ``rx.App(api_transformer=[..., hardened(url)])``."""
    return lambda app: Hardened(app, app_url)
