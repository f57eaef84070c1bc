"""The remittance pull schedule: one row per (practice, payer), leased by one puller at a time.

A pull is due when ``next_pull_at`` has passed. A puller takes due rows in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL so pullers do not contend) and stamps each with a lease in a
conditional UPDATE that only a free row passes, which is atomic on SQLite too; the outcome is recorded
only while the lease is still the puller's. A puller that dies holds nothing: its lease lapses and
the pull runs again (posting is idempotent by trace number, so nothing is posted twice).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittancePull
from gateway.storage.tables import Practice, new_id


@dataclass(frozen=True, slots=True)
class LeasedPull:
    """A pull this puller holds: whose remittances to fetch, from when, and the practice's NPI."""

    pull_id: str
    practice_id: str
    practice_npi: str
    payer_id: str
    since: date | None
    lease_owner: str


async def ensure_pulls(
    session: AsyncSession, payer_ids: Collection[str], first_due: datetime
) -> None:
    """A pull row for every approved practice and every payer that can send remittances, first due
    at ``first_due``: a process that starts (or a practice that is approved) does not ask every
    payer at once; a settled claim or ``fetchRemittances`` makes a pull due sooner (:func:`pull_now`)."""
    if not payer_ids:
        return
    practices = list(
        await session.scalars(select(Practice.id).where(Practice.status == "approved"))
    )
    existing = set(
        (await session.execute(select(RemittancePull.practice_id, RemittancePull.payer_id))).all()
    )
    for practice_id in practices:
        for payer_id in payer_ids:
            if (practice_id, payer_id) not in existing:
                await _insert_pull(session, practice_id, payer_id, first_due)


async def _insert_pull(
    session: AsyncSession, practice_id: str, payer_id: str, due: datetime
) -> None:
    builder = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    await session.execute(
        builder(RemittancePull)
        .values(
            id=new_id(), practice_id=practice_id, payer_id=payer_id, next_pull_at=due, attempts=0
        )
        .on_conflict_do_nothing(index_elements=["practice_id", "payer_id"])
    )


async def pull_now(session: AsyncSession, practice_id: str, payer_id: str) -> None:
    """Make the practice's pull from ``payer_id`` due now (a claim settled, or someone asked)."""
    now = datetime.now(UTC)
    await _insert_pull(session, practice_id, payer_id, now)
    await session.execute(
        update(RemittancePull)
        .where(
            RemittancePull.practice_id == practice_id,
            RemittancePull.payer_id == payer_id,
            RemittancePull.next_pull_at > now,
        )
        .values(next_pull_at=now)
        .execution_options(synchronize_session=False)
    )


async def lease_due(
    database: Database,
    *,
    lease_seconds: float,
    limit: int,
    skip_payers: Collection[str] = (),
    only: tuple[str, str] | None = None,
) -> list[LeasedPull]:
    """Lease up to ``limit`` due pulls (or the one ``(practice, payer)`` in ``only``, due or not)."""
    now = datetime.now(UTC)
    owner = uuid.uuid4().hex
    free = or_(RemittancePull.leased_until.is_(None), RemittancePull.leased_until < now)
    statement = select(RemittancePull.id).where(free).limit(limit)
    if only is not None:
        statement = statement.where(
            RemittancePull.practice_id == only[0], RemittancePull.payer_id == only[1]
        )
    else:
        statement = statement.where(RemittancePull.next_pull_at <= now).order_by(
            RemittancePull.next_pull_at, RemittancePull.id
        )
    if skip_payers:
        statement = statement.where(RemittancePull.payer_id.not_in(list(skip_payers)))
    locking = database.engine.dialect.name == "postgresql"
    if locking:
        statement = statement.with_for_update(skip_locked=True)
    async with database.transaction() as session:
        ids = list(await session.scalars(statement))
        if not ids:
            return []
        await session.execute(
            update(RemittancePull)
            .where(RemittancePull.id.in_(ids), free)
            .values(leased_until=now + timedelta(seconds=lease_seconds), lease_owner=owner)
            .execution_options(synchronize_session=False)
        )
        rows = await session.execute(
            select(RemittancePull, Practice.npi)
            .join(Practice, Practice.id == RemittancePull.practice_id)
            .where(RemittancePull.id.in_(ids), RemittancePull.lease_owner == owner)
        )
        return [
            LeasedPull(pull.id, pull.practice_id, npi, pull.payer_id, pull.last_paid_on, owner)
            for pull, npi in rows
        ]


async def renew(database: Database, pull: LeasedPull, lease_seconds: float) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(RemittancePull)
            .where(
                RemittancePull.id == pull.pull_id, RemittancePull.lease_owner == pull.lease_owner
            )
            .values(leased_until=datetime.now(UTC) + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )


async def finish(
    database: Database,
    pull: LeasedPull,
    *,
    next_pull_at: datetime,
    pulled: bool,
    newest_paid_on: date | None = None,
    failed: str | None = None,
) -> bool:
    """Record a pull's outcome and free its lease, if the lease is still ours; False otherwise.

    ``pulled``: the payer answered (attempts start over). ``failed``: the payer was called and
    failed (an attempt). Neither: the payer was not called (breaker open), not an attempt."""
    now = datetime.now(UTC)
    values: dict[str, object] = {
        "leased_until": None,
        "lease_owner": None,
        "next_pull_at": next_pull_at,
    }
    if pulled:
        values |= {"last_pulled_at": now, "attempts": 0, "last_error": None}
        if newest_paid_on is not None:
            values["last_paid_on"] = newest_paid_on
    elif failed is not None:
        values |= {"attempts": RemittancePull.attempts + 1, "last_error": failed[:200]}
    async with database.transaction() as session:
        result = await session.execute(
            update(RemittancePull)
            .where(
                RemittancePull.id == pull.pull_id, RemittancePull.lease_owner == pull.lease_owner
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
