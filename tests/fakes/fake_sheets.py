"""A fake Google Sheets API: a real HTTP server on 127.0.0.1 that google-api-python-client
and google-auth talk to unmodified.

It serves the OAuth token endpoint (the JWT-bearer grant of a service account: the
assertion's RS256 signature is checked against the generated key's public half) and the
``spreadsheets.values`` methods get / update / append / batchUpdate / clear with the v4 URL
shapes and JSON bodies, keeping the cells in memory. USER_ENTERED input is parsed roughly as
Sheets does: numbers and ISO dates become numbers and dates, a leading apostrophe keeps text
as text, ``=`` starts a formula (stored, not evaluated).

Switches for tests: fail a fraction of the values requests (500/503/429), fail the next N
requests with given statuses, hold each response after the change is applied (so a client
with a shorter timeout gives up on a write that did happen), and sort / insert / delete rows
as a freelancer would. Every request is logged, so tests can count write requests.
"""

from __future__ import annotations

import base64
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.sheet_cells import (
    Area,
    RangeError,
    cell_at,
    pad,
    parse_a1,
    raw,
    render,
    set_cell,
    sort_key,
    trim,
    trim_rendered,
    user_entered,
)

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # what google-auth puts in "aud"
WRITE_OPS = frozenset({"update", "append", "batchUpdate", "clear"})
TIMEOUT = "timeout"  # a failure mode: the request is carried out, its answer comes too late
ERRORS = {
    400: ("INVALID_ARGUMENT", "Invalid request."),
    401: ("UNAUTHENTICATED", "Request had invalid authentication credentials."),
    404: ("NOT_FOUND", "Requested entity was not found."),
    429: ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Write requests' per minute per user."),
    500: ("INTERNAL", "Internal error encountered."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or ERRORS.get(status, ("", "Error"))[1])
        self.status = status


# --- the spreadsheet -----------------------------------------------------------------------


@dataclass
class RequestRecord:
    method: str
    op: str
    range: str
    status: int
    late: bool = False  # carried out, but answered after the client had given up


class FakeSheets:
    """One spreadsheet with tabs of cells, served over HTTP. Start with ``start()``."""

    def __init__(self, spreadsheet_id: str = "fake-spreadsheet", tab: str = "Invoices") -> None:
        self.spreadsheet_id = spreadsheet_id
        self.default_tab = tab
        self.tabs: dict[str, list[list]] = {tab: []}
        self.public_keys: dict[str, rsa.RSAPublicKey] = {}  # client_email -> key
        self.tokens: set[str] = set()
        self.log: list[RequestRecord] = []
        self.failure_rate = 0.0
        self.failure_statuses: tuple[int, ...] = (500,)
        self.fail_next: list = []  # statuses (or TIMEOUT) for the next values requests, in order
        self.response_delay = 0.0
        self.late_answer_seconds = 3.0  # how late a TIMEOUT failure answers
        self._rng = random.Random(1234)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeSheets:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-sheets", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "call start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def trust_key(self, client_email: str, public_key: rsa.RSAPublicKey) -> None:
        self.public_keys[client_email] = public_key

    def reset(self) -> None:
        """Empty sheet, no failures, empty log (tokens and trusted keys stay)."""
        with self._lock:
            self.tabs = {self.default_tab: []}
            self.log.clear()
            self.failure_rate = 0.0
            self.failure_statuses = (500,)
            self.fail_next = []
            self.response_delay = 0.0
            self.late_answer_seconds = 3.0
            self._rng = random.Random(1234)

    # -- switches -------------------------------------------------------------------------

    def fail_randomly(self, rate: float, statuses: tuple = (500, 429), seed: int = 1234) -> None:
        """Fail this fraction of values requests, each with one of ``statuses`` (an HTTP
        status, or TIMEOUT: carried out, but answered after ``late_answer_seconds``)."""
        with self._lock:
            self.failure_rate, self.failure_statuses = rate, statuses
            self._rng = random.Random(seed)

    def recover(self) -> None:
        with self._lock:
            self.failure_rate, self.fail_next, self.response_delay = 0.0, [], 0.0

    # -- what a freelancer does to the sheet -------------------------------------------------

    def sort_rows(self, column: int = 0, reverse: bool = False, header: bool = True, tab: str | None = None) -> None:
        """Sort the rows below the header by one column (as Data > Sort range does)."""
        with self._lock:
            grid = self.tabs[tab or self.default_tab]
            start = 1 if header else 0
            body = [row for row in grid[start:] if any(c is not None for c in row)]
            body.sort(key=lambda row: sort_key(row[column] if column < len(row) else None), reverse=reverse)
            grid[start:] = body

    def insert_rows(self, at_row: int, rows: list[list], tab: str | None = None) -> None:
        """Insert rows before the 1-based ``at_row`` (values as USER_ENTERED)."""
        with self._lock:
            grid = self.tabs[tab or self.default_tab]
            while len(grid) < at_row - 1:
                grid.append([])
            grid[at_row - 1 : at_row - 1] = [[user_entered(v) for v in row] for row in rows]

    def delete_rows(self, at_row: int, count: int = 1, tab: str | None = None) -> None:
        with self._lock:
            del self.tabs[tab or self.default_tab][at_row - 1 : at_row - 1 + count]

    # -- reading the cells back -------------------------------------------------------------

    def cells(self, tab: str | None = None) -> list[list]:
        """The stored cells, typed (str, Decimal, date, bool, Formula, None), trailing blanks trimmed."""
        with self._lock:
            return trim([list(row) for row in self.tabs[tab or self.default_tab]])

    def data_rows(self, tab: str | None = None) -> list[list]:
        """Rows below the header that are not blank."""
        return [row for row in self.cells(tab)[1:] if any(c is not None for c in row)]

    def count(self, ops=WRITE_OPS, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.log if r.op in ops and (status is None or r.status == status))

    @property
    def late_answers(self) -> int:
        with self._lock:
            return sum(1 for r in self.log if r.late)

    @property
    def write_requests(self) -> int:
        return self.count(WRITE_OPS)

    # -- request handling ---------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, dict, float]:
        """Returns (status, JSON body, seconds to wait before answering)."""
        if method == "POST" and path == "/token":
            return self._token(body)
        match = re.fullmatch(r"/v4/spreadsheets/([^/]+)/values(?::(batchUpdate)|/([^/]+?)(?::(append|clear))?)", path)
        if not match:
            return _error(404, f"No such method: {method} {path}")
        sheet_id, batch, a1, action = match.groups()
        op = batch or action or {"GET": "get", "PUT": "update"}.get(method, "?")
        a1 = unquote(a1 or "")
        with self._lock:
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            failure = self._pick_failure() if token in self.tokens else 401
            if isinstance(failure, int):
                status, payload = _error(failure)
            else:
                status, payload = self._dispatch(method, op, sheet_id, a1, query, body)
            self.log.append(RequestRecord(method, op, a1, status, late=failure == TIMEOUT))
        delay = self.late_answer_seconds if failure == TIMEOUT else self.response_delay
        return status, payload, delay if status < 400 else 0.0

    def _pick_failure(self):
        if self.fail_next:
            return self.fail_next.pop(0)
        if self.failure_rate and self._rng.random() < self.failure_rate:
            return self._rng.choice(self.failure_statuses)
        return None

    def _dispatch(self, method, op, sheet_id, a1, query, body) -> tuple[int, dict]:
        if sheet_id != self.spreadsheet_id:
            return _error(404)
        expected = {"get": "GET", "update": "PUT"}.get(op, "POST")
        if method != expected:
            return _error(404, f"No such method: {method} {op}")
        try:
            data = json.loads(body or b"{}", parse_float=Decimal)
            return 200, getattr(self, f"_op_{op}")(a1, query, data)
        except ApiError as err:
            return _error(err.status, str(err))
        except RangeError as err:
            return _error(400, str(err))

    def _token(self, body: bytes) -> tuple[int, dict, float]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER:
            return 400, {"error": "unsupported_grant_type"}, 0.0
        try:
            claims = self._verify_assertion(form.get("assertion", ""))
        except (ValueError, InvalidSignature) as err:
            return 400, {"error": "invalid_grant", "error_description": str(err) or "Invalid JWT Signature."}, 0.0
        if SHEETS_SCOPE not in claims.get("scope", "").split():
            return 400, {"error": "invalid_scope", "error_description": "The spreadsheets scope is required."}, 0.0
        token = "fake-access-" + secrets.token_urlsafe(16)
        with self._lock:
            self.tokens.add(token)
            self.log.append(RequestRecord("POST", "token", "", 200))
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}, 0.0

    def _verify_assertion(self, assertion: str) -> dict:
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header, claims = json.loads(_b64(header_b64)), json.loads(_b64(claims_b64))
        except (ValueError, json.JSONDecodeError):
            raise ValueError("Malformed JWT assertion.") from None
        if header.get("alg") != "RS256":
            raise ValueError("Only RS256 assertions are accepted.")
        key = self.public_keys.get(claims.get("iss", ""))
        if key is None:
            raise ValueError("Unknown service account.")
        key.verify(
            _b64(signature_b64), f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        now = time.time()
        if claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, self.token_uri):
            raise ValueError("Invalid JWT audience.")
        if not claims.get("iat", 0) - 300 <= now < claims.get("exp", 0):
            raise ValueError("Invalid JWT: token must be a short-lived token and in a reasonable timeframe.")
        return claims

    # -- the values methods -------------------------------------------------------------------

    def _grid(self, area: Area) -> list[list]:
        if area.tab not in self.tabs:
            raise ApiError(400, f"Unable to parse range: {area.tab}")
        return self.tabs[area.tab]

    def _op_get(self, a1: str, query: dict, _data) -> dict:
        area = parse_a1(a1, self.default_tab)
        grid = self._grid(area)
        value_render = query.get("valueRenderOption", "FORMATTED_VALUE")
        date_render = query.get("dateTimeRenderOption", "SERIAL_NUMBER")
        r0, c0 = area.row0 or 0, area.col0 or 0
        r1 = area.row1 if area.row1 is not None else len(grid) - 1
        width = max((len(row) for row in grid), default=0)
        c1 = area.col1 if area.col1 is not None else width - 1
        values = trim([
            [cell_at(grid, r, c) for c in range(c0, c1 + 1)] for r in range(r0, min(r1, len(grid) - 1) + 1)
        ])
        rendered = [[render(c, value_render, date_render) for c in row] for row in values]
        if query.get("majorDimension") == "COLUMNS":
            rendered = trim_rendered([list(col) for col in zip(*pad(rendered), strict=True)])
        result = {"range": area.a1(), "majorDimension": query.get("majorDimension", "ROWS")}
        if rendered:
            result["values"] = rendered
        return result

    def _write(self, area: Area, values: list[list], input_option: str, *, fit: bool = True) -> dict:
        parse = {"USER_ENTERED": user_entered, "RAW": raw}.get(input_option)
        if parse is None:
            raise ApiError(400, "Invalid valueInputOption: must be RAW or USER_ENTERED")
        grid = self._grid(area)
        r0, c0 = area.row0 or 0, area.col0 or 0
        if fit and area.row1 is not None and r0 + len(values) - 1 > area.row1:
            raise ApiError(400, f"Requested writing within range [{area.a1()}], but tried writing to row [{r0 + len(values)}]")
        if fit and area.col1 is not None and any(c0 + len(row) - 1 > area.col1 for row in values):
            raise ApiError(400, f"Requested writing within range [{area.a1()}], but tried writing to more columns")
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                set_cell(grid, r0 + i, c0 + j, parse(value))
        cols = max((len(row) for row in values), default=0)
        return {
            "spreadsheetId": self.spreadsheet_id,
            "updatedRange": area.a1(rows=len(values), cols=cols),
            "updatedRows": len(values),
            "updatedColumns": cols,
            "updatedCells": sum(len(row) for row in values),
        }

    def _op_update(self, a1: str, query: dict, data: dict) -> dict:
        area = parse_a1(a1, self.default_tab)
        return self._write(area, data.get("values", []), query.get("valueInputOption", ""))

    def _op_batchUpdate(self, _a1: str, _query: dict, data: dict) -> dict:
        option = data.get("valueInputOption", "")
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, "Invalid valueInputOption: must be RAW or USER_ENTERED")
        areas = [(parse_a1(item["range"], self.default_tab), item.get("values", [])) for item in data.get("data", [])]
        for area, _values in areas:  # validate every range before writing any (the call is atomic)
            self._grid(area)
        responses = [self._write(area, values, option) for area, values in areas]
        return {
            "spreadsheetId": self.spreadsheet_id,
            "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
            "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
            "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
            "totalUpdatedSheets": len({a.tab for a, _ in areas}),
            "responses": responses,
        }

    def _op_append(self, a1: str, query: dict, data: dict) -> dict:
        area = parse_a1(a1, self.default_tab)
        grid = self._grid(area)
        c0 = area.col0 or 0
        c1 = area.col1 if area.col1 is not None else max((len(row) for row in grid), default=1) - 1
        last = -1  # the table ends at the last row with anything in the range's columns
        for r in range(len(grid)):
            if any(cell_at(grid, r, c) is not None for c in range(c0, c1 + 1)):
                last = r
        table = Area(area.tab, 0, c0, max(last, 0), c1)
        start = max(last + 1, area.row0 or 0)
        values = data.get("values", [])
        if query.get("insertDataOption", "OVERWRITE") == "INSERT_ROWS":
            while len(grid) < start:
                grid.append([])
            grid[start:start] = [[] for _ in values]
        updates = self._write(Area(area.tab, start, c0, None, None), values, query.get("valueInputOption", ""), fit=False)
        return {"spreadsheetId": self.spreadsheet_id, "tableRange": table.a1(), "updates": updates}

    def _op_clear(self, a1: str, _query: dict, _data) -> dict:
        area = parse_a1(a1, self.default_tab)
        grid = self._grid(area)
        r1 = area.row1 if area.row1 is not None else len(grid) - 1
        for r in range(area.row0 or 0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            c1 = area.col1 if area.col1 is not None else len(row) - 1
            for c in range(area.col0 or 0, min(c1, len(row) - 1) + 1):
                row[c] = None
        return {"spreadsheetId": self.spreadsheet_id, "clearedRange": area.a1()}


# --- helpers ---------------------------------------------------------------------------------


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _error(status: int, message: str | None = None) -> tuple[int, dict]:
    name, default = ERRORS.get(status, ("UNKNOWN", "Error"))
    return status, {"error": {"code": status, "message": message or default, "status": name}}


def _handler_for(fake: FakeSheets) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, payload, delay = fake.handle(self.command, parts.path, query, self.headers, body)
            if delay:
                time.sleep(delay)  # the change is made; the answer is late (a client timeout)
            data = json.dumps(payload, default=str).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format, *args) -> None:  # keep test output quiet
            pass

    return Handler
