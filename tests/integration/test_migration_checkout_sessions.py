"""Migration 0018 stores each invoice's current Checkout session with the amount it was made
for; a session made before it and replaced since is still known by its Activity row."""

from __future__ import annotations

from sqlalchemy import delete

from alembic import command
from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.activity import activity_text
from invoice_crm.integrations.stripe_gateway import retrieve_checkout_session
from invoice_crm.models import InvoiceEvent, StripeCheckoutSession
from invoice_crm.services import ledger
from invoice_crm.services.payments import fulfil_checkout
from tests.conftest import alembic_config, reset_caches
from tests.fakes.stripe_fixture import *  # noqa: F403  (the stripe_api fixture)
from tests.integration.stripe_helpers import paid_session, sent_invoice


def _made(session_id: str) -> list[tuple]:
    with read_session() as s:
        return [
            (r.invoice_id, r.amount, r.currency)
            for r in s.query(StripeCheckoutSession).filter(StripeCheckoutSession.session_id == session_id)
        ]


def _earlier_balance_noted(invoice_id: int) -> bool:
    from sqlalchemy import select

    with read_session() as s:
        [note] = s.execute(select(InvoiceEvent.details).where(
            InvoiceEvent.invoice_id == invoice_id, InvoiceEvent.kind == "extra_payment",
        )).scalars()
    return "was for an earlier balance" in note


def test_0018_stores_each_invoices_current_session_and_its_amount(stripe_api, tmp_path, monkeypatch, request):
    if request.config.getoption("--db") == "postgresql":
        url = request.getfixturevalue("database")  # a database of its own, upgraded to head
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
        monkeypatch.setenv("DATABASE_URL", url)
        reset_caches()
        command.upgrade(alembic_config(url), "head")
    try:
        inv = sent_invoice()
        session = paid_session(stripe_api, inv.id)
        assert _made(session["id"]) == [(inv.id, inv.amount, "USD")]
        reset_caches()
        command.downgrade(alembic_config(url), "0017")  # as it was stored before: on the invoice only
        command.upgrade(alembic_config(url), "head")
        reset_caches()
        assert _made(session["id"]) == [(inv.id, inv.amount, "USD")]
        ledger.record_payment(inv.id, "30.00")
        assert fulfil_checkout(retrieve_checkout_session(session["id"]), paid_at=utcnow()).outcome == "rejected"
        assert _earlier_balance_noted(inv.id)
    finally:
        reset_caches()


def test_a_session_made_before_0018_and_replaced_since_is_known_by_its_activity_row(stripe_api):
    inv = sent_invoice()
    session = paid_session(stripe_api, inv.id)  # $100.00, paid at Stripe; its return lost
    with write_session() as s:  # made before 0018 and replaced since: no row of it
        s.execute(delete(StripeCheckoutSession).where(StripeCheckoutSession.session_id == session["id"]))
        for event in s.query(InvoiceEvent).filter_by(invoice_id=inv.id, kind="payment_link"):
            event.details = activity_text(event.details, "UTC")  # as versions before 0018 wrote it: plain text
    ledger.record_payment(inv.id, "30.00")
    assert fulfil_checkout(retrieve_checkout_session(session["id"]), paid_at=utcnow()).outcome == "rejected"
    assert _earlier_balance_noted(inv.id)
