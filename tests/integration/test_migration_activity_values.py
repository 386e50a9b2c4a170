"""Migration 0019 keeps the amounts and dates of Activity lines written before it as values, so
a later change of locale reads the whole timeline in the new one; its downgrade writes them out
as the finished text older versions store."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from alembic import command
from invoice_crm.db import read_session, write_session
from invoice_crm.domain.activity import activity_text
from invoice_crm.models import InvoiceEvent
from invoice_crm.services import business_settings as biz
from invoice_crm.services import invoices, ledger
from tests.conftest import alembic_config, reset_caches
from tests.integration.helpers import make_client, make_invoice

US = {"currency": "USD", "number_format": "INV-{year}-{seq:04d}", "payment_terms_days": "14",
      "locale": "en_US", "timezone": "UTC"}


def _stored(invoice_id: int) -> list[str]:
    with read_session() as s:
        return list(s.execute(
            select(InvoiceEvent.details).where(InvoiceEvent.invoice_id == invoice_id).order_by(InvoiceEvent.id)
        ).scalars())


def test_0019_turns_the_text_of_earlier_lines_into_values_and_back(sqlite_at_head):
    url = sqlite_at_head
    biz.save_invoice_defaults(US)
    inv = make_invoice(make_client().id, lines=[{"description": "Work", "quantity": "1", "unit_price": "1234.50"}],
                       issue=date(2025, 10, 1), due=date(2025, 10, 31))
    invoices.send_invoice(inv.id)
    ledger.record_payment(inv.id, "234.50", "2025-10-30", "BANK_TRANSFER", "R-1,234")
    with write_session() as s:  # a reason typed with an amount of another currency stays as typed
        s.add(InvoiceEvent(invoice_id=inv.id, kind="voided", actor="me", details="Voided: €5.00 was agreed"))
    reset_caches()
    command.downgrade(alembic_config(url), "0018")  # as versions before 0019 stored them
    written = _stored(inv.id)
    assert "Payment of $234.50 on Oct 30, 2025, bank transfer, reference R-1,234; balance due $1,000.00" in written
    assert all("\x1f" not in line for line in written)

    command.upgrade(alembic_config(url), "head")
    reset_caches()
    stored = _stored(inv.id)
    assert all("$" not in line for line in stored if not line.startswith("Voided")), stored
    assert [activity_text(line, "UTC", "en_US") for line in stored] == written  # read the same in en_US
    german = [activity_text(line, "UTC", "de_DE") for line in stored]
    assert "Payment of 234,50\xa0$ on 30.10.2025, bank transfer, reference R-1,234; balance due 1.000,00\xa0$" in german
    assert any(line.endswith(", 1.234,50\xa0$ due 31.10.2025") for line in german), german
    assert "Voided: €5.00 was agreed" in german
