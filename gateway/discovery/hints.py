"""Keep the other coverage payers report in eligibility answers as the patient's COB hints.

Written once per (practice, patient, reporting payer, other payer) with an upsert, so any number of
replicas answering the same eligibility check at once leave one row; a hint seen again only moves
``last_seen_at`` and takes what the payer says now (member id, dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.coverage_hint_tables import CoverageHint
from gateway.storage.database import Database
from gateway.storage.tables import new_id
from payers.model import OtherCoverage


def hint_key(other: OtherCoverage) -> str:
    """What identifies the other payer: its reported id, else its name (upper-cased, trimmed)."""
    return " ".join((other.payer_id or other.payer_name).split()).upper()[:80]


async def record_hints(
    database: Database,
    practice_id: str,
    patient_id: str,
    reporting_payer_id: str,
    others: Sequence[OtherCoverage],
) -> None:
    """Store or refresh each reported other coverage of the patient."""
    if not others:
        return
    now = datetime.now(UTC)
    async with database.transaction() as session:
        for other in others:
            await _upsert(session, practice_id, patient_id, reporting_payer_id, other, now)


async def _upsert(
    session: AsyncSession,
    practice_id: str,
    patient_id: str,
    reporting_payer_id: str,
    other: OtherCoverage,
    now: datetime,
) -> None:
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    said = {
        "other_payer_name": other.payer_name[:80],
        "other_payer_id": _cut(other.payer_id),
        "member_id": _cut(other.member_id),
        "start_date": other.start,
        "end_date": other.end,
        "last_seen_at": now,
    }
    statement = builder(CoverageHint).values(
        id=new_id(),
        practice_id=practice_id,
        patient_id=patient_id,
        reporting_payer_id=reporting_payer_id,
        other_payer_key=hint_key(other),
        first_seen_at=now,
        **said,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["practice_id", "patient_id", "reporting_payer_id", "other_payer_key"],
            set_=said,
        )
    )


def _cut(value: str | None) -> str | None:
    return value.strip()[:80] or None if value else None


async def hints_of(database: Database, practice_id: str, patient_id: str) -> list[CoverageHint]:
    """The patient's hints, most recently seen first (only the practice's own)."""
    async with database.session() as session:
        rows = await session.scalars(
            select(CoverageHint)
            .where(CoverageHint.practice_id == practice_id, CoverageHint.patient_id == patient_id)
            .order_by(CoverageHint.last_seen_at.desc(), CoverageHint.id)
        )
        return list(rows)
