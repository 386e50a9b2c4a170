"""Sign-in state. Every protected state inherits from ``AuthState`` and checks the session
on the server in each handler that reads or changes data."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from urllib.parse import quote, urlsplit

import reflex as rx

from invoice_crm.domain.errors import DomainError
from invoice_crm.services import auth

LOGIN_ROUTE = "/login"
# A sign-in's error stays this long when the login page loads again: a socket that reconnects
# (a busy network, a laptop waking up) runs the page's on_load again, and the answer to the
# click just made must not vanish with it. A later visit starts without it.
KEEP_LOGIN_ERROR_SECONDS = 30.0


def safe_next_path(target: object) -> str:
    """``target`` when it is a path of this site, else "/": never an open redirect, nor a
    path the browser would read as another site's ("//host", "/\\host"). Browsers drop tabs
    and line breaks from a URL ("/%09/host" is "//host"), so a target with any whitespace or
    control character is refused too, as is one with a scheme or a host."""
    if not isinstance(target, str) or not target.startswith("/") or "\\" in target:
        return "/"
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return "/"
    return target


class AuthState(rx.State):
    auth_token: str = rx.LocalStorage("", name="invoice_crm_session", sync=True)
    user_email: str = ""
    has_owner: bool = True
    login_error: str = ""
    signing_in: bool = False
    _login_error_at: float = 0.0  # backend only: when login_error was set

    def _current_user(self) -> str | None:
        email = auth.user_for_token(self.auth_token)
        if self.user_email != (email or ""):  # unchanged: nothing to send with the event's update
            self.user_email = email or ""
        return email

    def _redirect_to_login(self):
        """To /login, which comes back here after signing in: the path and its query (a
        bookmarked, filtered list keeps its filters), encoded as one parameter."""
        url = self.router.url
        path = url.path or "/"
        target = path + (f"?{url.query}" if url.query else "")
        if path.rstrip("/") == LOGIN_ROUTE or target == "/":
            return rx.redirect(LOGIN_ROUTE)
        return rx.redirect(f"{LOGIN_ROUTE}?next={quote(target, safe='/')}")

    @rx.event
    def load_login_page(self):
        if time.monotonic() - self._login_error_at > KEEP_LOGIN_ERROR_SECONDS:
            self.login_error = ""
        self.has_owner = auth.has_users()
        if self._current_user() is not None:
            return rx.redirect(self._next_path())

    def _show_login_error(self, message: str) -> None:
        self.login_error, self._login_error_at = message, time.monotonic()

    def _client_address(self) -> str:
        """The browser's address as Reflex saw it (X-Forwarded-For only with TRUSTED_PROXY_HOPS)."""
        return self.router.session.client_ip or ""

    def _next_path(self) -> str:
        return safe_next_path(self.router.url.query_parameters.get("next", "/"))

    async def _start_session(self, form: dict):
        try:
            token = await asyncio.to_thread(
                auth.sign_in, form.get("email", ""), form.get("password", ""), self._client_address()
            )
        except DomainError as err:
            self._show_login_error(err.message)
            return None
        self.auth_token = token
        self._current_user()
        return rx.redirect(self._next_path())

    @rx.event
    async def sign_in(self, form: dict):
        self.signing_in = True
        self.login_error = ""
        yield
        redirect = await self._start_session(form)
        self.signing_in = False
        yield redirect

    @rx.event
    async def create_owner(self, form: dict):
        self.login_error = ""
        if form.get("password") != form.get("confirm"):
            self._show_login_error("The two passwords differ")
            return
        try:
            await asyncio.to_thread(
                auth.create_owner,
                form.get("email", ""),
                form.get("password", ""),
                form.get("setup_code", ""),
                self._client_address(),
            )
        except DomainError as err:
            self._show_login_error(err.message)
            return
        self.has_owner = True
        yield await self._start_session(form)

    @rx.event
    def sign_out(self):
        auth.sign_out(self.auth_token)
        self.auth_token = ""
        self.user_email = ""
        return rx.redirect(LOGIN_ROUTE)
