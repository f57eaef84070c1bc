"""Every timestamp column reads back aware UTC: a new column declared as plain DateTime fails here."""

from __future__ import annotations

from sqlalchemy import DateTime

import gateway.storage.audit_tables
import gateway.storage.claims_tables
import gateway.storage.identity_tables  # noqa: F401  # every table module registers its tables
from gateway.storage.tables import Base
from gateway.storage.types import UtcDateTime


def test_every_timestamp_column_is_utc_datetime() -> None:
    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime) and not isinstance(column.type, UtcDateTime)
    ]
    assert plain == [], f"use gateway.storage.types.UtcDateTime for {plain}"
    assert any(
        isinstance(c.type, UtcDateTime) for t in Base.metadata.tables.values() for c in t.columns
    )
