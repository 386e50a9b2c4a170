"""Builders for service tests."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import event

from invoice_crm.db import get_engine
from invoice_crm.services import clients, invoices

T = TypeVar("T")

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


def at_once(fn: Callable[[], T], count: int) -> list[T]:
    """``fn`` in ``count`` threads at the same time: their results, or the first error one raised
    (an error in a thread fails the test instead of only shortening the results)."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(fn) for _ in range(count)]
    return [future.result() for future in futures]


def statements_run(fn: Callable[[], T], containing: str) -> tuple[T, int]:
    """``fn()``'s result, and how many SQL statements it sent that contain ``containing`` (any case)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if containing in statement.lower():
            seen.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, len(seen)
