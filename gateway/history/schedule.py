"""The claim history refresh schedule: one row per (practice, payer with claim search), leased by
one refresher at a time.

Due rows are taken in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so refreshers
in several processes do not contend) and stamped with a lease in a conditional UPDATE only a free
row passes (atomic on SQLite too). The outcome is recorded only while the lease is still the
refresher's; one that dies holds nothing: its lease lapses and the refresh runs again (storing a
reported claim is an upsert, so nothing is stored twice).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.database import Database
from gateway.storage.history_tables import ClaimHistoryRefresh
from gateway.storage.tables import Practice, new_id


@dataclass(frozen=True, slots=True)
class LeasedRefresh:
    refresh_id: str
    practice_id: str
    payer_id: str
    lease_owner: str


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def ensure_refreshes(
    session: AsyncSession, payer_ids: Collection[str], first_due: datetime
) -> None:
    """A refresh row for every approved practice and every payer offering claim search."""
    if not payer_ids:
        return
    practices = list(
        await session.scalars(select(Practice.id).where(Practice.status == "approved"))
    )
    existing = set(
        (
            await session.execute(
                select(ClaimHistoryRefresh.practice_id, ClaimHistoryRefresh.payer_id)
            )
        ).all()
    )
    for practice_id in practices:
        for payer_id in payer_ids:
            if (practice_id, payer_id) not in existing:
                await _add(session, practice_id, payer_id, first_due)


async def _add(session: AsyncSession, practice_id: str, payer_id: str, due: datetime) -> None:
    await session.execute(
        _insert(session)(ClaimHistoryRefresh)
        .values(
            id=new_id(),
            practice_id=practice_id,
            payer_id=payer_id,
            next_refresh_at=due,
            refreshes=0,
            claims_reported=0,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["practice_id", "payer_id"])
    )


async def refresh_now(session: AsyncSession, practice_id: str, payer_id: str) -> None:
    """Make the practice's refresh from ``payer_id`` due now."""
    now = datetime.now(UTC)
    await _add(session, practice_id, payer_id, now)
    await session.execute(
        update(ClaimHistoryRefresh)
        .where(
            ClaimHistoryRefresh.practice_id == practice_id,
            ClaimHistoryRefresh.payer_id == payer_id,
            ClaimHistoryRefresh.next_refresh_at > now,
        )
        .values(next_refresh_at=now)
        .execution_options(synchronize_session=False)
    )


async def lease_due(
    database: Database,
    *,
    lease_seconds: float,
    limit: int,
    skip_payers: Collection[str] = (),
    only: tuple[str, str] | None = None,
) -> list[LeasedRefresh]:
    """Lease up to ``limit`` due refreshes (or the one ``(practice, payer)`` in ``only``, if due)."""
    now = datetime.now(UTC)
    owner = uuid.uuid4().hex
    free = or_(ClaimHistoryRefresh.leased_until.is_(None), ClaimHistoryRefresh.leased_until < now)
    statement = (
        select(ClaimHistoryRefresh.id)
        .where(free, ClaimHistoryRefresh.next_refresh_at <= now)
        .order_by(ClaimHistoryRefresh.next_refresh_at, ClaimHistoryRefresh.id)
        .limit(limit)
    )
    if only is not None:
        statement = statement.where(
            ClaimHistoryRefresh.practice_id == only[0], ClaimHistoryRefresh.payer_id == only[1]
        )
    if skip_payers:
        statement = statement.where(ClaimHistoryRefresh.payer_id.not_in(list(skip_payers)))
    if database.engine.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    async with database.transaction() as session:
        ids = list(await session.scalars(statement))
        if not ids:
            return []
        await session.execute(
            update(ClaimHistoryRefresh)
            .where(ClaimHistoryRefresh.id.in_(ids), free)
            .values(leased_until=now + timedelta(seconds=lease_seconds), lease_owner=owner)
            .execution_options(synchronize_session=False)
        )
        rows = await session.execute(
            select(
                ClaimHistoryRefresh.id,
                ClaimHistoryRefresh.practice_id,
                ClaimHistoryRefresh.payer_id,
            ).where(ClaimHistoryRefresh.id.in_(ids), ClaimHistoryRefresh.lease_owner == owner)
        )
        return [LeasedRefresh(i, practice, payer, owner) for i, practice, payer in rows]


async def renew(database: Database, lease: LeasedRefresh, lease_seconds: float) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(ClaimHistoryRefresh)
            .where(
                ClaimHistoryRefresh.id == lease.refresh_id,
                ClaimHistoryRefresh.lease_owner == lease.lease_owner,
            )
            .values(leased_until=datetime.now(UTC) + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )


async def finish(
    database: Database,
    lease: LeasedRefresh,
    *,
    next_refresh_at: datetime,
    claims_reported: int | None = None,
    failed: str | None = None,
) -> bool:
    """Record a refresh's outcome and free the lease, if it is still ours; False otherwise.

    ``claims_reported``: the payer answered (a completed refresh). ``failed``: the payer was called
    and failed (an attempt). Neither: the payer was not called (breaker open)."""
    values: dict[str, object] = {
        "leased_until": None,
        "lease_owner": None,
        "next_refresh_at": next_refresh_at,
    }
    if claims_reported is not None:
        values |= {
            "last_refreshed_at": datetime.now(UTC),
            "refreshes": ClaimHistoryRefresh.refreshes + 1,
            "claims_reported": claims_reported,
            "attempts": 0,
            "last_error": None,
        }
    elif failed is not None:
        values |= {"attempts": ClaimHistoryRefresh.attempts + 1, "last_error": failed[:200]}
    async with database.transaction() as session:
        result = await session.execute(
            update(ClaimHistoryRefresh)
            .where(
                ClaimHistoryRefresh.id == lease.refresh_id,
                ClaimHistoryRefresh.lease_owner == lease.lease_owner,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
