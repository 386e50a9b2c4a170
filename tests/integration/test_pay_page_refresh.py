"""The client's pay page left open while the invoice changed (voided, part paid by hand):
Pay opens no Checkout for what the page did not show, says what is true now and shows it.
Driven through the app's own events (tests/support/events.py), as the client's tab."""

from __future__ import annotations

from invoice_crm.services import ledger
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.stripe_helpers import sent_invoice
from tests.support.events import EventRunner, run, sent_text


def _open_pay_page(runner: EventRunner, token: str, path: str):
    from invoice_crm.state.pay import PayState

    return runner.send(token, PayState.on_load, path)


def test_pay_on_a_page_left_open_on_an_invoice_voided_meanwhile_shows_it_cancelled(app, stripe_api):
    from invoice_crm.state.pay import PayState

    inv = sent_invoice()
    path = f"/pay/{inv.public_token}"

    async def scenario():
        async with EventRunner(app) as runner:
            await _open_pay_page(runner, "client", path)
            shown = await runner.state("client", PayState)
            assert (shown.invoice["status"], shown.payable) == ("SENT", True)
            ledger.void_invoice(inv.id, "Wrong client")  # by the freelancer, meanwhile
            said = sent_text(await runner.send("client", PayState.pay, path))  # the balance this page was sent
            after = await runner.state("client", PayState)
            assert runner.server_errors == []
            return said, after

    said, after = run(scenario())
    assert "This invoice was cancelled; there is nothing to pay" in said
    assert after.is_void and not after.payable and not after.paying
    assert after.invoice["balance"] == "$0.00"
    assert stripe_api.session_creates(inv.id) == []


def test_pay_after_the_balance_changed_says_the_new_balance_and_opens_checkout_on_the_next_press(app, stripe_api):
    from invoice_crm.state.pay import PayState

    inv = sent_invoice()  # $100.00
    path = f"/pay/{inv.public_token}"

    async def scenario():
        async with EventRunner(app) as runner:
            await _open_pay_page(runner, "client", path)
            assert (await runner.state("client", PayState)).invoice["balance"] == "$100.00"
            ledger.record_payment(inv.id, "40.00")  # by the freelancer, meanwhile
            # Both clicks of a double click on "Pay $100.00" say what the button said.
            first = sent_text(await runner.send("client", PayState.pay, path, shown="100.00"))
            second = sent_text(await runner.send("client", PayState.pay, path, shown="100.00"))
            refreshed = await runner.state("client", PayState)
            balance, plain = refreshed.invoice["balance"], refreshed.invoice["balance_plain"]
            creates_before = len(stripe_api.session_creates(inv.id))
            again = sent_text(await runner.send("client", PayState.pay, path, shown=plain))  # "Pay $60.00"
            assert runner.server_errors == []
            return first, second, balance, creates_before, again

    first, second, balance, creates_before, again = run(scenario())
    for said in (first, second):
        assert "The balance is now $60.00. Press Pay again to pay it." in said
        assert "/checkout/" not in said  # no Checkout for an amount the page did not show
    assert balance == "$60.00" and creates_before == 0
    assert "/checkout/" in again
    [create] = stripe_api.session_creates(inv.id)
    assert create.params["line_items"][0]["price_data"]["unit_amount"] == "6000"
