"""Builders for service tests."""

from __future__ import annotations

from datetime import date, timedelta

from invoice_crm.services import clients, invoices

TODAY = date.today()


def make_client(name: str = "Acme", email: str = "billing@acme.example"):
    return clients.create_client(name, email)


def draft_input(client_id: int, *, lines=None, issue: date | None = None, due: date | None = None, **extra):
    issue = issue or TODAY
    return invoices.DraftInput(
        client_id=client_id,
        issue_date=issue,
        due_date=due if due is not None else issue + timedelta(days=14),
        lines=lines if lines is not None else [{"description": "Work", "quantity": "2", "unit_price": "50.00"}],
        **extra,
    )


def make_invoice(client_id: int | None = None, **kw):
    if client_id is None:
        client_id = make_client().id
    return invoices.create_invoice(draft_input(client_id, **kw))
