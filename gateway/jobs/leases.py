"""The SQL of batch checks: lease due checks, renew leases, record outcomes, finish batches.

Leasing follows the claims outbox (gateway/claims/dispatcher.py): a short transaction takes due
checks (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and stamps them with ``lease_owner`` and
``leased_until`` in one conditional UPDATE, atomic on SQLite too. An outcome is written only while
the lease is still the writer's (``WHERE lease_owner = :owner AND state = 'pending'``), so a check a
dead process had in flight is taken over once its lease lapses and recorded exactly once. A lapsed
lease counts as an attempt: the check may have reached the payer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, or_, select, update

from gateway.jobs.worklist_hook import write_worklists
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient
from payers.model import EligibilityResult, MemberQuery, SubscriberRelation

CHECKS: Table = EligibilityCheck.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class LeasedCheck:
    """One check this process holds a lease on, with what the payer is asked."""

    check_id: str
    batch_id: str
    practice_id: str
    payer_id: str
    member: MemberQuery
    service_types: tuple[str, ...]
    as_of: date
    attempts: int
    retry_until: datetime
    lease_owner: str


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """How one check ends this round: its new state and what is written with it."""

    check: LeasedCheck
    state: str  # pending | succeeded | failed
    attempted: bool
    next_attempt_at: datetime
    result: dict[str, Any] | None = None
    error_code: str | None = None
    last_error: str | None = None
    finished_at: datetime | None = None
    #: The answer itself, kept in memory so the worklist need not parse ``result`` back.
    answer: EligibilityResult | None = None


def new_owner() -> str:
    return uuid.uuid4().hex


def _free(now: datetime) -> Any:
    return or_(EligibilityCheck.leased_until.is_(None), EligibilityCheck.leased_until < now)


async def payers_with_due_checks(database: Database, skip: Iterable[str]) -> list[str]:
    """The payers that have checks due now and not leased (one indexed query)."""
    now = datetime.now(UTC)
    query = (
        select(EligibilityCheck.payer_id)
        .where(
            EligibilityCheck.state == "pending",
            EligibilityCheck.next_attempt_at <= now,
            _free(now),
        )
        .distinct()
    )
    skipped = list(skip)
    if skipped:
        query = query.where(EligibilityCheck.payer_id.not_in(skipped))
    async with database.session() as session:
        return list(await session.scalars(query))


async def lease_due(
    database: Database, payer_id: str, limit: int, owner: str, lease: timedelta
) -> list[LeasedCheck]:
    """Lease up to ``limit`` due checks at one payer for ``owner``, oldest due first."""
    now = datetime.now(UTC)
    locking = database.engine.dialect.name == "postgresql"
    async with database.transaction() as session:
        due = (
            select(EligibilityCheck.id)
            .where(
                EligibilityCheck.state == "pending",
                EligibilityCheck.payer_id == payer_id,
                EligibilityCheck.next_attempt_at <= now,
                _free(now),
            )
            .order_by(EligibilityCheck.next_attempt_at, EligibilityCheck.id)
            .limit(limit)
        )
        if locking:
            due = due.with_for_update(skip_locked=True)
        ids = list(await session.scalars(due))
        if not ids:
            return []
        await session.execute(
            update(EligibilityCheck)
            .where(EligibilityCheck.id.in_(ids), EligibilityCheck.state == "pending", _free(now))
            .values(
                lease_owner=owner,
                leased_until=now + lease,
                attempts=EligibilityCheck.attempts
                + case((EligibilityCheck.leased_until.is_not(None), 1), else_=0),
            )
            .execution_options(synchronize_session=False)
        )
        rows = (
            await session.execute(
                select(EligibilityCheck, EligibilityBatch.as_of, EligibilityBatch.retry_until)
                .join(EligibilityBatch, EligibilityBatch.id == EligibilityCheck.batch_id)
                .where(EligibilityCheck.id.in_(ids), EligibilityCheck.lease_owner == owner)
                .order_by(EligibilityCheck.next_attempt_at, EligibilityCheck.id)
            )
        ).all()
        members = await _members(session, [check.coverage_id for check, _, _ in rows])
        batch_ids = {check.batch_id for check, _, _ in rows}
        await session.execute(
            update(EligibilityBatch)
            .where(EligibilityBatch.id.in_(batch_ids), EligibilityBatch.started_at.is_(None))
            .values(status="running", started_at=now)
            .execution_options(synchronize_session=False)
        )
    return [
        LeasedCheck(
            check_id=check.id,
            batch_id=check.batch_id,
            practice_id=check.practice_id,
            payer_id=check.payer_id,
            member=members[check.coverage_id],
            service_types=tuple(check.service_types),
            as_of=as_of,
            attempts=check.attempts,
            retry_until=retry_until,
            lease_owner=owner,
        )
        for check, as_of, retry_until in rows
        if check.coverage_id in members
    ]


async def _members(session: Any, coverage_ids: Sequence[str]) -> dict[str, MemberQuery]:
    """What each coverage's payer matches on: the card's member id and the patient's demographics."""
    rows = await session.execute(
        select(Coverage, Patient)
        .join(Patient, Patient.id == Coverage.patient_id)
        .where(Coverage.id.in_(coverage_ids))
    )
    return {
        coverage.id: MemberQuery(
            member_id=coverage.member_id,
            first_name=patient.first_name,
            last_name=patient.last_name,
            birth_date=patient.birth_date,
            group_number=coverage.group_number,
            relation=SubscriberRelation(coverage.relation),
        )
        for coverage, patient in rows
    }


async def renew(database: Database, owner: str, check_ids: Sequence[str], lease: timedelta) -> None:
    if not check_ids:
        return
    async with database.transaction() as session:
        await session.execute(
            update(EligibilityCheck)
            .where(EligibilityCheck.id.in_(check_ids), EligibilityCheck.lease_owner == owner)
            .values(leased_until=datetime.now(UTC) + lease)
            .execution_options(synchronize_session=False)
        )


_RECORD = (
    CHECKS.update()
    .where(
        and_(
            CHECKS.c.id == bindparam("b_id"),
            CHECKS.c.lease_owner == bindparam("b_owner"),
            CHECKS.c.state == "pending",
        )
    )
    .values(
        state=bindparam("b_state"),
        attempts=CHECKS.c.attempts + bindparam("b_attempted"),
        next_attempt_at=bindparam("b_next", type_=CHECKS.c.next_attempt_at.type),
        result=bindparam("b_result", type_=CHECKS.c.result.type),
        error_code=bindparam("b_error"),
        last_error=bindparam("b_last_error"),
        finished_at=bindparam("b_finished", type_=CHECKS.c.finished_at.type),
        lease_owner=None,
        leased_until=None,
    )
)


async def record(database: Database, outcomes: Sequence[CheckOutcome]) -> set[str]:
    """Write outcomes in one transaction (each only if its lease is still ours); returns the batch
    ids that may have just finished."""
    if not outcomes:
        return set()
    params = [
        {
            "b_id": o.check.check_id,
            "b_owner": o.check.lease_owner,
            "b_state": o.state,
            "b_attempted": 1 if o.attempted else 0,
            "b_next": o.next_attempt_at,
            "b_result": o.result,
            "b_error": o.error_code,
            "b_last_error": o.last_error,
            "b_finished": o.finished_at,
        }
        for o in outcomes
    ]
    async with database.transaction() as session:
        await session.execute(_RECORD, params)
        # The worklist is written with the results it comes from, or not at all.
        final = [o for o in outcomes if o.state != "pending"]
        await write_worklists(
            session,
            [o.check.check_id for o in final],
            {o.check.check_id: (o.state, o.finished_at, o.answer) for o in final},
        )
    return {o.check.batch_id for o in outcomes if o.state != "pending"}


async def unfinished_without_pending(database: Database) -> list[str]:
    """Batches not marked finished that have no pending check left."""
    pending = (
        select(EligibilityCheck.id)
        .where(
            EligibilityCheck.batch_id == EligibilityBatch.id, EligibilityCheck.state == "pending"
        )
        .exists()
    )
    async with database.session() as session:
        return list(
            await session.scalars(
                select(EligibilityBatch.id).where(EligibilityBatch.status != "finished", ~pending)
            )
        )


async def finish_batches(database: Database, batch_ids: Iterable[str]) -> list[str]:
    """Mark batches with no pending check as finished, with their counts; returns those finished."""
    finished = []
    for batch_id in batch_ids:
        async with database.transaction() as session:
            # Most calls come while checks are still pending: an index seek says so without
            # counting the whole batch (the writer calls this after every group of results).
            still_pending = await session.scalar(
                select(EligibilityCheck.id)
                .where(EligibilityCheck.batch_id == batch_id, EligibilityCheck.state == "pending")
                .limit(1)
            )
            if still_pending is not None:
                continue
            counts = dict(
                (
                    await session.execute(
                        select(EligibilityCheck.state, func.count())
                        .where(EligibilityCheck.batch_id == batch_id)
                        .group_by(EligibilityCheck.state)
                    )
                ).all()
            )
            if counts.get("pending"):
                continue
            done = await session.execute(
                update(EligibilityBatch)
                .where(EligibilityBatch.id == batch_id, EligibilityBatch.status != "finished")
                .values(
                    status="finished",
                    succeeded=counts.get("succeeded", 0),
                    failed=counts.get("failed", 0),
                    finished_at=datetime.now(UTC),
                )
                .execution_options(synchronize_session=False)
            )
            if done.rowcount:  # type: ignore[attr-defined]
                finished.append(batch_id)
    return finished
