"""deploy/nginx.conf in front of `make serve`: pages, the event websocket (an HTTP Upgrade) and
the webhook endpoint all pass through the proxy."""

from __future__ import annotations

import asyncio
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
