"""Recurring profiles and the invoices they issued (one row per profile and period)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import ScaledDecimal, UTCDateTime, utcnow


class ProfileStatus(str, enum.Enum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    STOPPED = "STOPPED"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def _text(length: int, default: str = "") -> sa.Column:
    return sa.Column(sa.String(length), nullable=False, server_default=default)


class RecurringProfile(SQLModel, table=True):
    """What each issued invoice copies (client, project, lines, currency, terms) and when
    (the schedule). Editing it changes only invoices issued afterwards."""

    __tablename__ = "recurring_profile"
    __table_args__ = (sa.Index("ix_recurring_profile_status_next", "status", "next_issue_date"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", nullable=False, index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    # The lines as the editor submits them (description, quantity, unit price, discount, tax ids),
    # JSON with Decimals as strings: each issued invoice goes through the draft rules again.
    lines_json: str = Field(default="[]", sa_column=sa.Column(sa.Text(), nullable=False))
    currency: str = Field(default="USD", sa_column=sa.Column(sa.String(3), nullable=False))
    discount_kind: str = Field(default="", sa_column=_text(8))
    discount_value: Decimal = Field(
        default=Decimal("0.00"), sa_column=sa.Column(ScaledDecimal(2), nullable=False, server_default="0")
    )
    tax_inclusive: bool = Field(default=False, sa_column=sa.Column(sa.Boolean(), nullable=False))
    notes: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    frequency: str = Field(default="monthly", sa_column=_text(16, "monthly"))
    every: int = Field(default=1, nullable=False)
    start_date: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    end_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date()))
    occurrences: int | None = Field(default=None)
    day_of_month: int | None = Field(default=None)
    payment_terms_days: int = Field(default=14, nullable=False)
    auto_send: bool = Field(default=False, sa_column=sa.Column(sa.Boolean(), nullable=False))
    catch_up: str = Field(default="each", sa_column=_text(8, "each"))
    status: ProfileStatus = Field(
        default=ProfileStatus.ACTIVE,
        sa_column=sa.Column(
            sa.Enum(ProfileStatus, native_enum=False, length=16, create_constraint=False), nullable=False
        ),
    )
    # Periods before this date are never issued: the start, or the day of an edit or a resume
    # (an edit changes future invoices only; a pause skips the periods it covered).
    not_before: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    last_period: date | None = Field(default=None, sa_column=sa.Column(sa.Date()))
    issued_count: int = Field(default=0, nullable=False)
    # Derived from the above after every change (None: nothing more to issue); the worker's index.
    next_issue_date: date | None = Field(default=None, sa_column=sa.Column(sa.Date()))
    version: int = Field(default=1, nullable=False)
    # The worker's lease (services.jobs.leases.claim_rows).
    claimed_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    lease_expires_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))


class RecurringRun(SQLModel, table=True):
    """One issued period: written in the same transaction as its invoice, unique per
    (profile, period start), so no period is ever issued twice."""

    __tablename__ = "recurring_run"
    __table_args__ = (sa.UniqueConstraint("profile_id", "period_start", name="uq_recurring_run_period"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("recurring_profile.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    period_start: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    invoice_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("invoice.id", ondelete="SET NULL"), index=True),
    )
    # Auto-send: "" (left as a draft), "pending" (to email after commit), "queued", or why not.
    send_state: str = Field(default="", sa_column=_text(200))
    created_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False))
