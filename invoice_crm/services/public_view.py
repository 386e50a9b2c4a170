"""What a client sees through the pay link /pay/<token>: the invoice, display-ready, and
nothing of a draft (a draft's token, like an unknown one, shows nothing at all)."""

from __future__ import annotations

from sqlalchemy import select

from invoice_crm.db import read_session
from invoice_crm.domain.lifecycle import InvoiceStatus, business_today, countdown
from invoice_crm.domain.money import format_money
from invoice_crm.domain.numbers import format_date
from invoice_crm.models import Client, Invoice, LineItem
from invoice_crm.services.business_settings import current_business
from invoice_crm.services.queries import line_rows
from invoice_crm.settings import get_settings

MAX_TOKEN = 64


def public_invoice(token: str) -> dict | None:
    """The invoice behind a pay link, or None when there is none to show."""
    if not token or len(token) > MAX_TOKEN:
        return None
    settings = get_settings()
    with read_session() as session:
        row = session.execute(
            select(Invoice, Client.name, Client.tax_number)
            .join(Client, Client.id == Invoice.client_id)
            .where(Invoice.public_token == token)
        ).first()
        if row is None or InvoiceStatus(row[0].status) is InvoiceStatus.DRAFT:
            return None
        inv, client, client_tax_number = row
        lines = session.execute(
            select(LineItem).where(LineItem.invoice_id == inv.id).order_by(LineItem.position)
        ).scalars().all()
    status = InvoiceStatus(inv.status)
    return {
        "number": inv.number,
        "client": client,
        "status": status.value,
        "issue_date": format_date(inv.issue_date),
        "due_date": format_date(inv.due_date),
        "countdown": countdown(status, inv.due_date, business_today(settings.business_timezone)),
        "total": format_money(inv.amount, inv.currency),
        "notes": inv.notes,
        "paid_at": format_date(inv.paid_at),
        "payable": status in (InvoiceStatus.SENT, InvoiceStatus.OVERDUE) and settings.stripe_enabled,
        "lines": line_rows(lines, inv.currency),
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
