"""Reminder schedules (the default one and an invoice's own) and the log of reminder steps
done: each (invoice, step day) once, sent or skipped."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow

DEFAULT_KEY = "default"


def invoice_key(invoice_id: int) -> str:
    return f"invoice:{invoice_id}"


class ReminderSchedule(SQLModel, table=True):
    """``default`` (Settings -> Reminders; absent: the built-in schedule) or ``invoice:<id>``
    (an invoice's override: its own steps, or reminders off)."""

    __tablename__ = "reminder_schedule"

    key: str = Field(sa_column=sa.Column(sa.String(24), primary_key=True))
    invoice_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id", ondelete="CASCADE"), unique=True),
    )
    # default row: "on" / "off"; invoice rows: "default" / "custom" / "off"
    mode: str = Field(default="on", sa_column=sa.Column(sa.String(8), nullable=False))
    send_hour: int = Field(default=9, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))


class ReminderStep(SQLModel, table=True):
    __tablename__ = "reminder_step"
    __table_args__ = (sa.UniqueConstraint("schedule_key", "offset_days", name="uq_reminder_step_offset"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_key: str = Field(
        sa_column=sa.Column(
            sa.String(24), sa.ForeignKey("reminder_schedule.key", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    offset_days: int = Field(nullable=False)
    enabled: bool = Field(default=True, nullable=False)
    subject: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False, server_default=""))
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default=""))


class ReminderSend(SQLModel, table=True):
    """One reminder step done for an invoice: SENT (its email queued in the same transaction)
    or SKIPPED (by hand, too late after downtime, or superseded). The unique key (invoice,
    step day) is what makes every step happen at most once."""

    __tablename__ = "reminder_send"
    __table_args__ = (sa.UniqueConstraint("invoice_id", "step_date", name="uq_reminder_send_step"),)

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False)
    )
    offset_days: int = Field(nullable=False)
    step_date: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    outcome: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    reason: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    recipient: str = Field(default="", sa_column=sa.Column(sa.String(254), nullable=False))
    email_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer(), nullable=True))
    actor: str = Field(default="system", sa_column=sa.Column(sa.String(254), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )
