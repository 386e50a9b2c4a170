"""Migration 0004 keeps every existing invoice's total: a database built at 0001 with
invoices of every status, upgraded to head, gives the same totals from the one total
function, with balances that follow the old paid-or-not state."""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import create_engine, text

from alembic import command
from invoice_crm.db import read_session
from invoice_crm.models import Invoice
from invoice_crm.services import figures
from tests.conftest import alembic_config, reset_caches

NOW = "2026-01-01 00:00:00"


def _old_total(lines) -> Decimal:
    return sum(((q * p).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for q, p in lines), Decimal("0"))


def _seed_at_0001(url: str) -> dict[int, tuple[Decimal, str]]:
    rng = random.Random(11)
    engine = create_engine(url)
    expected = {}
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO client (id, name, email, company, address, created_at) VALUES (1, 'Old Client', 'o@x.example', '', '', :now)"
        ), {"now": NOW})
        for i in range(1, 61):
            lines = [
                (Decimal(rng.randint(1, 5000)) / 1000, Decimal(rng.randint(0, 500000)) / 100)
                for _ in range(rng.randint(1, 5))
            ]
            total = _old_total(lines)
            status = rng.choice(["DRAFT", "SENT", "OVERDUE", "PAID"])
            conn.execute(text(
                "INSERT INTO invoice (id, number, client_id, amount, currency, status, issue_date, due_date, paid_at, notes, "
                "public_token, sheet_sync_status, sheet_sync_error, created_at, updated_at) VALUES "
                "(:id, :number, 1, :amount, 'USD', :status, '2025-12-01', '2025-12-31', :paid_at, '', :token, 'OFF', '', :now, :now)"
            ), {
                "id": i, "number": f"INV-2025-{i:04d}", "amount": int(total * 100), "status": status,
                "paid_at": "2025-12-20" if status == "PAID" else None, "token": f"tok{i}", "now": NOW,
            })
            for position, (q, p) in enumerate(lines):
                conn.execute(text(
                    "INSERT INTO line_item (invoice_id, position, description, quantity, unit_price) "
                    "VALUES (:inv, :pos, 'Work', :q, :p)"
                ), {"inv": i, "pos": position, "q": int(q * 1000), "p": int(p * 100)})
            if status == "PAID":
                conn.execute(text(
                    "INSERT INTO payment (invoice_id, amount, currency, paid_on, method, reference, created_at) "
                    "VALUES (:inv, :amount, 'USD', '2025-12-20', 'MANUAL', '', :now)"
                ), {"inv": i, "amount": int(total * 100), "now": NOW})
            expected[i] = (total, status)
    engine.dispose()
    return expected


def test_every_existing_total_is_the_same_after_the_migration(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    expected = _seed_at_0001(url)
    command.upgrade(alembic_config(url), "head")
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()
    try:
        with read_session() as session:
            for invoice_id, (total, status) in expected.items():
                inv = session.get(Invoice, invoice_id)
                computed = figures.invoice_totals(session, inv)
                assert inv.amount == total, inv.number
                assert computed.total == total and computed.tax_total == 0 and computed.discounts == 0, inv.number
                assert inv.status.value == status
                if status == "PAID":
                    assert inv.balance_due == 0 and inv.amount_paid == total and computed.balance_due == 0
                else:
                    assert inv.balance_due == total and inv.amount_paid == 0 and computed.balance_due == total
                assert inv.paid_at == (date(2025, 12, 20) if status == "PAID" else None)
    finally:
        reset_caches()
