"""The running app (`make run`) as someone on the network meets it: security headers on
pages and endpoints, only APP_URL's origin for HTTP and the websocket, bounded bodies on
every endpoint, sign-in throttling through the form, private state files; and the pages
still work under the Content-Security-Policy."""

from __future__ import annotations

import http.client
import re
import socket
import stat
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

ROOT = Path(__file__).resolve().parents[2]
EVIL = "http://evil.example"


def _get(url: str, headers: dict | None = None) -> http.client.HTTPResponse:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(request, timeout=20)
    except urllib.error.HTTPError as err:
        return err


@pytest.mark.parametrize("path", ["/", "/login", "/pay/unknown-token", "/ping"])
def test_pages_and_endpoints_send_security_headers(app_url, path):
    response = _get(app_url + path)
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_build_files_are_kept_by_the_browser_and_pages_are_not(app_url):
    """The JavaScript and styles of a build are named by their content: a returning tab takes
    them from its cache. The pages themselves (and what they point to) are asked for again."""
    page = _get(app_url + "/login")
    html = page.read().decode()
    assert "immutable" not in (page.headers.get("Cache-Control") or "")
    scripts = re.findall(r'"(/assets/[^"]+\.js)"', html)
    assert scripts, "the page names its build files"
    for path in scripts[:3]:
        answer = _get(app_url + path)
        assert answer.status == 200
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    missing = _get(app_url + "/assets/no-such-file-0000.js")
    assert "immutable" not in (missing.headers.get("Cache-Control") or "")


def test_the_webhook_answers_with_the_headers_too(app_url):
    parts = urlsplit(app_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    conn.request("POST", "/api/stripe/webhook", body=b"{}", headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 400 and response.getheader("X-Frame-Options") == "DENY"
    conn.close()


def test_cors_allows_only_the_apps_own_origin(app_url):
    own = f"{urlsplit(app_url).scheme}://{urlsplit(app_url).netloc}"
    assert _get(app_url + "/ping", {"Origin": own}).headers.get("Access-Control-Allow-Origin") == own
    assert _get(app_url + "/ping", {"Origin": EVIL}).headers.get("Access-Control-Allow-Origin") is None
    preflight = urllib.request.Request(
        app_url + "/api/stripe/webhook", method="OPTIONS",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    try:
        answer = urllib.request.urlopen(preflight, timeout=20)
    except urllib.error.HTTPError as err:
        answer = err
    assert answer.headers.get("Access-Control-Allow-Origin") != EVIL
    assert answer.headers.get("Access-Control-Allow-Origin") != "*"


def _websocket_handshake(app_url: str, origin: str) -> str:
    parts = urlsplit(app_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
        sock.sendall(
            (
                "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        return sock.recv(4096).decode(errors="replace")


def test_the_websocket_refuses_other_origins(app_url):
    own = f"{urlsplit(app_url).scheme}://{urlsplit(app_url).netloc}"
    assert " 101 " in _websocket_handshake(app_url, own).splitlines()[0]
    refused = _websocket_handshake(app_url, EVIL)
    assert " 101 " not in refused.splitlines()[0] if refused else True


def test_the_app_opened_at_127_0_0_1_works_like_localhost(app_url, page):
    """The default APP_URL says localhost; a browser opening 127.0.0.1 (the same machine) gets
    a working app, not a page whose websocket is refused: it signs in and shows the invoices."""
    assert urlsplit(app_url).hostname == "localhost"
    loopback = app_url.replace("localhost", "127.0.0.1")
    assert " 101 " in _websocket_handshake(loopback, loopback).splitlines()[0]
    sign_in(page, loopback)  # by label and role; waits for the invoice rows
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/_upload", "/api/stripe/webhook", "/invoices/1"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_every_endpoint_refuses_large_bodies(app_url, path, chunked):
    parts = urlsplit(app_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("POST", path)
    size = 2 * 1024 * 1024
    conn.putheader("Transfer-Encoding", "chunked") if chunked else conn.putheader("Content-Length", str(size))
    conn.endheaders()
    chunk = b"x" * 65536
    try:
        for _ in range(size // len(chunk)):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            conn.send(b"0\r\n\r\n")
    except OSError:
        pass
    assert conn.getresponse().status == 413
    conn.close()


def test_pages_work_under_the_content_security_policy(page, app_url):
    """Sign in, open an invoice, see a server-sent toast: nothing blocked by the CSP."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    sign_in(page, app_url)
    page.locator(".invoice-row a").first.click()
    expect(page.locator("#invoice-number")).to_be_visible()
    page.goto(app_url + "/clients")
    expect(page.locator(".client-row").first).to_be_visible()
    assert violations == []


def test_sign_in_form_throttles_guessing_without_naming_the_account(page, app_url):
    """The form's answers for an unknown email: wrong, then slowed; never which email exists."""
    page.goto(app_url + "/login")
    for attempt in range(4):
        page.get_by_label("Email").fill("nobody-here@example.com")
        page.get_by_label("Password").fill("a-wrong-guess")
        page.get_by_role("button", name="Sign in").click()
        if attempt == 0:
            expect(page.locator("#login-error")).to_contain_text("Email or password is wrong")
        page.wait_for_timeout(500)
    error = page.locator("#login-error")
    expect(error).to_contain_text("Too many attempts from your address", timeout=20_000)
    assert "nobody-here" not in error.inner_text()


@pytest.mark.parametrize("next_", ["%2F%09%2Fevil.example%2Fx", "%2F%0A%2Fevil.example%2Fx"])
def test_a_sign_in_link_whose_next_the_browser_reads_as_another_site_leads_to_the_dashboard(page, app_url, next_):
    """QA: after a correct password the owner stayed on the sign-in page, with nothing said
    ("External navigation is not allowed" in the console): the browser drops the tab of
    "/<tab>/evil.example/x", which gives "//evil.example/x"."""
    page.goto(f"{app_url}/login?next={next_}")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(app_url + "/", timeout=30_000)
    expect(page.locator(".invoice-row").first).to_be_visible(timeout=30_000)


def test_state_files_are_private(signed_in):
    states = ROOT / ".states"
    assert states.is_dir()
    assert stat.S_IMODE(states.stat().st_mode) == 0o700
    files = [p for p in states.rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_account_page_changes_the_password_only_with_the_current_one(signed_in, app_url):
    page = signed_in
    page.locator("#account-link").click()
    page.wait_for_url("**/account**")
    # The same form as Settings -> Account: the refusal is said beside its field.
    current = page.get_by_label("Current password")
    current.fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("brand-new-pass-1")
    page.get_by_label("Repeat the new password").fill("brand-new-pass-1")
    page.get_by_role("button", name="Change password").click()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + current.get_attribute("aria-describedby"))).to_contain_text("current password is wrong")
    expect(page.get_by_label("New password", exact=True)).to_have_value("brand-new-pass-1")  # nothing typed is lost


def test_signing_out_in_one_tab_takes_the_others_off_their_page(page, app_url):
    """QA: after Sign out in one tab, another kept showing a client's address and balance until
    it was clicked. It goes to the sign-in page by itself, and back to its page after signing in."""
    sign_in(page, app_url)
    page.goto(app_url + "/clients")
    page.locator(".client-row").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    client_page = page.url
    other = page.context.new_page()
    other.goto(app_url + "/")
    other.locator(".invoice-row").first.wait_for()
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url(re.compile(r".*/login/?(\?.*)?$"))

    page.wait_for_url(re.compile(r".*/login/?\?next=%2Fclients%2F\d+$"), timeout=10_000)
    page.locator("#email").fill("owner@example.com")
    page.locator("#password").fill("e2e-password-123")
    page.locator("#sign-in").click()
    page.wait_for_url(client_page)
