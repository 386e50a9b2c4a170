"""What a client sees through the pay link /pay/<token>: the invoice, display-ready, and
nothing of a draft (a draft's token, like an unknown one, shows nothing at all)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select, update

from invoice_crm.db import read_session, write_session
from invoice_crm.db_types import utcnow
from invoice_crm.domain.lifecycle import OPEN, InvoiceStatus, business_today, countdown, credited_in_full
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date, format_timestamp
from invoice_crm.models import Client, Invoice
from invoice_crm.services import figures
from invoice_crm.services.activity import log_event
from invoice_crm.services.business_settings import business_timezone, current_business
from invoice_crm.services.queries import badge_of, line_rows
from invoice_crm.settings import get_settings

MAX_TOKEN = 64
ZERO = Decimal("0")


def public_invoice(token: str) -> dict | None:
    """The invoice behind a pay link, or None when there is none to show."""
    if not token or len(token) > MAX_TOKEN:
        return None
    settings = get_settings()
    with read_session() as session:
        row = session.execute(
            select(Invoice, Client.name, Client.tax_number, Client.company)
            .join(Client, Client.id == Invoice.client_id)
            .where(Invoice.public_token == token)
        ).first()
        if row is None or InvoiceStatus(row[0].status) is InvoiceStatus.DRAFT:
            return None
        inv, client, client_tax_number, client_company = row
        record = figures.invoice_record(session, inv)
        lines, totals, payments, notes = record.lines, record.totals, record.payments, record.credit_notes
        refunds = record.refunds
    status = InvoiceStatus(inv.status)
    balance = ZERO if status is InvoiceStatus.VOID else totals.balance_due
    return {
        "number": inv.number,
        "client": client,
        "client_company": client_company or "",  # as the PDF and the receipt print it
        "status": status.value,
        "issue_date": format_date(inv.issue_date),
        "due_date": format_date(inv.due_date),
        "countdown": countdown(status, inv.due_date, business_today(business_timezone())),
        "total": format_money(totals.total, inv.currency),
        "balance": format_money(balance, inv.currency),
        "balance_plain": format(balance, "f"),  # what the Pay button showed, said back when pressed
        "badge": badge_of(status, totals.paid),
        # Settled by credit notes with nothing received: "credited in full", no receipt.
        "credited": "yes" if credited_in_full(status, totals.paid) else "",
        "void": "yes" if status is InvoiceStatus.VOID else "",
        "notes": inv.notes,
        "paid_at": format_date(inv.paid_at),
        "payable": status in OPEN and balance > 0 and settings.stripe_enabled,
        "lines": line_rows(lines, inv.currency),
        "breakdown": figures.breakdown_rows(totals, settled=figures.settled(status)),
        "history": [
            {"date": format_date(p.paid_on), "text": f"Payment {format_money(p.amount, p.currency)}, {p.method.in_text}"}
            for p in payments
        ] + [
            {"date": format_date(n.issue_date), "text": f"Credit note {n.number}: {format_money(n.amount, n.currency)}"}
            for n in notes
        ] + [  # taken off "Paid" by the total function: listed, so the history adds up to it
            {"date": format_date(r.refunded_on), "text": f"Refund {format_money(r.amount, r.currency)}, {r.method.in_text}"}
            for r in refunds
        ],
        "client_tax_number": client_tax_number,
        "business": business_view(),
    }


def business_view() -> dict:
    """Who bills the client, as the pay pages show it (the Settings page's values, read now)."""
    profile = current_business()
    return {
        "name": profile.business_name,
        "logo": profile.logo_data_uri,
        "lines": [line for line in [*profile.address_lines, profile.email, profile.phone, profile.website] if line],
        "tax": profile.tax_line,
        "payment_lines": profile.payment_lines,
        "brand_color": profile.brand_color,
    }


def record_view(token: str, now: datetime | None = None) -> bool:
    """The client opened the pay link: count it, with the first and last time (one UPDATE;
    the first view is logged on the invoice's activity). Drafts and unknown tokens: nothing."""
    if not token or len(token) > MAX_TOKEN:
        return False
    now = now or utcnow()
    with write_session() as session:
        found = session.execute(
            select(Invoice.id, Invoice.view_count).where(
                Invoice.public_token == token, Invoice.status != InvoiceStatus.DRAFT
            )
        ).first()
        if found is None:
            return False
        invoice_id, _ = found
        session.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id)
            .values(
                view_count=Invoice.view_count + 1,
                first_viewed_at=sa.func.coalesce(Invoice.first_viewed_at, now),
                last_viewed_at=now,
            )
        )
        first = session.execute(select(Invoice.view_count).where(Invoice.id == invoice_id)).scalar_one() == 1
        if first:
            log_event(session, invoice_id, "viewed", "client", "Viewed by the client (pay link opened)")
    return True


def viewed_text(view_count: int, first: datetime | None, last: datetime | None, tz_name: str | None = None) -> str:
    """'Viewed 3 times: first Nov 25, 2026, 10:02 AM, last Nov 26, 2026, 8:15 AM' or '':
    in the business timezone (``tz_name``, else the saved one) and locale."""
    if not view_count:
        return ""
    tz_name = tz_name or business_timezone()
    times = "once" if view_count == 1 else f"{view_count} times"
    if view_count == 1 or first == last:
        return f"Viewed {times}: {format_timestamp(first, tz_name)}"
    return f"Viewed {times}: first {format_timestamp(first, tz_name)}, last {format_timestamp(last, tz_name)}"
