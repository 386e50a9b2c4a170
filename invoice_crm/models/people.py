"""Who invoices are for (clients, projects, leads) and who uses the app (users, sessions)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow
from invoice_crm.domain.leads import LeadStatus


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only a hash of the token is stored."""

    __tablename__ = "user_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    user_id: int = Field(foreign_key="user.id", nullable=False, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))


class Client(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, index=True))
    email: str = Field(default="", sa_column=sa.Column(sa.String(254), nullable=False))
    company: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    address: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    tax_number: str = Field(default="", sa_column=sa.Column(sa.String(50), nullable=False, server_default=""))
    # Archived clients are hidden from pickers and kept with their invoices.
    archived_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", nullable=False, index=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class Lead(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", nullable=False, index=True)
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    status: LeadStatus = Field(
        default=LeadStatus.NEW,
        sa_column=sa.Column(
            sa.Enum(LeadStatus, native_enum=False, length=16, create_constraint=False),
            nullable=False,
        ),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
