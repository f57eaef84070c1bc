"""The practice's fee schedule: set entries (an upsert on their key) and look up an allowed amount."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.fee_schedule_tables import ANY_PAYER, FeeScheduleEntry
from gateway.storage.tables import new_id

#: Modifiers that change what a payer allows (professional/technical component, bilateral, reduced
#: or discontinued, co-surgeon, assistant); others (GP, 59, 25, RT...) do not change the price.
PRICING_MODIFIERS = frozenset({"26", "TC", "50", "52", "53", "62", "80", "81", "82", "AS"})
MAX_ENTRIES = 500  # per request


@dataclass(frozen=True, slots=True)
class FeeEntry:
    """One fee schedule entry as set by the practice (``payer_id`` None: any payer)."""

    payer_id: str | None
    procedure_code: str
    modifier: str | None
    allowed_amount: Decimal
    effective_from: date
    effective_to: date | None = None


def pricing_modifier(modifiers: Sequence[str]) -> str:
    """The first modifier that changes the price, or "" for none."""
    return next((m for m in modifiers if m in PRICING_MODIFIERS), "")


async def set_entries(
    session: AsyncSession, practice_id: str, entries: Sequence[FeeEntry], actor_id: str
) -> list[FeeScheduleEntry]:
    """Insert or replace ``entries`` (checked by the caller); the stored rows, in order."""
    builder = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    now = datetime.now(UTC)
    ids = []
    for entry in entries:
        values = {
            "payer_id": entry.payer_id or ANY_PAYER,
            "procedure_code": entry.procedure_code,
            "modifier": entry.modifier or "",
            "effective_from": entry.effective_from,
        }
        statement = builder(FeeScheduleEntry).values(
            id=new_id(),
            practice_id=practice_id,
            allowed_amount=entry.allowed_amount,
            effective_to=entry.effective_to,
            updated_at=now,
            updated_by=actor_id,
            **values,
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["practice_id", *values],
            set_={
                "allowed_amount": statement.excluded.allowed_amount,
                "effective_to": statement.excluded.effective_to,
                "updated_at": now,
                "updated_by": actor_id,
            },
        ).returning(FeeScheduleEntry.id)
        ids.append((await session.execute(upsert)).scalar_one())
    rows = {
        row.id: row
        for row in (
            await session.scalars(select(FeeScheduleEntry).where(FeeScheduleEntry.id.in_(ids)))
        ).all()
    }
    return [rows[i] for i in ids]


async def list_entries(
    session: AsyncSession,
    practice_id: str,
    *,
    payer_id: str | None = None,
    procedure_code: str | None = None,
    limit: int = 200,
) -> list[FeeScheduleEntry]:
    """The practice's entries, by code, payer and date (optionally one payer's or one code's)."""
    query = select(FeeScheduleEntry).where(FeeScheduleEntry.practice_id == practice_id)
    if payer_id is not None:
        query = query.where(FeeScheduleEntry.payer_id == payer_id)
    if procedure_code is not None:
        query = query.where(FeeScheduleEntry.procedure_code == procedure_code)
    query = query.order_by(
        FeeScheduleEntry.procedure_code,
        FeeScheduleEntry.payer_id,
        FeeScheduleEntry.modifier,
        FeeScheduleEntry.effective_from,
    ).limit(limit)
    return list((await session.scalars(query)).all())


async def scheduled_amount(
    session: AsyncSession,
    practice_id: str,
    payer_id: str,
    procedure_code: str,
    modifier: str,
    day: date,
) -> Decimal | None:
    """The per-unit allowed amount in effect on ``day``: the payer's own entry before an any-payer
    one, the exact pricing modifier before the bare code, the latest start first."""
    rows = (
        await session.scalars(
            select(FeeScheduleEntry).where(
                FeeScheduleEntry.practice_id == practice_id,
                FeeScheduleEntry.procedure_code == procedure_code,
                FeeScheduleEntry.payer_id.in_([payer_id, ANY_PAYER]),
                FeeScheduleEntry.modifier.in_([modifier, ""]),
                FeeScheduleEntry.effective_from <= day,
                or_(FeeScheduleEntry.effective_to.is_(None), FeeScheduleEntry.effective_to >= day),
            )
        )
    ).all()
    if not rows:
        return None
    best = min(
        rows,
        key=lambda r: (
            r.payer_id == ANY_PAYER,
            r.modifier != modifier,
            -r.effective_from.toordinal(),
        ),
    )
    return best.allowed_amount
