"""The Send dialog says when the business has no name yet: the invoice and its email would not
say who they are from. It does not stop the send; once the name is saved it no longer shows."""

from __future__ import annotations

from invoice_crm.services import auth
from invoice_crm.services import business_settings as biz
from tests.integration.helpers import make_client, make_invoice
from tests.support.events import EventRunner, form, run

OWNER, PASSWORD = "owner@example.com", "correct horse"


def test_the_send_dialog_asks_for_the_business_name_until_it_is_set(database, monkeypatch):
    from invoice_crm.invoice_crm import app
    from invoice_crm.settings import get_settings
    from invoice_crm.state.auth import AuthState
    from invoice_crm.state.invoice_page import InvoicePageState
    from invoice_crm.state.send_dialog import DeliveryState

    monkeypatch.setattr(get_settings(), "business_name", "")  # nothing in the environment either
    auth.create_user(OWNER, PASSWORD)
    inv = make_invoice(make_client().id)

    async def open_dialog(runner) -> tuple[bool, bool]:
        await runner.send("t", InvoicePageState.on_load, f"/invoices/{inv.id}")
        await runner.send("t", DeliveryState.open_send_dialog, f"/invoices/{inv.id}")
        dialog = await runner.state("t", DeliveryState)
        opened, missing = dialog.send_open, dialog.sender_missing
        await runner.send("t", DeliveryState.set_send_open, f"/invoices/{inv.id}", value=False)
        return opened, missing

    async def scenario():
        async with EventRunner(app) as runner:
            await runner.send("t", AuthState.sign_in, "/login", form=form(email=OWNER, password=PASSWORD))
            before = await open_dialog(runner)
            biz.save_profile({"business_name": "Northwind Studio"})
            after = await open_dialog(runner)
            assert runner.server_errors == []
            return before, after

    before, after = run(scenario())
    assert before == (True, True)
    assert after == (True, False)
