"""Hands out invoice numbers: unique, never reused, safe under concurrency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from invoice_crm.domain.numbering import counter_key, format_number, validate_format
from invoice_crm.models import Invoice, InvoiceCounter
from invoice_crm.services.business_settings import current_business


def _bump(session: Session, key: str) -> int:
    stmt = (
        update(InvoiceCounter)
        .where(InvoiceCounter.key == key)
        .values(last_value=InvoiceCounter.last_value + 1)
        .returning(InvoiceCounter.last_value)
    )
    value = session.execute(stmt).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(InvoiceCounter(key=key, last_value=1))
        return 1
    except IntegrityError:  # another transaction created the counter first
        return session.execute(stmt).scalar_one()


def next_invoice_number(session: Session, issued: date) -> str:
    """The next free number for ``issued``; skips numbers already taken (e.g. imported)."""
    fmt = validate_format(current_business(session).number_format)  # the Settings page's, read now
    key = counter_key(fmt, issued)
    while True:
        number = format_number(fmt, issued, _bump(session, key))
        if not session.execute(select(exists().where(Invoice.number == number))).scalar():
            return number


def preview_next_number(session: Session, day: date) -> str:
    """The number the next invoice sent on ``day`` will most likely take (the Send dialog's
    email shows it); the send itself takes the real one, see ``delivery.send_invoice_by_email``."""
    fmt = validate_format(current_business(session).number_format)
    key = counter_key(fmt, day)
    counter = session.get(InvoiceCounter, key)
    seq = (counter.last_value if counter else 0) + 1
    while session.execute(select(exists().where(Invoice.number == format_number(fmt, day, seq)))).scalar():
        seq += 1
    return format_number(fmt, day, seq)


def continue_after(session: Session, numbers: Iterable[str]) -> None:
    """Inside the importing transaction: imported numbers of the current format move their
    sequence on, so the next invoice sent takes the number after the highest imported one.
    Numbers of another shape (an earlier tool's) cannot collide with ours and are left alone."""
    from invoice_crm.domain.numbering import sequence_of

    fmt = validate_format(current_business(session).number_format)
    highest: dict[str, int] = {}
    for number in numbers:
        parts = sequence_of(fmt, number)
        if parts is not None:
            highest[parts[0]] = max(highest.get(parts[0], 0), parts[1])
    for key, seq in sorted(highest.items()):
        raised = session.execute(
            update(InvoiceCounter)
            .where(InvoiceCounter.key == key, InvoiceCounter.last_value < seq)
            .values(last_value=seq)
        ).rowcount
        if not raised and session.get(InvoiceCounter, key) is None:
            session.add(InvoiceCounter(key=key, last_value=seq))
            session.flush()
