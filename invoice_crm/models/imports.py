"""What was imported from CSV files: one row per imported client or invoice, by its content key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from invoice_crm.db_types import UTCDateTime, utcnow


class ImportFingerprint(SQLModel, table=True):
    """The content key of an imported row (``client`` + email or name, ``invoice`` + number)
    and a digest of what it said: importing the same file again finds every key and creates
    nothing twice; the unique key makes a racing second import fail instead of doubling."""

    __tablename__ = "import_fingerprint"
    __table_args__ = (sa.UniqueConstraint("kind", "natural_key", name="uq_import_fingerprint_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    natural_key: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    digest: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    result_id: int = Field(nullable=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
