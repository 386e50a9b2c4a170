"""Invoices, their lines, payments, the Checkout sessions made for them, the activity log and
the number counter."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import ScaledDecimal, UTCDateTime, utcnow
from invoice_crm.domain.lifecycle import InvoiceStatus
from invoice_crm.domain.payment_methods import in_sentence, method_label


def new_public_token() -> str:
    """256 random bits, URL-safe: the client's pay link cannot be guessed."""
    return secrets.token_urlsafe(32)


class PaymentMethod(str, enum.Enum):
    BANK_TRANSFER = "BANK_TRANSFER"
    CASH = "CASH"
    CHEQUE = "CHEQUE"
    CARD = "CARD"
    OTHER = "OTHER"
    STRIPE = "STRIPE"
    MANUAL = "MANUAL"  # payments recorded before methods were asked for

    @property
    def label(self) -> str:
        """As a table's Method column, a receipt or a CSV says it: "Bank transfer", "Online
        (Stripe)" (domain.payment_methods, the one label)."""
        return method_label(self.value)

    @property
    def in_text(self) -> str:
        """The same label inside a sentence, after a comma: "bank transfer", "online (Stripe)"."""
        return in_sentence(self.value)


MANUAL_METHODS = (
    PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH, PaymentMethod.CHEQUE,
    PaymentMethod.CARD, PaymentMethod.OTHER,
)


def _money(**kw) -> sa.Column:
    return sa.Column(ScaledDecimal(2), nullable=False, **kw)


__all__ = [
    "MANUAL_METHODS", "Invoice", "InvoiceCounter", "InvoiceEvent", "LineItem", "Payment", "PaymentMethod",
    "StripeCheckoutSession",
]


def _enum(enum_cls) -> sa.Enum:
    return sa.Enum(enum_cls, native_enum=False, length=16, create_constraint=False)


class Invoice(SQLModel, table=True):
    __table_args__ = (
        # The overdue sweep and the overdue filter sorted by due date.
        sa.Index("ix_invoice_status_due_date", "status", "due_date"),
        # Covering indexes: the dashboard's figures are summed from the index alone.
        # (Partial, so the planner never picks it for the paid figures.)
        sa.Index(
            "ix_invoice_open_figures", "status", "currency", "balance_due",
            sqlite_where=sa.text("status IN ('SENT', 'OVERDUE')"),
            postgresql_where=sa.text("status IN ('SENT', 'OVERDUE')"),
        ),
        sa.Index("ix_invoice_paid_figures", "status", "paid_at", "currency", "amount"),
        # A client's invoices with what the current-work order reads (open or not, due date):
        # a search matching a client sorts its invoices from the index alone.
        sa.Index("ix_invoice_client_work", "client_id", "status", "due_date"),
        # An id is never given twice (migration 0015): the browser addresses an invoice by id,
        # and a tab still open on a deleted draft must not reach the next invoice made.
        # (PostgreSQL's sequence never reuses one; on SQLite, without AUTOINCREMENT, deleting
        # the newest row frees its id.)
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    # Given when the invoice is sent (services/numbering.py); a draft has none, and shows
    # its draft reference instead (domain/numbering.draft_reference). Unique where set.
    number: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), unique=True))
    client_id: int = Field(foreign_key="client.id", nullable=False)  # ix_invoice_client_work
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    # The lead whose work this invoice bills (chosen in the editor, or the client's open lead).
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    # Optimistic concurrency: every saved change bumps it; a save from an older one is refused.
    version: int = Field(default=1, nullable=False)
    # Indexed: "is there sample data?" is asked on every dashboard load, and without an index
    # the answer for a book without any is a read of every invoice.
    is_sample: bool = Field(default=False, nullable=False, index=True)
    # Brought in from a CSV file (services/imports.py) with its own number and payments.
    imported: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false())
    )
    # When it was imported (its sent_at is its issue date): no reminder step before this applies.
    imported_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # The stored figures of the one total function (domain.totals), refreshed by every change
    # to lines, payments, credit notes and refunds: amount is the total.
    amount: Decimal = Field(default=Decimal("0.00"), sa_column=_money(index=True))
    tax_total: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    amount_paid: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    amount_credited: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    balance_due: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    discount_kind: str = Field(
        default="", sa_column=sa.Column(sa.String(8), nullable=False, server_default="")
    )
    discount_value: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    tax_inclusive: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false())
    )
    # INVOICE_TAX_ROUNDING when the invoice was last saved: a later change of the setting
    # does not move the figures of invoices already made.
    tax_rounding: str = Field(
        default="document", sa_column=sa.Column(sa.String(8), nullable=False, server_default="document")
    )
    voided_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    void_reason: str = Field(
        default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default="")
    )
    currency: str = Field(default="USD", sa_column=sa.Column(sa.String(3), nullable=False))
    status: InvoiceStatus = Field(
        default=InvoiceStatus.DRAFT,
        sa_column=sa.Column(_enum(InvoiceStatus), nullable=False, index=True),
    )
    issue_date: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    due_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date(), index=True))
    sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    paid_at: date | None = Field(default=None, sa_column=sa.Column(sa.Date(), index=True))
    notes: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    public_token: str = Field(
        default_factory=new_public_token,
        sa_column=sa.Column(sa.String(64), nullable=False, unique=True),
    )
    # Stripe Checkout: the feature page's stripeLink is the session URL; the session id,
    # its expiry and the amount it was made for tell whether it can still be used.
    stripe_link: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    stripe_session_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(255)))
    stripe_session_expires_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime())
    )
    stripe_session_amount: Decimal | None = Field(
        default=None, sa_column=sa.Column(ScaledDecimal(2))
    )
    # Google Sheets mirror: the row is a hint, checked against column A before use.
    sheets_row_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    sheet_sync_status: str = Field(
        default="OFF", sa_column=sa.Column(sa.String(16), nullable=False)
    )
    sheet_sync_error: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    sheet_synced_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    # Viewed: the client opened the pay link (the owner's own visits are not counted).
    view_count: int = Field(default=0, sa_column=sa.Column(sa.Integer(), nullable=False, server_default="0"))
    first_viewed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    last_viewed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))


class LineItem(SQLModel, table=True):
    __tablename__ = "line_item"
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = Field(default=0, nullable=False)
    description: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    quantity: Decimal = Field(sa_column=sa.Column(ScaledDecimal(3), nullable=False))
    unit_price: Decimal = Field(sa_column=_money())
    discount_kind: str = Field(
        default="", sa_column=sa.Column(sa.String(8), nullable=False, server_default="")
    )
    discount_value: Decimal = Field(default=Decimal("0.00"), sa_column=_money(server_default="0"))
    # Up to two taxes, copied from the catalogue when the line is saved (a rate edited or
    # archived later does not change an invoice already made).
    tax1_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    tax1_name: str = Field(
        default="", sa_column=sa.Column(sa.String(64), nullable=False, server_default="")
    )
    tax1_rate: Decimal | None = Field(default=None, sa_column=sa.Column(ScaledDecimal(4)))
    tax2_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer()))
    tax2_name: str = Field(
        default="", sa_column=sa.Column(sa.String(64), nullable=False, server_default="")
    )
    tax2_rate: Decimal | None = Field(default=None, sa_column=sa.Column(ScaledDecimal(4)))
    tax2_compound: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false())
    )


class Payment(SQLModel, table=True):
    # The dashboard's money received (last 30 days, the 12-month chart) from the index alone.
    __table_args__ = (sa.Index("ix_payment_received", "paid_on", "currency", "amount", "invoice_id", "removed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", nullable=False, index=True)
    amount: Decimal = Field(sa_column=_money())
    currency: str = Field(default="USD", sa_column=sa.Column(sa.String(3), nullable=False))
    paid_on: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    method: PaymentMethod = Field(sa_column=sa.Column(_enum(PaymentMethod), nullable=False))
    reference: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    # Unique where set (NULLs never collide): one Payment per Stripe payment.
    stripe_payment_intent_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(255), unique=True)
    )
    stripe_session_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(255), unique=True)
    )
    # A payment recorded by mistake is removed, not deleted: the row stays for the record.
    removed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    removed_reason: str = Field(
        default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default="")
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class StripeCheckoutSession(SQLModel, table=True):
    """A Stripe Checkout session this app made, and the amount and currency it was made for
    (the invoice's balance then): a payment of it that no longer matches the balance is known
    as one for an earlier balance, whatever the Activity's wording or the locale since."""

    __tablename__ = "stripe_checkout_session"
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, unique=True))
    invoice_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id"), nullable=False, index=True)
    )
    amount: Decimal = Field(sa_column=_money())
    currency: str = Field(sa_column=sa.Column(sa.String(3), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class InvoiceEvent(SQLModel, table=True):
    """The activity log: one row for every state change of an invoice."""

    __tablename__ = "invoice_event"
    __table_args__ = (sa.Index("ix_invoice_event_invoice_created", "invoice_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False
        )
    )
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    actor: str = Field(default="system", sa_column=sa.Column(sa.String(254), nullable=False))
    details: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class IdempotencyKey(SQLModel, table=True):
    """One row per user intent already carried out: the key made when a form opened.

    Written in the same transaction as the change, so a repeated submission (a second
    click, a replayed event) finds it and gets the first result back instead of a repeat."""

    __tablename__ = "idempotency_key"
    key: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    action: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    result_id: int | None = Field(default=None)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )


class AppFlag(SQLModel, table=True):
    """Small facts about this installation (e.g. how the first run started: empty or sample)."""

    __tablename__ = "app_flag"
    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    value: str = Field(default="", sa_column=sa.Column(sa.String(255), nullable=False))


class InvoiceCounter(SQLModel, table=True):
    """The last sequence number handed out per key (year): numbers are never reused."""

    __tablename__ = "invoice_counter"
    key: str = Field(sa_column=sa.Column(sa.String(32), primary_key=True))
    last_value: int = Field(default=0, nullable=False)
