"""The tax rate catalogue, credit notes and refunds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import ScaledDecimal, UTCDateTime, utcnow
from invoice_crm.models.invoices import PaymentMethod


class TaxRate(SQLModel, table=True):
    """A named rate the freelancer charges (VAT 20%, GST 5%, QST 9.975% compounded)."""

    __tablename__ = "tax_rate"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    rate: Decimal = Field(sa_column=sa.Column(ScaledDecimal(4), nullable=False))  # percent
    registration_number: str = Field(
        default="", sa_column=sa.Column(sa.String(64), nullable=False, server_default="")
    )
    compound: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false())
    )
    archived: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false())
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class CreditNote(SQLModel, table=True):
    """A numbered correction that reduces what an invoice asks for."""

    __tablename__ = "credit_note"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    invoice_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id"), nullable=False, index=True)
    )
    issue_date: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    amount: Decimal = Field(sa_column=sa.Column(ScaledDecimal(2), nullable=False))
    currency: str = Field(default="USD", sa_column=sa.Column(sa.String(3), nullable=False))
    reason: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    lines_text: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    # On an invoice already paid, the part of the credit the client is owed back.
    refund_due: Decimal = Field(
        default=Decimal("0.00"), sa_column=sa.Column(ScaledDecimal(2), nullable=False)
    )
    # Set for the credit note a Stripe refund made (one per refund).
    stripe_refund_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(255), unique=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class CreditNoteLine(SQLModel, table=True):
    """A line a credit note by lines credits. A line is credited at most once: the unique
    line keeps a stale dialog or a second tab from crediting it again."""

    __tablename__ = "credit_note_line"
    id: int | None = Field(default=None, primary_key=True)
    credit_note_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("credit_note.id"), nullable=False, index=True)
    )
    line_item_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("line_item.id"), nullable=False, unique=True)
    )


class Refund(SQLModel, table=True):
    """Money given back, against a credit note: by hand or reported by Stripe."""

    __table_args__ = (sa.Index("ix_refund_given", "refunded_on", "currency", "amount"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id"), nullable=False, index=True)
    )
    credit_note_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.Integer, sa.ForeignKey("credit_note.id"), index=True)
    )
    amount: Decimal = Field(sa_column=sa.Column(ScaledDecimal(2), nullable=False))
    currency: str = Field(default="USD", sa_column=sa.Column(sa.String(3), nullable=False))
    refunded_on: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    method: PaymentMethod = Field(
        sa_column=sa.Column(
            sa.Enum(PaymentMethod, native_enum=False, length=16, create_constraint=False), nullable=False
        )
    )
    reference: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    stripe_refund_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(255), unique=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
