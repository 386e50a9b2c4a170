"""Behind a TLS proxy (TRUSTED_PROXY_HOPS > 0) the backend's own redirects keep https: the
built pages are served as Reflex serves them (StaticFiles, html=True), where /login answers
307 to /login/ built from the request's scheme."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from invoice_crm.api.forwarded import ForwardedProto
from tests.support.events import run


@pytest.fixture
def pages(tmp_path) -> Starlette:
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text("<title>Sign in</title>")
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=tmp_path, html=True))])


def _location(app, **headers) -> str:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://invoices.example.com") as client:
            return await client.get("/login", headers=headers, follow_redirects=False)

    response = run(get())  # its own loop: in a full run Playwright's sync API holds this thread's
    assert response.status_code == 307
    return response.headers["location"]


def test_a_redirect_behind_a_trusted_tls_proxy_keeps_https(pages):
    app = ForwardedProto(pages, trusted_hops=1)
    assert _location(app, **{"X-Forwarded-Proto": "https"}) == "https://invoices.example.com/login/"
    assert _location(app, **{"X-Forwarded-Proto": "http"}) == "http://invoices.example.com/login/"
    assert _location(app) == "http://invoices.example.com/login/"


def test_without_a_trusted_proxy_the_header_is_the_clients_and_ignored(pages):
    app = ForwardedProto(pages, trusted_hops=0)
    assert _location(app, **{"X-Forwarded-Proto": "https"}) == "http://invoices.example.com/login/"
