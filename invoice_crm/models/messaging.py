"""Side effects after commit: the outbox (sheet rows), emails, and Stripe events seen."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow


class DeliveryStatus(str, enum.Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"  # handed to the mail server; its fate is unknown until marked DONE or FAILED
    DONE = "DONE"
    FAILED = "FAILED"


def _claimed_by_column() -> sa.Column:
    return sa.Column(sa.String(64), nullable=True)


def _lease_column() -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=True)


def _status_column() -> sa.Column:
    return sa.Column(
        sa.Enum(DeliveryStatus, native_enum=False, length=16, create_constraint=False),
        nullable=False,
        index=True,
    )


class OutboxMessage(SQLModel, table=True):
    """A change to deliver outside, written in the same transaction as the change."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_topic_status_next", "topic", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    invoice_id: int | None = Field(default=None, index=True)
    payload: str = Field(default="{}", sa_column=sa.Column(sa.Text(), nullable=False))
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_column=_status_column())
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_error: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    processed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # The lease (services/jobs/leases.py): which process holds the message, and until when.
    claimed_by: str | None = Field(default=None, sa_column=_claimed_by_column())
    lease_expires_at: datetime | None = Field(default=None, sa_column=_lease_column())


class EmailMessage(SQLModel, table=True):
    """An email to a client (the invoice, or a reminder), delivered after commit."""

    __tablename__ = "email_message"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", nullable=False, index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    recipient: str = Field(sa_column=sa.Column(sa.String(254), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    attach_pdf: bool = Field(default=True, nullable=False)
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_column=_status_column())
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_error: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    message_id: str = Field(default="", sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    claimed_by: str | None = Field(default=None, sa_column=_claimed_by_column())
    lease_expires_at: datetime | None = Field(default=None, sa_column=_lease_column())


class StripeEvent(SQLModel, table=True):
    """A Stripe event id already processed: a redelivered event changes nothing."""

    __tablename__ = "stripe_event"

    event_id: str = Field(sa_column=sa.Column(sa.String(255), primary_key=True))
    type: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    processed_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
