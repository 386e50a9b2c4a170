"""Stripe refunds against credit notes, as a property: whatever credit notes were issued and
whatever was refunded in Stripe (in any steps, each told twice), every refund is recorded
once, it first settles what the notes had to refund and credits only the rest, Paid never goes below zero, and what the
invoice says is still to refund is what its credit notes still have to refund."""

from __future__ import annotations

import secrets
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from invoice_crm.db import read_session, write_session
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import CreditNote, Invoice, PaymentMethod, Refund
from invoice_crm.services import figures, invoices, ledger
from invoice_crm.services.stripe_refunds import record_stripe_refunds
from tests.integration.helpers import make_invoice

STEPS = st.lists(
    st.tuples(st.sampled_from(["note", "refund"]), st.integers(min_value=1, max_value=10000)), max_size=6
)


def _paid_online(paid: D) -> tuple[int, str]:
    inv = invoices.send_invoice(
        make_invoice(lines=[{"description": "Work", "quantity": "1", "unit_price": "100.00"}]).id
    )
    intent = f"pi_{secrets.token_hex(8)}"
    with write_session() as session:
        invoice = session.get(Invoice, inv.id)
        ledger.apply_payment(
            session, invoice, paid_on=inv.issue_date, method=PaymentMethod.STRIPE, reference=intent,
            actor="stripe", amount=paid, stripe_payment_intent_id=intent,
        )
    return inv.id, intent


def _event(intent: str, refund_id: str, cents: int) -> dict:
    refund = {"id": refund_id, "object": "refund", "amount": cents, "currency": "usd", "status": "succeeded",
              "payment_intent": intent}
    return {"id": f"evt_{secrets.token_hex(8)}", "type": "refund.updated", "data": {"object": refund}}


def _figures(invoice_id: int) -> tuple[Invoice, D, D, D]:
    """The invoice, its "to refund", what its notes have left to refund, and all refunded."""
    with read_session() as s:
        invoice = s.get(Invoice, invoice_id)
        notes = s.execute(select(CreditNote).where(CreditNote.invoice_id == invoice_id)).scalars().all()
        left = sum((figures.note_refunds(s, note).left for note in notes), D(0))
        refunded = s.execute(select(func.sum(Refund.amount)).where(Refund.invoice_id == invoice_id)).scalar() or D(0)
        return invoice, figures.invoice_totals(s, invoice).refund_due, left, refunded


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paid_cents=st.integers(min_value=1, max_value=10000), steps=STEPS)
def test_stripe_refunds_are_recorded_once_and_agree_with_the_credit_notes(database, paid_cents, steps):
    paid = D(paid_cents) / 100
    invoice_id, intent = _paid_online(paid)
    given_back = D(0)
    for kind, cents in steps:
        before, owed_back, _, _ = _figures(invoice_id)
        amount = D(cents) / 100
        if kind == "note":
            try:
                ledger.issue_credit_note(invoice_id, amount=str(amount))
            except ValidationError:
                assert amount > before.amount - before.amount_credited  # only more than is left to credit
            continue
        if amount > paid - given_back:
            continue  # Stripe refunds at most what the payment has left
        refund_id = f"re_{secrets.token_hex(8)}"
        for _ in range(2):  # charge.refunded, then refund.updated: the same refund
            record_stripe_refunds(_event(intent, refund_id, cents))
        given_back += amount
        after, to_refund, left, refunded = _figures(invoice_id)
        assert refunded == given_back  # recorded once, in full
        assert after.amount_paid == paid - given_back >= 0
        # It first gives back what was to refund; only the rest is new credit (never more
        # than it gave back), and what is still to refund drops by what it gave.
        assert after.amount_credited - before.amount_credited == max(amount - owed_back, D(0))
        assert to_refund == max(owed_back - amount, D(0)) == left
        assert after.amount_credited <= after.amount
    invoice, to_refund, left, _ = _figures(invoice_id)
    assert to_refund == left  # the invoice's "To refund" is its notes' (no second ask for one refund)
    assert invoice.amount_paid + invoice.amount_credited + invoice.balance_due - to_refund == invoice.amount
