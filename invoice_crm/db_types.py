"""Column types that keep money exact and timestamps UTC-aware on every database.

``ScaledDecimal`` is NUMERIC on PostgreSQL and a scaled BIGINT elsewhere: SQLite has no
exact decimal storage (its NUMERIC affinity keeps fractions as binary floats), so there
money lives as integer cents and SQL sums stay exact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2, precision: int = 14) -> None:
        super().__init__()
        self.places = places
        self.precision = precision
        self._step = Decimal(1).scaleb(-places)

    def __repr__(self) -> str:  # rendered as-is into migrations
        return f"ScaledDecimal(places={self.places}, precision={self.precision})"

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(self.precision, self.places))
        return dialect.type_descriptor(BigInteger())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money and quantities must be Decimal, never float")
        value = Decimal(value)
        exact = value.quantize(self._step)
        if exact != value:
            raise ValueError(f"{value} has more than {self.places} decimal places")
        if dialect.name == "postgresql":
            return exact
        return int(exact.scaleb(self.places))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "postgresql":
            return Decimal(value).quantize(self._step)
        return Decimal(int(value)).scaleb(-self.places).quantize(self._step)

    def process_literal_param(self, value, dialect):
        return str(self.process_bind_param(value, dialect))

    @property
    def python_type(self):
        return Decimal


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps; naive datetimes are refused rather than guessed."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self):
        return datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
