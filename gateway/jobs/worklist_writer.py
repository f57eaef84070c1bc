"""Where the batch runner hands a final check to the worklist: classify it and write its items.

Call it in the same transaction that records the check's final state, with what is STORED for the
check (its result JSON or error code, attempts), the patient's previous stored answer at that payer,
and the visit's codes, so the worklist always matches the stored result; items are unique per (check,
kind), so a check handed over twice writes once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.jobs.worklist import CheckFailure, PlannedVisit, classify
from gateway.jobs.worklist_store import CheckSubject, record_items
from payers.codesets import lookup
from payers.model import EligibilityResult


def planned_visit(
    day: date, service_types: Iterable[str], procedures: Iterable[str] = ()
) -> PlannedVisit:
    """A visit from its X12 service type codes and CPT/HCPCS codes, with their descriptions."""
    return PlannedVisit(
        day,
        tuple(lookup("service-type", code) for code in service_types),
        tuple(lookup("procedure", code) for code in procedures),
    )


async def write_check_worklist(
    session: AsyncSession,
    subject: CheckSubject,
    outcome: EligibilityResult | CheckFailure,
    previous: EligibilityResult | None = None,
    visit: PlannedVisit | None = None,
) -> int:
    """Classify one final check and write its items; answers how many were new."""
    return await record_items(session, subject, classify(outcome, previous, visit))
