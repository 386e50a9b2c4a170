"""A fake Stripe: a real HTTP server on 127.0.0.1 speaking the part of the API the app uses,
so stripe-python runs unmodified against it (configured only by STRIPE_API_BASE).

- POST /v1/checkout/sessions (form-encoded, like Stripe), honouring Idempotency-Key:
  the same key with the same parameters replays the same session; with other parameters
  it is refused (idempotency_error), as Stripe does.
- POST /v1/checkout/sessions/{id}/expire;
- refunds made "in the dashboard" (``refund``), and signed ``charge.refunded`` /
  ``refund.updated`` events for them;
- GET /v1/checkout/sessions/{id}; Stripe-shaped errors: 400 invalid_request_error,
  401 for a wrong key, 404 resource_missing.
- Switches that make the next N API requests fail: HTTP 500, HTTP 401, a connection
  dropped before any answer ("drop"), or one dropped after the request was carried out
  ("drop_after": Stripe did the work, the answer was lost).
- A request log for assertions.
- The hosted checkout page at the session URL: its Pay button marks the session paid
  (payment_status "paid", status "complete", a payment intent "pi_...") and sends the
  browser to success_url with {CHECKOUT_SESSION_ID} filled in; Cancel goes to cancel_url.
- ``deliver_webhook``: posts an event to the app signed the way Stripe signs
  (``Stripe-Signature: t=<ts>,v1=<HMAC-SHA256(secret, "<ts>.<payload>")>``).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SESSION_LIFETIME = 24 * 3600
API_VERSION = "2025-01-01"


@dataclass
class LoggedRequest:
    method: str
    path: str
    params: dict
    idempotency_key: str | None
    status: int = 0


@dataclass
class _Failure:
    kind: str  # "500" | "401" | "drop" | "drop_after"
    remaining: int


def decode_form(body: str) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back to nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_listify(node[k]) for k in sorted(node, key=int)]
    return {k: _listify(v) for k, v in node.items()}


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header value for ``payload``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


class FakeStripe:
    def __init__(self, api_key: str | None = None, webhook_secret: str | None = None) -> None:
        self.api_key = api_key or f"sk_test_fake_{secrets.token_hex(12)}"
        self.webhook_secret = webhook_secret or f"whsec_fake_{secrets.token_hex(16)}"
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.log: list[LoggedRequest] = []
        self._idempotent: dict[str, tuple[dict, dict]] = {}
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-stripe", daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def env(self) -> dict[str, str]:
        """The settings that point the app at this fake."""
        return {
            "STRIPE_SECRET_KEY": self.api_key,
            "STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "STRIPE_API_BASE": self.base_url,
        }

    # -- switches and inspection -----------------------------------------------------
    def fail_next(self, count: int, kind: str = "500") -> None:
        """The next ``count`` API requests fail: "500", "401", "drop" (connection closed
        unanswered) or "drop_after" (carried out, then closed unanswered)."""
        assert kind in ("500", "401", "drop", "drop_after"), kind
        with self._lock:
            self._failures.append(_Failure(kind, count))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def requests(self, method: str | None = None, path_prefix: str = "/v1/") -> list[LoggedRequest]:
        with self._lock:
            return [
                r for r in self.log
                if (method is None or r.method == method) and r.path.startswith(path_prefix)
            ]

    def session_creates(self, invoice_id: int | None = None) -> list[LoggedRequest]:
        """Successful POST /v1/checkout/sessions, optionally for one invoice id."""
        return [
            r for r in self.requests("POST", "/v1/checkout/sessions")
            if r.status == 200
            and (invoice_id is None or r.params.get("metadata", {}).get("invoice_id") == str(invoice_id))
        ]

    def sessions_for(self, invoice_id: int) -> list[dict]:
        with self._lock:
            return [s for s in self.sessions.values() if s["metadata"].get("invoice_id") == str(invoice_id)]

    def get(self, session_id: str) -> dict:
        with self._lock:
            return json.loads(json.dumps(self.sessions[session_id]))

    # -- what a paying customer (or time) does ------------------------------------
    def pay(self, session_id: str) -> dict:
        """Complete the session as the hosted page's Pay button does; returns it."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session.update(
                    status="complete",
                    payment_status="paid",
                    payment_intent=f"pi_fake_{secrets.token_hex(12)}",
                )
            return json.loads(json.dumps(session))

    def expire(self, session_id: str) -> None:
        """As if 24 hours had passed: the session can no longer be paid."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session.update(status="expired", expires_at=int(time.time()) - 1)

    def refund(self, session_id: str, amount: int | None = None) -> dict:
        """A refund made in the Stripe dashboard for a paid session (all of it by default)."""
        with self._lock:
            session = self.sessions[session_id]
            assert session["payment_status"] == "paid", "only a paid session can be refunded"
            done = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == session["payment_intent"])
            amount = session["amount_total"] - done if amount is None else amount
            assert 0 < amount <= session["amount_total"] - done, "more than is left to refund"
            refund = {
                "id": f"re_fake_{secrets.token_hex(12)}",
                "object": "refund",
                "amount": amount,
                "currency": session["currency"],
                "charge": self.charge_id(session_id),
                "payment_intent": session["payment_intent"],
                "status": "succeeded",
                "created": int(time.time()),
                "metadata": {},
            }
            self.refunds[refund["id"]] = refund
            return json.loads(json.dumps(refund))

    def charge_id(self, session_id: str) -> str:
        return "ch_" + self.sessions[session_id]["payment_intent"].removeprefix("pi_")

    def charge(self, session_id: str) -> dict:
        """The charge behind a paid session, with its refunds, as Stripe sends it in charge.refunded."""
        with self._lock:
            session = self.sessions[session_id]
            refunds = [r for r in self.refunds.values() if r["payment_intent"] == session["payment_intent"]]
            refunded = sum(r["amount"] for r in refunds)
            return json.loads(json.dumps({
                "id": self.charge_id(session_id),
                "object": "charge",
                "amount": session["amount_total"],
                "amount_refunded": refunded,
                "currency": session["currency"],
                "payment_intent": session["payment_intent"],
                "paid": True,
                "refunded": refunded == session["amount_total"],
                "status": "succeeded",
                "metadata": session["metadata"],
                "refunds": {"object": "list", "data": refunds, "has_more": False, "total_count": len(refunds)},
            }))

    def charge_refunded_event(self, session_id: str, event_id: str | None = None) -> dict:
        return self._event("charge.refunded", self.charge(session_id), event_id)

    def refund_event(self, refund_id: str, kind: str = "refund.updated", event_id: str | None = None) -> dict:
        with self._lock:
            refund = json.loads(json.dumps(self.refunds[refund_id]))
        return self._event(kind, refund, event_id)

    def _event(self, kind: str, obj: dict, event_id: str | None) -> dict:
        return {
            "id": event_id or f"evt_fake_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": kind,
            "data": {"object": obj},
        }

    def set_field(self, session_id: str, **values) -> None:
        with self._lock:
            self.sessions[session_id].update(values)

    # -- webhooks ------------------------------------------------------------------
    def event_for(self, session_id: str, kind: str = "checkout.session.completed", event_id: str | None = None) -> dict:
        return self._event(kind, self.get(session_id), event_id)

    def deliver_webhook(
        self,
        url: str,
        event: dict,
        *,
        secret: str | None = None,
        tamper: bool = False,
        signature: str | None = "sign",
    ) -> tuple[int, str]:
        """POST ``event`` to the app; returns (status, body). ``tamper`` changes the body
        after signing; ``signature=None`` sends no Stripe-Signature header."""
        payload = json.dumps(event, separators=(",", ":"))
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
        if signature == "sign":
            headers["Stripe-Signature"] = sign(payload, secret or self.webhook_secret)
        elif signature is not None:
            headers["Stripe-Signature"] = signature
        if tamper:
            payload = payload.replace('"amount_total":', '"amount_total":1', 1)
        request = urllib.request.Request(url, data=payload.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    # -- the API ---------------------------------------------------------------------
    def _take_failure(self) -> str | None:
        with self._lock:
            while self._failures and self._failures[0].remaining <= 0:
                self._failures.pop(0)
            if not self._failures:
                return None
            self._failures[0].remaining -= 1
            return self._failures[0].kind

    def _create_session(self, params: dict) -> tuple[int, dict]:
        for required in ("mode", "success_url", "line_items"):
            if not params.get(required):
                return 400, _error(f"Missing required param: {required}.", param=required)
        if params["mode"] != "payment":
            return 400, _error("This fake only supports mode=payment.", param="mode")
        if "{CHECKOUT_SESSION_ID}" not in params["success_url"]:
            return 400, _error("success_url should carry {CHECKOUT_SESSION_ID}", param="success_url")
        try:
            item = params["line_items"][0]
            quantity = int(item.get("quantity", "1"))
            price = item["price_data"]
            unit_amount = int(price["unit_amount"])
            currency = price["currency"]
            name = price["product_data"]["name"]
        except (KeyError, IndexError, TypeError, ValueError):
            return 400, _error("Invalid line_items[0][price_data].", param="line_items")
        if unit_amount <= 0 or currency != currency.lower() or len(currency) != 3:
            return 400, _error("Invalid unit_amount or currency.", param="line_items[0][price_data]")
        now = int(time.time())
        session_id = f"cs_test_{secrets.token_hex(16)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": unit_amount * quantity,
            "amount_total": unit_amount * quantity,
            "currency": currency,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "customer_details": {"email": params.get("customer_email")},
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "created": now,
            "expires_at": int(params.get("expires_at") or now + SESSION_LIFETIME),
            "livemode": False,
            "url": f"{self.base_url}/checkout/{session_id}",
            "_product_name": name,
        }
        self.sessions[session_id] = session
        return 200, session

    def handle_api(self, method: str, path: str, params: dict, headers) -> tuple[int, dict | None]:
        """One API request; (status, body) or (0, None) to drop the connection."""
        key = headers.get("Idempotency-Key")
        entry = LoggedRequest(method, path, params, key)
        with self._lock:
            self.log.append(entry)
        failure = self._take_failure()
        if failure == "drop":
            return 0, None
        if failure == "500":
            entry.status = 500
            return 500, {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}
        authorization = headers.get("Authorization", "")
        if failure == "401" or authorization != f"Bearer {self.api_key}":
            entry.status = 401
            shown = authorization.removeprefix("Bearer ")[-4:]
            return 401, _error(f"Invalid API Key provided: sk_test_****{shown}")
        with self._lock:
            status, body = self._route(method, path, params, key)
        entry.status = status
        if failure == "drop_after":
            entry.status = 0
            return 0, None
        return status, _public(body)

    def _route(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/checkout/sessions":
            if key and key in self._idempotent:
                seen_params, seen_session = self._idempotent[key]
                if seen_params != params:
                    return 400, _error(
                        "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                        kind="idempotency_error",
                    )
                return 200, self.sessions[seen_session["id"]]
            status, body = self._create_session(params)
            if status == 200 and key:
                self._idempotent[key] = (params, body)
            return status, body
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)/expire", path)
        if method == "POST" and match:
            session = self.sessions.get(match.group(1))
            if session is None:
                return 404, _error(f"No such checkout.session: '{match.group(1)}'", param="session", code="resource_missing")
            if session["status"] != "open":
                return 400, _error(f"Only Checkout Sessions with a status of `open` can be expired; this one is {session['status']}.")
            session.update(status="expired")
            return 200, session
        if method == "GET" and path == "/v1/balance":  # Settings' "Test connection"
            return 200, {"object": "balance", "available": [], "pending": [], "livemode": False}
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)
        if method == "GET" and match:
            session = self.sessions.get(match.group(1))
            if session is None:
                return 404, _error(
                    f"No such checkout.session: '{match.group(1)}'", param="session", code="resource_missing"
                )
            return 200, session
        return 404, _error(f"Unrecognized request URL ({method}: {path}).")


def _error(message: str, *, kind: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> dict:
    error = {"type": kind, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    return {"error": error}


def _public(body: dict) -> dict:
    return {k: v for k, v in body.items() if not k.startswith("_")}


def _checkout_page(session: dict) -> str:
    amount = f"{session['currency'].upper()} {session['amount_total'] / 100:,.2f}"  # display only
    name = html.escape(session.get("_product_name", ""))
    if session["status"] != "open":
        body = f"<p id='fake-checkout-closed'>This checkout session is {html.escape(session['status'])}.</p>"
    else:
        body = (
            f"<form method='post' action='/checkout/{session['id']}/pay'>"
            f"<button id='fake-pay' type='submit'>Pay {amount}</button></form>"
            f"<a id='fake-cancel' href='{html.escape(session.get('cancel_url') or '/')}'>Cancel</a>"
        )
    return (
        "<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>"
        f"<h1 id='fake-checkout-product'>{name}</h1><p id='fake-checkout-amount'>{amount}</p>"
        f"<p id='fake-checkout-email'>{html.escape(session.get('customer_email') or '')}</p>{body}</body></html>"
    )


def _handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            return

        def _body(self) -> str:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode() if length else ""

        def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _api(self, method: str) -> None:
            url = urlsplit(self.path)
            params = decode_form(self._body() if method == "POST" else url.query)
            status, body = fake.handle_api(method, url.path, params, self.headers)
            if body is None:  # dropped: close without an answer
                self.close_connection = True
                return
            self._send(status, json.dumps(body).encode(), "application/json", {"Request-Id": f"req_{secrets.token_hex(8)}"})

        def _page(self, method: str) -> None:
            match = re.fullmatch(r"/checkout/([^/]+)(/pay)?", urlsplit(self.path).path)
            session = fake.sessions.get(match.group(1)) if match else None
            if method == "POST":
                self._body()
            if session is None:
                self._send(404, b"No such checkout session", "text/plain")
            elif method == "POST" and match.group(2):
                paid = fake.pay(session["id"])
                if paid["status"] != "complete":
                    self._send(409, _checkout_page(paid).encode(), "text/html; charset=utf-8")
                    return
                target = paid["success_url"].replace("{CHECKOUT_SESSION_ID}", paid["id"])
                self._send(303, b"", "text/plain", {"Location": target})
            else:
                self._send(200, _checkout_page(session).encode(), "text/html; charset=utf-8")

        def do_GET(self):
            (self._api if self.path.startswith("/v1/") else self._page)("GET")

        def do_POST(self):
            (self._api if self.path.startswith("/v1/") else self._page)("POST")

    return Handler
