"""A hydrate (Reflex's own event on every websocket connect) sends a tab all its states hold.
Without a valid session it must send none of the data a signed-in page loaded: QA replayed a
browser's client token after Sign out and got the last client's address and invoice back."""

from __future__ import annotations

import json

from invoice_crm.services import auth
from tests.integration.helpers import make_client, make_invoice
from tests.integration.owner_events import OWNER, PASSWORD, invoice_page
from tests.support.events import EventRunner, run


def _hydrate(runner: EventRunner, tab: str, vars: dict):
    from reflex.state import State

    return runner.send(tab, State.hydrate_and_load, "/invoices/1", vars=vars, hashes=None)


def _said(updates) -> str:
    return json.dumps([getattr(u, "delta", u) for u in updates], default=str)


def test_a_hydrate_without_a_session_sends_nothing_a_signed_in_page_loaded(app):
    from invoice_crm.state.auth import AuthState

    client = make_client("Secretive Studio", "private@secret.example")
    invoice = make_invoice(client.id, lines=[{"description": "Work", "quantity": "1", "unit_price": "4321.00"}])
    key = f"{AuthState.get_full_name()}.auth_token"

    async def scenario():
        async with EventRunner(app) as runner:
            page = await invoice_page(runner, invoice.id, "tab")
            assert page.invoice["client"] == "Secretive Studio"
            token = (await runner.state("tab", AuthState)).auth_token
            signed_in = _said(await _hydrate(runner, "tab", {key: token}))  # a reconnect of the owner's tab
            auth.sign_out(token)  # Sign out (here or in another tab), or the session expired
            anonymous = _said(await _hydrate(runner, "tab", {}))  # the client token replayed, no session
            stale = _said(await _hydrate(runner, "tab", {key: token}))  # the ended session's token
            assert runner.server_errors == []
            return signed_in, anonymous, stale

    signed_in, anonymous, stale = run(scenario())
    assert "Secretive Studio" in signed_in and "4,321.00" in signed_in  # a signed-in tab keeps its page
    for said in (anonymous, stale):
        assert "Secretive Studio" not in said and "private@secret.example" not in said
        assert "4,321.00" not in said and OWNER not in said
    assert PASSWORD not in signed_in + anonymous + stale
