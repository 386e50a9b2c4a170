"""Once per intent: the same idempotency key twice makes one change and returns the first
result, also when the two submissions race in threads."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import ValidationError
from invoice_crm.models import Client, CreditNote, IdempotencyKey, Invoice, Payment, Project, Refund
from invoice_crm.services import clients, idempotency, invoices, ledger
from tests.integration.helpers import TODAY, draft_input, make_client, make_invoice


def _count(model, *where) -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_the_same_key_twice_creates_one_draft_and_returns_it(database):
    client = make_client()
    key = idempotency.new_key()
    first = invoices.create_invoice(draft_input(client.id), idempotency_key=key)
    again = invoices.create_invoice(draft_input(client.id), idempotency_key=key)
    assert again.id == first.id
    assert _count(Invoice) == 1
    assert _count(IdempotencyKey) == 1
    other = invoices.create_invoice(draft_input(client.id), idempotency_key=idempotency.new_key())
    assert other.id != first.id and _count(Invoice) == 2


def test_concurrent_submissions_of_one_key_make_one_row(database):
    client = make_client()
    key = idempotency.new_key()
    threads = 8
    start = Barrier(threads)

    def submit(_):
        start.wait()
        return invoices.create_invoice(draft_input(client.id), idempotency_key=key).id

    with ThreadPoolExecutor(max_workers=threads) as pool:
        ids = list(pool.map(submit, range(threads)))
    assert len(set(ids)) == 1
    assert _count(Invoice) == 1


def test_clients_and_projects_once_per_key(database):
    key = idempotency.new_key()
    first = clients.create_client("Acme", "a@acme.example", idempotency_key=key)
    assert clients.create_client("Acme", "a@acme.example", idempotency_key=key).id == first.id
    assert _count(Client) == 1
    pkey = idempotency.new_key()
    project = clients.create_project(first.id, "Site", idempotency_key=pkey)
    assert clients.create_project(first.id, "Site", idempotency_key=pkey).id == project.id
    assert _count(Project) == 1


def test_send_and_payment_repeated_with_their_key_happen_once(database):
    inv = make_invoice(issue=TODAY - timedelta(days=2))
    send_key, pay_key = idempotency.new_key(), idempotency.new_key()
    sent = invoices.send_invoice(inv.id, idempotency_key=send_key)
    assert invoices.send_invoice(inv.id, idempotency_key=send_key).number == sent.number
    invoices.mark_paid(inv.id, TODAY, idempotency_key=pay_key)
    assert invoices.mark_paid(inv.id, TODAY, idempotency_key=pay_key).status.value == "PAID"
    assert _count(Payment) == 1


def test_a_key_used_for_another_action_is_refused(database):
    key = idempotency.new_key()
    client = clients.create_client("Acme", idempotency_key=key)
    with pytest.raises(ValidationError):
        invoices.create_invoice(draft_input(client.id), idempotency_key=key)
    with pytest.raises(ValidationError):
        invoices.create_invoice(draft_input(client.id), idempotency_key="short")
    assert _count(Invoice) == 0


def test_a_failed_change_does_not_use_up_its_key(database):
    client = make_client()
    key = idempotency.new_key()
    with pytest.raises(ValidationError):
        invoices.create_invoice(draft_input(client.id, lines=[{"description": "", "quantity": "1", "unit_price": "1"}]), idempotency_key=key)
    assert _count(IdempotencyKey) == 0
    made = invoices.create_invoice(draft_input(client.id), idempotency_key=key)  # corrected and resubmitted
    assert made.id is not None and _count(Invoice) == 1


def test_a_credit_note_and_its_refund_repeated_with_their_key_happen_once(database):
    """A double click on Issue credit note (or Save refund) is the same form sent twice: one
    numbered note, one refund, the first one given back; a new opening makes a new one."""
    inv = make_invoice(issue=TODAY - timedelta(days=2))  # 2 x 50.00
    invoices.send_invoice(inv.id)
    invoices.mark_paid(inv.id, TODAY)
    key = idempotency.new_key()
    first = ledger.issue_credit_note(inv.id, amount="10.00", reason="Rounding", idempotency_key=key)
    again = ledger.issue_credit_note(inv.id, amount="10.00", reason="Rounding", idempotency_key=key)
    assert (again.id, again.number) == (first.id, first.number)
    assert _count(CreditNote) == 1
    with read_session() as s:
        assert s.get(Invoice, inv.id).amount_credited == Decimal("10.00")

    refund_key = idempotency.new_key()
    refund = ledger.record_refund(first.id, "4.00", TODAY, idempotency_key=refund_key)
    assert ledger.record_refund(first.id, "4.00", TODAY, idempotency_key=refund_key).id == refund.id
    assert _count(Refund) == 1

    other = ledger.issue_credit_note(inv.id, amount="10.00", idempotency_key=idempotency.new_key())
    assert other.number != first.number and _count(CreditNote) == 2
