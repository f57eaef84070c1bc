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

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.jobs.results import result_from_json
from gateway.jobs.worklist import CheckFailure, PlannedVisit
from gateway.jobs.worklist_store import CheckSubject
from gateway.jobs.worklist_writer import planned_visit, write_check_worklist
from gateway.schedule import appointments_for_day
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.tables import Coverage
from payers.model import EligibilityResult, Plan

FINAL = ("succeeded", "failed")


async def write_worklists(session: AsyncSession, check_ids: Sequence[str]) -> int:
    """Classify the checks among ``check_ids`` that are final and write their items; answers how
    many items were new."""
    if not check_ids:
        return 0
    checks = list(
        await session.scalars(
            select(EligibilityCheck).where(
                EligibilityCheck.id.in_(list(check_ids)), EligibilityCheck.state.in_(FINAL)
            )
        )
    )
    visits: dict[str, dict[str, PlannedVisit]] = {}
    written = 0
    for check in checks:
        batch = await session.get(EligibilityBatch, check.batch_id)
        assert batch is not None  # a check belongs to its batch (foreign key)
        if batch.id not in visits:
            visits[batch.id] = await _scheduled_visits(session, batch)
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
        previous = await _previous(session, check)
        written += await write_check_worklist(session, subject, _outcome(check), previous, visit)
    return written


def _outcome(check: EligibilityCheck) -> EligibilityResult | CheckFailure:
    if check.state == "succeeded" and check.result is not None:
        return result_from_json(check.result)
    return CheckFailure(check.error_code or "CHECK_FAILED", attempts=check.attempts)


async def _previous(session: AsyncSession, check: EligibilityCheck) -> EligibilityResult | None:
    earlier = await session.scalar(
        select(EligibilityCheck.result)
        .where(
            EligibilityCheck.coverage_id == check.coverage_id,
            EligibilityCheck.batch_id != check.batch_id,
            EligibilityCheck.state == "succeeded",
        )
        .order_by(EligibilityCheck.finished_at.desc())
        .limit(1)
    )
    if earlier is not None:
        return result_from_json(earlier)
    card = await session.get(Coverage, check.coverage_id)
    if card is None or not (card.plan_name or card.group_number):
        return None
    return EligibilityResult(
        payer_id=card.payer_id,
        member_id=card.member_id,
        active=True,
        as_of=card.effective_from or date.min,
        plan=Plan(name=card.plan_name, group_number=card.group_number),
    )


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
