"""Column types shared by the tables. :class:`UtcDateTime` is the only timestamp column type.

PostgreSQL's ``timestamptz`` hands back aware datetimes, but SQLite stores text and hands back naive
ones, so the same row showed ``+00:00`` when just written and no offset when read back. This type
makes every timestamp aware UTC in both directions, on every database; the storage type is still
``DateTime(timezone=True)``, so the migrations do not change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always reads and writes aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime):
            return as_utc(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if isinstance(value, str):  # SQLite when read through a raw or text() column
            value = datetime.fromisoformat(value)
        return as_utc(value) if value is not None else None


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC, which is how the gateway has always stored them."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
