"""The invoice lifecycle through the services, on a real (SQLite) database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoice_crm.db import read_session
from invoice_crm.domain.errors import InvalidTransition, NotFound, ValidationError
from invoice_crm.domain.leads import LeadStatus
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.models import Invoice, InvoiceEvent, Lead, LineItem, Payment, PaymentMethod
from invoice_crm.services import clients, invoices
from tests.integration.helpers import TODAY, draft_input, make_client, make_invoice


def _reload(invoice_id):
    with read_session() as s:
        inv = s.get(Invoice, invoice_id)
        lines = s.execute(select(LineItem).where(LineItem.invoice_id == invoice_id)).scalars().all()
        events = s.execute(select(InvoiceEvent.kind).where(InvoiceEvent.invoice_id == invoice_id)).scalars().all()
        return inv, lines, events


def test_create_keeps_amount_in_step_with_lines(database):
    inv = make_invoice(
        lines=[
            {"description": "Design", "quantity": "4", "unit_price": "120.00"},
            {"description": "Hours", "quantity": "12.5", "unit_price": "95"},
            {"description": "Half cent", "quantity": "1", "unit_price": "0.01"},
        ]
    )
    stored, lines, events = _reload(inv.id)
    assert stored.amount == Decimal("1667.51")
    assert stored.status is InvoiceStatus.DRAFT
    assert [li.description for li in sorted(lines, key=lambda li: li.position)] == ["Design", "Hours", "Half cent"]
    assert stored.number is None  # a draft is numbered when it is sent
    assert len(stored.public_token) >= 43  # 256 bits, url-safe base64
    assert events == ["created"]


def test_edit_draft_replaces_lines_and_amount(database):
    inv = make_invoice()
    invoices.update_draft(inv.id, draft_input(inv.client_id, lines=[{"description": "New", "quantity": "3", "unit_price": "9.99"}]))
    stored, lines, events = _reload(inv.id)
    assert stored.amount == Decimal("29.97")
    assert [li.description for li in lines] == ["New"]
    assert events.count("edited") == 1


def test_bad_edit_changes_nothing(database):
    inv = make_invoice()
    bad = draft_input(
        inv.client_id,
        lines=[{"description": "Fine", "quantity": "1", "unit_price": "5"}, {"description": "Bad", "quantity": "-2", "unit_price": "5"}],
    )
    with pytest.raises(ValidationError) as err:
        invoices.update_draft(inv.id, bad)
    assert err.value.field == "lines.1.quantity"
    stored, lines, events = _reload(inv.id)
    assert stored.amount == Decimal("100.00")
    assert [li.description for li in lines] == ["Work"]
    assert "edited" not in events


def test_bad_create_saves_nothing(database):
    client = make_client()
    with pytest.raises(ValidationError) as err:
        invoices.create_invoice(draft_input(client.id, due=TODAY - timedelta(days=1)))
    assert err.value.field == "due_date"
    with pytest.raises(ValidationError) as err:
        invoices.create_invoice(draft_input(None))
    assert err.value.field == "client_id"
    with pytest.raises(ValidationError):
        invoices.create_invoice(draft_input(client.id, notes="x" * 6000))
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(Invoice)).scalar() == 0
        assert s.execute(select(func.count()).select_from(LineItem)).scalar() == 0


def test_send_then_pay_records_payment_and_advances_lead(database):
    client = make_client()
    clients.create_lead(client.id, "Website", LeadStatus.WON.value)
    inv = make_invoice(client.id, issue=TODAY - timedelta(days=3))
    invoices.send_invoice(inv.id, "me@example.com")
    stored, _, _ = _reload(inv.id)
    assert stored.status is InvoiceStatus.SENT and stored.sent_at is not None
    assert stored.number == f"INV-{TODAY.year}-0001"
    assert stored.sent_at.tzinfo is not None
    with read_session() as s:
        assert s.execute(select(Lead.status)).scalar() is LeadStatus.INVOICED

    paid_on = TODAY - timedelta(days=1)
    invoices.mark_paid(inv.id, paid_on.isoformat(), "BANK-42", "me@example.com")
    stored, _, events = _reload(inv.id)
    assert stored.status is InvoiceStatus.PAID
    assert stored.paid_at == paid_on
    with read_session() as s:
        payment = s.execute(select(Payment)).scalar_one()
        assert s.execute(select(Lead.status)).scalar() is LeadStatus.PAID
    assert (payment.amount, payment.paid_on, payment.method, payment.reference) == (
        Decimal("100.00"), paid_on, PaymentMethod.MANUAL, "BANK-42"
    )
    assert events == ["created", "sent", "paid"]


def test_refusals_change_nothing(database):
    inv = make_invoice()
    with pytest.raises(InvalidTransition, match="draft cannot be paid"):
        invoices.mark_paid(inv.id)
    invoices.send_invoice(inv.id)
    with pytest.raises(InvalidTransition, match="already been sent"):
        invoices.send_invoice(inv.id)
    with pytest.raises(InvalidTransition, match="only drafts can be edited"):
        invoices.update_draft(inv.id, draft_input(inv.client_id))
    with pytest.raises(ValidationError, match="Only drafts can be deleted"):
        invoices.delete_draft(inv.id)
    with pytest.raises(ValidationError, match="future"):
        invoices.mark_paid(inv.id, (TODAY + timedelta(days=2)).isoformat())
    invoices.mark_paid(inv.id)
    with pytest.raises(InvalidTransition, match="already paid"):
        invoices.mark_paid(inv.id)
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(Payment)).scalar() == 1
    with pytest.raises(NotFound):
        invoices.send_invoice(999999)


def test_a_draft_without_a_positive_line_or_due_date_cannot_be_sent(database):
    client = make_client()
    zero = invoices.create_invoice(draft_input(client.id, lines=[{"description": "Free", "quantity": "1", "unit_price": "0"}]))
    with pytest.raises(ValidationError, match="positive total"):
        invoices.send_invoice(zero.id)
    empty = invoices.create_invoice(draft_input(client.id, lines=[]))
    with pytest.raises(ValidationError, match="line item"):
        invoices.send_invoice(empty.id)
    undated = invoices.create_invoice(
        invoices.DraftInput(client_id=client.id, issue_date=TODAY, due_date="", lines=[{"description": "x", "quantity": "1", "unit_price": "1"}])
    )
    with pytest.raises(ValidationError, match="due date"):
        invoices.send_invoice(undated.id)
    assert _reload(zero.id)[0].status is InvoiceStatus.DRAFT


def test_overdue_sweep_is_idempotent_and_respects_the_due_date(database):
    client = make_client()
    past = make_invoice(client.id, issue=TODAY - timedelta(days=40), due=TODAY - timedelta(days=1))
    today_due = make_invoice(client.id, issue=TODAY - timedelta(days=10), due=TODAY)
    draft_past = make_invoice(client.id, issue=TODAY - timedelta(days=40), due=TODAY - timedelta(days=5))
    for inv in (past, today_due):
        invoices.send_invoice(inv.id)

    assert invoices.sweep_overdue(TODAY) == 1
    assert invoices.sweep_overdue(TODAY) == 0
    assert _reload(past.id)[0].status is InvoiceStatus.OVERDUE
    assert _reload(past.id)[2].count("overdue") == 1
    assert _reload(today_due.id)[0].status is InvoiceStatus.SENT  # not overdue on its due date
    assert _reload(draft_past.id)[0].status is InvoiceStatus.DRAFT

    assert invoices.sweep_overdue(TODAY + timedelta(days=1)) == 1
    assert _reload(today_due.id)[0].status is InvoiceStatus.OVERDUE
    invoices.mark_paid(past.id)
    assert _reload(past.id)[0].status is InvoiceStatus.PAID


def test_duplicate_and_delete(database):
    inv = make_invoice(issue=TODAY - timedelta(days=20), due=TODAY - timedelta(days=10))
    invoices.send_invoice(inv.id)
    copy = invoices.duplicate_invoice(inv.id)
    stored, lines, events = _reload(copy.id)
    assert stored.status is InvoiceStatus.DRAFT and stored.number is None
    assert stored.issue_date == TODAY and stored.due_date == TODAY + timedelta(days=10)
    assert stored.amount == Decimal("100.00") and len(lines) == 1
    assert "duplicated" in events
    invoices.delete_draft(copy.id)
    with read_session() as s:
        assert s.get(Invoice, copy.id) is None
        assert s.execute(select(func.count()).select_from(LineItem).where(LineItem.invoice_id == copy.id)).scalar() == 0


def test_deleting_a_draft_leaves_no_hole_in_the_sent_numbers(database):
    first = make_invoice()
    invoices.send_invoice(first.id)
    dropped = make_invoice()
    invoices.delete_draft(dropped.id)
    invoices.duplicate_invoice(first.id)  # a copy that is never sent
    third = make_invoice()
    invoices.send_invoice(third.id)
    assert [_reload(first.id)[0].number, _reload(third.id)[0].number] == [
        f"INV-{TODAY.year}-0001", f"INV-{TODAY.year}-0002",
    ]


def test_custom_number_format(database, monkeypatch):
    from invoice_crm.settings import get_settings

    monkeypatch.setenv("INVOICE_NUMBER_FORMAT", "{year}/{month:02d}/{seq:03d}")
    get_settings.cache_clear()
    inv = make_invoice(issue=TODAY - timedelta(days=3), due=TODAY + timedelta(days=30))
    sent = invoices.send_invoice(inv.id)
    assert sent.number == f"{TODAY.year}/{TODAY.month:02d}/001"  # numbered on the day it is sent


def test_a_draft_without_a_currency_takes_the_one_saved_in_settings(database):
    """Settings → Invoices wins over the CURRENCY setting once saved (as it does for the
    editor's default): a draft saved without one is in the saved currency."""
    from invoice_crm.services import business_settings as biz

    biz.save_invoice_defaults({"currency": "EUR", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14", "locale": "en_US"})
    draft = make_invoice(currency="")
    assert draft.currency == "EUR"
