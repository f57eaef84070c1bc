"""Eligibility checks stored as the batch runner stores them, for the eligibilityHistory tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gateway.jobs.results import result_to_json
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage
from payers.codesets import lookup
from payers.model import (
    Benefit,
    BenefitKind,
    CoverageLevel,
    EligibilityResult,
    Network,
    Plan,
)

ELIGIBILITY = """
query Eligibility($filter: EligibilityHistoryFilter, $first: Int = 100, $after: String) {
  eligibilityHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id source batchId checkedAt recordedAt asOf payerId payer { id name } patientKey
      outcome active plan { name groupNumber groupName } deductibleRemaining outOfPocketRemaining
      errorCode errorDescription attempts
    } }
  }
}"""


def _benefit(kind: BenefitKind, remaining: str, **extra: Any) -> Benefit:
    code = {BenefitKind.DEDUCTIBLE: "C", BenefitKind.OUT_OF_POCKET: "G"}[kind]
    return Benefit(
        kind=kind,
        code=lookup("benefit-kind", code),
        remaining=Decimal(remaining),
        time_period=lookup("time-period", "23"),
        **extra,
    )


def answer(payer_id: str, member_id: str, *, active: bool = True) -> EligibilityResult:
    """A payer's answer stating several deductibles and out-of-pocket lines: only the in-network
    individual plan-wide ones are what the history reports."""
    in_network = {"network": Network.IN_NETWORK, "coverage_level": CoverageLevel.INDIVIDUAL}
    return EligibilityResult(
        payer_id=payer_id,
        member_id=member_id,
        active=active,
        as_of=date(2026, 3, 9),
        plan=Plan(name="Silver PPO", group_number="GRP-778", group_name="Harbor Works"),
        benefits=(
            # a line for one service type, listed first: not the plan-wide amount
            _benefit(
                BenefitKind.DEDUCTIBLE,
                "50.00",
                service_types=(lookup("service-type", "98"),),
                **in_network,
            ),
            _benefit(
                BenefitKind.DEDUCTIBLE,
                "3000.00",
                network=Network.OUT_OF_NETWORK,
                coverage_level=CoverageLevel.INDIVIDUAL,
            ),
            _benefit(
                BenefitKind.DEDUCTIBLE,
                "1900.00",
                network=Network.IN_NETWORK,
                coverage_level=CoverageLevel.FAMILY,
            ),
            _benefit(
                BenefitKind.DEDUCTIBLE,
                "820.10",
                service_types=(lookup("service-type", "30"),),
                **in_network,
            ),
            _benefit(BenefitKind.OUT_OF_POCKET, "2500.55", **in_network),
        ),
    )


@dataclass
class Stored:
    """What one stored check should read as."""

    id: str
    batch_id: str
    payer_id: str
    patient_id: str
    finished_at: datetime
    state: str
    active: bool | None


async def cards(database: Database, practice_id: str) -> list[Coverage]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(Coverage).where(Coverage.practice_id == practice_id).order_by(Coverage.id)
            )
        )


async def new_batch(database: Database, practice_id: str, as_of: date = date(2026, 3, 9)) -> str:
    async with database.transaction() as session:
        batch = EligibilityBatch(
            practice_id=practice_id,
            idempotency_key=str(uuid.uuid4()),
            request_digest="0" * 64,
            source="patients",
            as_of=as_of,
            status="finished",
            retry_until=datetime.now(UTC) + timedelta(hours=1),
        )
        session.add(batch)
        await session.flush()
        return batch.id


async def store_check(
    database: Database,
    card: Coverage,
    finished_at: datetime | None,
    *,
    batch_id: str | None = None,
    state: str = "succeeded",
    active: bool = True,
    error_code: str | None = None,
    attempts: int = 1,
    check_id: str | None = None,
) -> Stored:
    """One check of ``card`` (in a batch of its own unless ``batch_id``), ended at ``finished_at``
    (None: still pending) as the runner writes it."""
    batch_id = batch_id or await new_batch(database, card.practice_id)
    result = None
    if state == "succeeded":
        result = result_to_json(answer(card.payer_id, card.member_id, active=active))
    async with database.transaction() as session:
        check = EligibilityCheck(
            batch_id=batch_id,
            practice_id=card.practice_id,
            patient_id=card.patient_id,
            coverage_id=card.id,
            payer_id=card.payer_id,
            service_types=["30"],
            state=state,
            attempts=attempts,
            result=result,
            error_code=error_code,
            finished_at=finished_at,
        )
        if check_id is not None:
            check.id = check_id
        session.add(check)
        await session.flush()
        return Stored(
            check.id,
            batch_id,
            card.payer_id,
            card.patient_id,
            finished_at or datetime.now(UTC),
            state,
            active if state == "succeeded" else None,
        )
