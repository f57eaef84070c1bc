"""Eligibility history, a page at a time: the practice's final batch eligibility checks.

Only checks with a final outcome are history (``succeeded``: the payer answered, active or not;
``failed``: no answer in the end); a pending check is still work. Ordered by when the check ended
(newest first) then id: a total order, so the keyset cursor (the last row's instant and id) picks up
exactly where a page ended while batches keep finishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.history.filters import EligibilityFilter
from gateway.jobs.results import result_from_json
from gateway.schedule.clock import day_bounds, practice_zone
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.tables import Coverage
from payers.model import Benefit, BenefitKind, CoverageLevel, EligibilityResult, Network

FINAL_STATES = ("succeeded", "failed")
HEALTH_BENEFIT_PLAN = "30"  # X12 service type for the plan as a whole


@dataclass(frozen=True, slots=True)
class EligibilityHistoryRow:
    id: str
    batch_id: str
    payer_id: str
    patient_id: str
    member_id: str | None  # the checked card's, as the practice entered it
    state: str
    attempts: int
    error_code: str | None
    result: EligibilityResult | None
    as_of: date
    finished_at: datetime
    recorded_at: datetime  # when the batch that asked for the check was recorded

    @property
    def outcome(self) -> str:
        if self.state != "succeeded" or self.result is None:
            return "FAILED"
        return "ACTIVE" if self.result.active else "INACTIVE"


@dataclass(frozen=True, slots=True)
class EligibilityHistoryPage:
    rows: list[EligibilityHistoryRow]
    has_next_page: bool


def _active() -> ColumnElement[bool]:
    return EligibilityCheck.result["active"].as_boolean() == true()


def _outcome(outcome: str) -> ColumnElement[bool]:
    succeeded = EligibilityCheck.state == "succeeded"
    if outcome == "ACTIVE":
        return and_(succeeded, _active())
    if outcome == "INACTIVE":
        return and_(succeeded, ~_active())
    return EligibilityCheck.state == "failed"


async def _conditions(
    session: AsyncSession, practice_id: str, wanted: EligibilityFilter
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [
        EligibilityCheck.practice_id == practice_id,
        EligibilityCheck.state.in_(FINAL_STATES),
        EligibilityCheck.finished_at.is_not(None),
    ]
    if wanted.payer_ids:
        found.append(EligibilityCheck.payer_id.in_(wanted.payer_ids))
    if wanted.outcomes:
        found.append(or_(*(_outcome(o) for o in wanted.outcomes)))
    if wanted.error_codes:
        found.append(EligibilityCheck.error_code.in_(wanted.error_codes))
    if wanted.checked_from is not None or wanted.checked_to is not None:
        # The practice's days: a check at 21:00 in New York is that day's, not tomorrow's (UTC).
        zone = await practice_zone(session, practice_id)
        if wanted.checked_from is not None:
            found.append(EligibilityCheck.finished_at >= day_bounds(wanted.checked_from, zone)[0])
        if wanted.checked_to is not None:
            found.append(EligibilityCheck.finished_at < day_bounds(wanted.checked_to, zone)[1])
    return found


def _rows(practice_id: str) -> Select[Any]:
    return (
        select(
            EligibilityCheck.id,
            EligibilityCheck.batch_id,
            EligibilityCheck.payer_id,
            EligibilityCheck.patient_id,
            Coverage.member_id,
            EligibilityCheck.state,
            EligibilityCheck.attempts,
            EligibilityCheck.error_code,
            EligibilityCheck.result,
            EligibilityBatch.as_of,
            EligibilityCheck.finished_at,
            EligibilityBatch.created_at.label("recorded_at"),
        )
        .join(
            EligibilityBatch,
            and_(
                EligibilityBatch.id == EligibilityCheck.batch_id,
                EligibilityBatch.practice_id == practice_id,
            ),
        )
        .outerjoin(
            Coverage,
            and_(Coverage.id == EligibilityCheck.coverage_id, Coverage.practice_id == practice_id),
        )
    )


def _row(mapping: Any) -> EligibilityHistoryRow:
    values = dict(mapping)
    stored = values.pop("result")
    return EligibilityHistoryRow(
        **values, result=result_from_json(stored) if stored is not None else None
    )


async def eligibility_history_page(
    session: AsyncSession,
    practice_id: str,
    wanted: EligibilityFilter,
    *,
    first: int,
    after: tuple[datetime, str] | None = None,
) -> EligibilityHistoryPage:
    """``first`` checks after the key ``after`` (a check's finished_at and id), newest first."""
    statement = _rows(practice_id).where(*await _conditions(session, practice_id, wanted))
    if after is not None:
        moment, row_id = after
        statement = statement.where(
            or_(
                EligibilityCheck.finished_at < moment,
                and_(EligibilityCheck.finished_at == moment, EligibilityCheck.id < row_id),
            )
        )
    statement = statement.order_by(
        EligibilityCheck.finished_at.desc(), EligibilityCheck.id.desc()
    ).limit(first + 1)
    found = [_row(row._mapping) for row in await session.execute(statement)]
    return EligibilityHistoryPage(found[:first], len(found) > first)


async def eligibility_history_count(
    session: AsyncSession, practice_id: str, wanted: EligibilityFilter
) -> int:
    """How many checks the filter holds (all pages)."""
    conditions = await _conditions(session, practice_id, wanted)
    count = await session.scalar(
        select(func.count())
        .select_from(EligibilityCheck)
        .join(
            EligibilityBatch,
            and_(
                EligibilityBatch.id == EligibilityCheck.batch_id,
                EligibilityBatch.practice_id == practice_id,
            ),
        )
        .where(*conditions)
    )
    return int(count or 0)


def in_network_individual_remaining(result: EligibilityResult, kind: BenefitKind) -> Decimal | None:
    """What the payer states is left of the in-network individual ``kind`` (deductible or
    out-of-pocket maximum); the plan-wide line first, else the first line stating it. None when the
    payer states no such remaining amount (nothing is derived or guessed)."""
    lines = [
        b
        for b in result.benefits
        if b.kind is kind
        and b.network is Network.IN_NETWORK
        and b.coverage_level is CoverageLevel.INDIVIDUAL
        and b.remaining is not None
    ]
    chosen = _first(b for b in lines if _plan_wide(b)) or _first(lines)
    return chosen.remaining if chosen is not None else None


def _plan_wide(benefit: Benefit) -> bool:
    codes = {c.code for c in benefit.service_types}
    return not codes or HEALTH_BENEFIT_PLAN in codes


def _first(benefits: Iterable[Benefit]) -> Benefit | None:
    return next(iter(benefits), None)
