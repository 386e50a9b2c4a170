"""Bulk-seed a database with N invoices shaped like a long-running freelance business.

Invoices spread evenly over the past years; everything older than ~75 days is paid (but
~1% that stayed overdue), recent ones are drafts, sent or overdue. Two lines per invoice, and
a Payment for every paid invoice.
Rows go in with executemany: the services would take minutes for 100,000."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from invoice_crm.domain.drafts import LineInput
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.money import invoice_total
from invoice_crm.models import Client, Invoice, LineItem, Payment, PaymentMethod, Project
from invoice_crm.models.invoices import new_public_token

CHUNK = 5_000


def seed(engine: Engine, count: int, today: date, *, seed_value: int = 7) -> None:
    rnd = random.Random(seed_value)
    now = datetime.now(UTC)
    clients = max(10, count // 200)
    with engine.begin() as conn:
        conn.execute(
            insert(Client),
            [{"name": f"Client {i:05d} {rnd.choice(['Studio', 'Labs', 'GmbH', 'LLC', 'Co'])}",
              "email": f"billing{i}@client.example", "company": "", "address": "", "created_at": now}
             for i in range(clients)],
        )
        conn.execute(
            insert(Project),
            [{"client_id": i + 1, "name": f"Project {i}", "created_at": now} for i in range(clients)],
        )
    span_days = max(365, count // 20)  # ~20 invoices a day at 100,000
    invoices, lines, payments = [], [], []
    for n in range(1, count + 1):
        issued = today - timedelta(days=int(span_days * (count - n) / count))
        due = issued + timedelta(days=rnd.choice((7, 14, 30)))
        age = (today - issued).days
        paid_at = None
        if age > 75:
            status = InvoiceStatus.OVERDUE if rnd.random() < 0.01 else InvoiceStatus.PAID
        else:
            status = rnd.choice((InvoiceStatus.DRAFT, InvoiceStatus.SENT, InvoiceStatus.SENT, InvoiceStatus.PAID))
            if status is InvoiceStatus.SENT and due < today:
                status = InvoiceStatus.OVERDUE
        if status is InvoiceStatus.PAID:
            paid_at = min(today, issued + timedelta(days=rnd.randint(1, 40)))
        items = [
            LineInput("Development", Decimal(rnd.randint(1, 40)) / 2, Decimal(rnd.randint(5000, 15000)) / 100),
            LineInput("Hosting", Decimal(1), Decimal(rnd.randint(1000, 9000)) / 100),
        ]
        client = rnd.randint(1, clients)
        invoices.append({
            "id": n, "number": f"INV-{issued.year}-{n:06d}", "client_id": client, "project_id": client,
            "amount": invoice_total(items), "currency": "USD", "status": status, "issue_date": issued,
            "due_date": due, "sent_at": None if status is InvoiceStatus.DRAFT else now, "paid_at": paid_at,
            "notes": "", "public_token": new_public_token(), "sheet_sync_status": "OFF", "sheet_sync_error": "",
            "created_at": now, "updated_at": now,
        })
        paid = status is InvoiceStatus.PAID  # the stored figures of the one total function
        invoices[-1].update(
            amount_paid=invoices[-1]["amount"] if paid else Decimal(0),
            balance_due=Decimal(0) if paid else invoices[-1]["amount"],
        )
        lines += [
            {"invoice_id": n, "position": p, "description": li.description, "quantity": li.quantity, "unit_price": li.unit_price}
            for p, li in enumerate(items)
        ]
        if paid_at is not None:  # as the services do it: every paid invoice has its Payment
            payments.append({
                "invoice_id": n, "amount": invoices[-1]["amount"], "currency": "USD", "paid_on": paid_at,
                "method": PaymentMethod.MANUAL, "reference": "", "created_at": now,
            })
        if len(invoices) >= CHUNK:
            _flush(engine, invoices, lines, payments)
    _flush(engine, invoices, lines, payments)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def _flush(engine: Engine, invoices: list, lines: list, payments: list) -> None:
    if invoices:
        with engine.begin() as conn:
            conn.execute(insert(Invoice), invoices)
            conn.execute(insert(LineItem), lines)
            if payments:
                conn.execute(insert(Payment), payments)
    for batch in (invoices, lines, payments):
        batch.clear()
