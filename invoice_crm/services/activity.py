"""Helpers every service uses inside its transaction: the activity log and the outbox."""

from __future__ import annotations

import json

from sqlmodel import Session

from invoice_crm.db_types import utcnow
from invoice_crm.models import InvoiceEvent, OutboxMessage
from invoice_crm.settings import get_settings

SHEET_TOPIC = "sheet_row"


def log_event(session: Session, invoice_id: int, kind: str, actor: str, details: str = "") -> None:
    session.add(
        InvoiceEvent(
            invoice_id=invoice_id, kind=kind, actor=actor, details=details, created_at=utcnow()
        )
    )


def enqueue_sheet_sync(session: Session, invoice_id: int) -> None:
    """Queue the invoice's sheet row for delivery after commit (the outbox pattern)."""
    if not get_settings().sheets_enabled:
        return
    session.add(OutboxMessage(topic=SHEET_TOPIC, invoice_id=invoice_id, payload=json.dumps({})))
