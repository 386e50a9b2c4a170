"""What sign-in remembers between attempts: throttles per client address (and per address
and account), and the one-time set-up code that lets the first visitor create the owner."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow


class SignInThrottle(SQLModel, table=True):
    """Recent failures of one key: ``addr:<ip>`` or ``pair:<ip>|<email>`` (any email, known or not)."""

    __tablename__ = "sign_in_throttle"
    key: str = Field(sa_column=sa.Column(sa.String(400), primary_key=True))
    failures: int = Field(default=0, nullable=False)
    locked_until: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )


class SetupCode(SQLModel, table=True):
    """The current set-up code (its SHA-256 only); deleted when the owner account is made."""

    __tablename__ = "setup_code"
    id: int = Field(default=1, primary_key=True)
    code_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class RateLimit(SQLModel, table=True):
    """Uses of one key (``pay:invoice:<id>``, ``pay:addr:<ip>``) in the current one-minute window."""

    __tablename__ = "rate_limit"
    key: str = Field(sa_column=sa.Column(sa.String(200), primary_key=True))
    window_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))
    count: int = Field(default=0, nullable=False)
