"""Driving the app's state in process as its owner: ``owner_app`` (the Reflex app, with an owner
account made; tests/integration/conftest.py offers it as the ``app`` fixture) and ``signed_in``
(a tab signed in as that owner), for tests that send events through
tests/support/events.EventRunner."""

from __future__ import annotations

from invoice_crm.services import auth
from tests.support.events import EventRunner, form

OWNER, PASSWORD = "owner@example.com", "correct horse"


def owner_app():
    from invoice_crm.invoice_crm import app

    auth.create_user(OWNER, PASSWORD)
    return app


async def signed_in(runner: EventRunner, token: str = "t") -> str:
    from invoice_crm.state.auth import AuthState

    await runner.send(token, AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
    return token


async def invoice_page(runner: EventRunner, invoice_id: int, token: str = "t"):
    """The invoice page's state as a signed-in tab that opened /invoices/<id> sees it."""
    from invoice_crm.state.invoice_page import InvoicePageState

    await signed_in(runner, token)
    await runner.send(token, InvoicePageState.on_load, f"/invoices/{invoice_id}")
    return await runner.state(token, InvoicePageState)
