"""The freelancer's business as set on the Settings page: one row (id 1).

Secrets are never here: they stay in the environment. ``version`` goes up with each save.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow


def _text(default: str = "", length: int | None = None):
    column_type = sa.String(length) if length else sa.Text()
    return Field(default=default, sa_column=sa.Column(column_type, nullable=False, server_default=default))


class BusinessSettings(SQLModel, table=True):
    __tablename__ = "business_settings"
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, nullable=False)
    # Business profile
    business_name: str = _text(length=200)
    address: str = _text()
    country: str = _text(length=2)
    email: str = _text(length=254)
    phone: str = _text(length=40)
    website: str = _text(length=200)
    tax_number: str = _text(length=50)
    iban: str = _text(length=64)
    bic: str = _text(length=11)
    payment_instructions: str = _text()
    logo: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    logo_type: str = _text(length=32)
    brand_color: str = _text("#2563eb", length=7)
    # Invoice defaults
    currency: str = _text("USD", length=3)
    payment_terms_days: int = Field(default=14, nullable=False)
    default_notes: str = _text()
    default_footer: str = _text()
    number_format: str = _text("INV-{year}-{seq:04d}", length=64)
    locale: str = _text("en_US", length=16)
    timezone: str = _text("UTC", length=64)
    # Email
    sender_name: str = _text(length=200)
    reply_to: str = _text(length=254)
    invoice_subject: str = _text(length=300)
    invoice_body: str = _text()
    reminder_subject: str = _text(length=300)
    reminder_body: str = _text()
    receipt_subject: str = _text(length=300)
    receipt_body: str = _text()
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))
