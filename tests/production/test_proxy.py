"""deploy/nginx.conf in front of `make serve`: pages, the event websocket (an HTTP Upgrade) and
the webhook endpoint all pass through the proxy."""

from __future__ import annotations

import asyncio
import http.client
import ssl
import urllib.error
import urllib.request

import socketio


async def _connect_websocket(url: str) -> str:
    client = socketio.AsyncClient(reconnection=False)
    try:  # Reflex's socket.io endpoint, websocket transport only (as the browser connects)
        await client.connect(url, socketio_path="/_event", transports=["websocket"], wait_timeout=30)
        return client.transport()
    finally:
        await client.disconnect()


def test_a_page_and_the_event_websocket_load_through_nginx(production_app):
    with urllib.request.urlopen(production_app.url + "/login", timeout=30) as response:
        page = response.read().decode()
        assert response.status == 200
    assert "<title>" in page and "Invoice CRM" in page

    assert asyncio.run(_connect_websocket(production_app.url)) == "websocket"
    access_log = (production_app.proxy.directory / "access.log").read_text()
    assert '"GET /_event/?' in access_log and '" 101 ' in access_log  # the upgrade went through nginx

    request = urllib.request.Request(production_app.url + "/api/stripe/webhook", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("an unsigned webhook must be refused")
    except urllib.error.HTTPError as err:
        assert err.code == 400  # reached the app through the proxy, and refused there


def _get(host: str, port: int, path: str, tls: bool = False, **headers: str) -> http.client.HTTPResponse:
    if tls:
        connection = http.client.HTTPSConnection(host, port, timeout=30, context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_a_slashless_page_behind_the_tls_proxy_redirects_to_https(production_app):
    proxy = production_app.proxy
    response = _get("127.0.0.1", proxy.tls_port, "/login", tls=True)
    assert response.status == 307
    assert response.getheader("location") == f"{proxy.tls_url}/login/"  # not http:// on the TLS port
    assert _get("127.0.0.1", proxy.tls_port, "/login/", tls=True).status == 200

    # The app itself keeps the scheme its trusted proxy reports, whatever the proxy's config.
    app_port = int(production_app.direct_url.rsplit(":", 1)[1])
    direct = _get("127.0.0.1", app_port, "/clients", Host="invoices.example.com", **{"X-Forwarded-Proto": "https"})
    assert direct.getheader("location") == "https://invoices.example.com/clients/"


def test_start_up_prints_the_sign_in_page_itself_and_no_false_schema_warning(production_app):
    log = production_app.log.read_text()
    assert f"Sign in at {production_app.env['APP_URL']}/login/\n" in log
    assert "Detected database schema changes" not in log and "schema differs" not in log
