"""Named leases for work that one process at a time (or once per period) may do."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime


class JobLease(SQLModel, table=True):
    """One row per named job: who holds it until when, and when it may next run.

    ``holder``/``expires_at`` make a leader lease (one holder at a time, lost when it lapses);
    ``next_run_at`` makes a period claim (the first process past it runs the job, once)."""

    __tablename__ = "job_lease"

    name: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    holder: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    next_run_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    last_run_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    last_run_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    runs: int = Field(default=0, nullable=False)
