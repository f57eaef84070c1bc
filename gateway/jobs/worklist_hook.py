"""The batch runner's step that turns final checks into worklist items, in the transaction that
records them.

It classifies what is STORED for each check (whatever process recorded it), so the worklist always
matches the stored result, and items are unique per (check, kind): a check handed over twice (a
crash, a lease taken over) writes its items once. What each check is compared with:

- previous: the coverage's last successful check of an earlier batch; without one, the card as the
  practice has it on file (plan name, group number), so a plan that moved on shows at the first batch;
- the visit: for a batch of a schedule day, the patient's booked appointments that day (their service
  types and planned procedures); for a list of patients, the service types the batch asked about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.jobs.results import result_from_json
from gateway.jobs.worklist import CheckFailure, PlannedVisit, WorklistItem, classify
from gateway.jobs.worklist_store import CheckSubject, record_many
from gateway.jobs.worklist_writer import planned_visit
from gateway.schedule import appointments_for_day
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.tables import Coverage
from payers.model import EligibilityResult, Plan

FINAL = ("succeeded", "failed")


#: What the recording process itself wrote for a check: its state, finished_at and answer.
Recorded = tuple[str, datetime | None, EligibilityResult | None]

#: The columns classification needs: the stored result is read only when this process did not
#: write the check's final state itself (parsing every result back costed ~12 % of a worker's CPU).
_COLUMNS = (
    EligibilityCheck.id,
    EligibilityCheck.batch_id,
    EligibilityCheck.practice_id,
    EligibilityCheck.patient_id,
    EligibilityCheck.coverage_id,
    EligibilityCheck.payer_id,
    EligibilityCheck.service_types,
    EligibilityCheck.state,
    EligibilityCheck.error_code,
    EligibilityCheck.attempts,
    EligibilityCheck.finished_at,
)


async def write_worklists(
    session: AsyncSession, check_ids: Sequence[str], recorded: Mapping[str, Recorded] | None = None
) -> int:
    """Classify the checks among ``check_ids`` that are final and write their items; answers how
    many items were new.

    A group of results costs a fixed handful of statements, not a few per check: one for the
    checks, one for their batches, one for the previous answers, one for the cards without one,
    and one insert per few hundred items (the runner records up to 500 checks at a time)."""
    if not check_ids:
        return 0
    checks = list(
        await session.execute(
            select(*_COLUMNS).where(
                EligibilityCheck.id.in_(list(check_ids)), EligibilityCheck.state.in_(FINAL)
            )
        )
    )
    if not checks:
        return 0
    outcomes = await _outcomes(session, checks, recorded or {})
    batches = {
        batch.id: batch
        for batch in await session.scalars(
            select(EligibilityBatch).where(EligibilityBatch.id.in_({c.batch_id for c in checks}))
        )
    }
    visits = {batch.id: await _scheduled_visits(session, batch) for batch in batches.values()}
    previous = await _previous_answers(session, checks)
    written: list[tuple[CheckSubject, Sequence[WorklistItem]]] = []
    for check in checks:
        batch = batches[check.batch_id]  # a check belongs to its batch (foreign key)
        visit = visits[batch.id].get(check.patient_id) or planned_visit(
            batch.as_of, check.service_types
        )
        subject = CheckSubject(
            check.practice_id,
            check.batch_id,
            check.id,
            check.patient_id,
            check.coverage_id,
            check.payer_id,
        )
        items = classify(outcomes[check.id], previous.get(check.id), visit)
        written.append((subject, items))
    return await record_many(session, written)


async def _outcomes(
    session: AsyncSession, checks: Sequence[Any], recorded: Mapping[str, Recorded]
) -> dict[str, EligibilityResult | CheckFailure]:
    """What each check ended with, as stored: the answer this process recorded when the stored
    state and finish time are the ones it wrote, else the stored result read back."""
    found: dict[str, EligibilityResult | CheckFailure] = {}
    unread: set[str] = set()
    for check in checks:
        mine = recorded.get(check.id)
        if check.state != "succeeded":
            found[check.id] = CheckFailure(
                check.error_code or "CHECK_FAILED", attempts=check.attempts
            )
        elif (
            mine is not None
            and mine[2] is not None
            and mine[:2] == (check.state, check.finished_at)
        ):
            found[check.id] = mine[2]
        else:
            unread.add(check.id)
    if unread:
        rows = await session.execute(
            select(EligibilityCheck.id, EligibilityCheck.result).where(
                EligibilityCheck.id.in_(unread)
            )
        )
        stored: dict[str, Any] = {check_id: result for check_id, result in rows}
        for check in checks:
            if check.id in unread:
                result = stored.get(check.id)
                found[check.id] = (
                    result_from_json(result)
                    if result is not None
                    else CheckFailure(check.error_code or "CHECK_FAILED", attempts=check.attempts)
                )
    return found


async def _previous_answers(
    session: AsyncSession, checks: Sequence[Any]
) -> dict[str, EligibilityResult]:
    """What each check is compared with, by check id: its coverage's last successful check of an
    earlier batch; without one, the card as the practice has it on file (plan name, group number)."""
    answers: dict[str, EligibilityResult] = {}
    by_batch: dict[str, list[Any]] = {}
    for check in checks:
        if check.coverage_id is not None:
            by_batch.setdefault(check.batch_id, []).append(check)
    for batch_id, group in by_batch.items():
        last = await _last_answers(session, batch_id, {c.coverage_id for c in group})
        for check in group:
            if check.coverage_id in last:
                answers[check.id] = last[check.coverage_id]
    on_file = [c for group in by_batch.values() for c in group if c.id not in answers]
    if on_file:
        cards = await _cards(session, {c.coverage_id for c in on_file})
        for check in on_file:
            card = cards.get(check.coverage_id)
            if card is not None:
                answers[check.id] = card
    return answers


async def _last_answers(
    session: AsyncSession, batch_id: str, coverage_ids: set[str]
) -> dict[str, EligibilityResult]:
    """Each coverage's newest successful answer from a batch other than ``batch_id``."""
    ranked = (
        select(
            EligibilityCheck.coverage_id,
            EligibilityCheck.result,
            func.row_number()
            .over(
                partition_by=EligibilityCheck.coverage_id,
                order_by=(EligibilityCheck.finished_at.desc(), EligibilityCheck.id.desc()),
            )
            .label("newest"),
        )
        .where(
            EligibilityCheck.coverage_id.in_(coverage_ids),
            EligibilityCheck.batch_id != batch_id,
            EligibilityCheck.state == "succeeded",
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.coverage_id, ranked.c.result).where(ranked.c.newest == 1)
    )
    return {coverage_id: result_from_json(result) for coverage_id, result in rows if result}


async def _cards(session: AsyncSession, coverage_ids: set[str]) -> dict[str, EligibilityResult]:
    """The cards on file that name a plan or group, as the answer a first check is compared with."""
    rows = await session.execute(
        select(
            Coverage.id,
            Coverage.payer_id,
            Coverage.member_id,
            Coverage.plan_name,
            Coverage.group_number,
            Coverage.effective_from,
        ).where(Coverage.id.in_(coverage_ids))
    )
    return {
        row.id: EligibilityResult(
            payer_id=row.payer_id,
            member_id=row.member_id,
            active=True,
            as_of=row.effective_from or date.min,
            plan=Plan(name=row.plan_name, group_number=row.group_number),
        )
        for row in rows
        if row.plan_name or row.group_number
    }


async def _scheduled_visits(
    session: AsyncSession, batch: EligibilityBatch
) -> dict[str, PlannedVisit]:
    """The planned visit of each patient booked on the batch's schedule day (none for a list)."""
    if batch.schedule_date is None:
        return {}
    types: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for visit in await appointments_for_day(session, batch.practice_id, batch.schedule_date):
        types.setdefault(visit.patient_id, []).extend(visit.service_types)
        codes.setdefault(visit.patient_id, []).extend(p.code for p in visit.procedures)
    return {
        patient: planned_visit(
            batch.schedule_date, dict.fromkeys(types[patient]), dict.fromkeys(codes[patient])
        )
        for patient in types
    }
