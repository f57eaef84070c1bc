"""Claim history, a page at a time: filtered, ordered by service date (newest first) then id.

The order is total (ids are unique across sources), so a keyset cursor (the last row's date and id)
picks up exactly where a page ended, whatever was inserted meanwhile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.history.filters import HistoryFilter
from gateway.history.sources import (
    DATE_FLOOR,
    claim_history_rows,
    date_floor,
    owned_claim_payments,
)
from gateway.storage.ledger_tables import RemittanceAdjustment

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ClaimHistoryRow:
    """One claim of the history; money from the ledger is in :class:`ClaimLedgerSums`."""

    id: str
    source: str
    payer_id: str
    patient_id: str | None
    member_id: str | None
    control_number: str | None
    payer_claim_id: str | None
    state: str
    category_code: str | None
    status_code: str | None
    financial_state: str | None
    service_date_from: date | None
    service_date_to: date | None
    total_charge: Decimal
    recorded_at: datetime
    updated_at: datetime
    sort_date: date


@dataclass(frozen=True, slots=True)
class ClaimLedgerSums:
    """What the ledger holds for one history row: its claim payments, netted."""

    claim_payments: int = 0
    paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    last_paid_on: date | None = None
    reasons: tuple[tuple[str, str], ...] = ()  # (group, CARC) pairs, each once


@dataclass(frozen=True, slots=True)
class ClaimHistoryTotals:
    claims: int
    charge: Decimal
    paid: Decimal  # the ledger's claim payments owned by the filtered rows, reversals netted


@dataclass(frozen=True, slots=True)
class ClaimHistoryPage:
    rows: list[ClaimHistoryRow]
    has_next_page: bool
    sums: dict[str, ClaimLedgerSums] = field(default_factory=dict)


def _conditions(rows: Subquery, owned: CTE, wanted: HistoryFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.payer_ids:
        found.append(rows.c.payer_id.in_(wanted.payer_ids))
    if wanted.sources:
        found.append(rows.c.source.in_(wanted.sources))
    if wanted.states:
        found.append(rows.c.state.in_(wanted.states))
    if wanted.service_from is not None:
        last_day = func.coalesce(rows.c.service_date_to, rows.c.service_date_from)
        found.append(last_day >= wanted.service_from)
    if wanted.service_to is not None:
        found.append(rows.c.service_date_from <= wanted.service_to)
    # Uncorrelated IN subqueries: evaluated once, not once per row (SQLite re-ran the CTE per row).
    if wanted.paid_from is not None or wanted.paid_to is not None:
        paid = []
        if wanted.paid_from is not None:
            paid.append(owned.c.payment_date >= wanted.paid_from)
        if wanted.paid_to is not None:
            paid.append(owned.c.payment_date <= wanted.paid_to)
        found.append(rows.c.id.in_(select(owned.c.owner_id).where(*paid)))
    if wanted.denial_reasons:
        found.append(
            rows.c.id.in_(
                select(owned.c.owner_id)
                .join(
                    RemittanceAdjustment,
                    RemittanceAdjustment.remittance_claim_id == owned.c.claim_payment_id,
                )
                .where(RemittanceAdjustment.reason_code.in_(wanted.denial_reasons))
            )
        )
    return found


def _sort_date(rows: Subquery) -> Any:
    return func.coalesce(rows.c.service_date_from, date_floor())


async def claim_history_page(
    session: AsyncSession,
    practice_id: str,
    wanted: HistoryFilter,
    *,
    first: int,
    after: tuple[date, str] | None = None,
) -> ClaimHistoryPage:
    """``first`` rows after the key ``after`` (a row's sort date and id), newest service first."""
    owned = owned_claim_payments(practice_id)
    rows = claim_history_rows(practice_id, owned)
    sort_date = _sort_date(rows)
    statement = select(rows, sort_date.label("sort_date")).where(*_conditions(rows, owned, wanted))
    if after is not None:
        day, row_id = after
        statement = statement.where(
            or_(sort_date < day, and_(sort_date == day, rows.c.id < row_id))
        )
    statement = statement.order_by(sort_date.desc(), rows.c.id.desc()).limit(first + 1)
    found = [ClaimHistoryRow(**row._mapping) for row in await session.execute(statement)]
    page = found[:first]
    sums = await ledger_sums(session, practice_id, [r.id for r in page])
    return ClaimHistoryPage(page, len(found) > first, sums)


async def claim_history_totals(
    session: AsyncSession, practice_id: str, wanted: HistoryFilter
) -> ClaimHistoryTotals:
    """How many rows the filter holds, their charges, and what the ledger paid on them."""
    owned = owned_claim_payments(practice_id)
    rows = claim_history_rows(practice_id, owned)
    conditions = _conditions(rows, owned, wanted)
    count, charge = (
        await session.execute(
            select(func.count(), func.sum(rows.c.total_charge)).select_from(rows).where(*conditions)
        )
    ).one()
    paid = await session.scalar(
        select(func.sum(owned.c.paid)).where(
            owned.c.owner_id.in_(select(rows.c.id).where(*conditions))
        )
    )
    return ClaimHistoryTotals(int(count), _money(charge), _money(paid))


def _money(value: object) -> Decimal:
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(ZERO)


async def ledger_sums(
    session: AsyncSession, practice_id: str, owner_ids: Sequence[str]
) -> dict[str, ClaimLedgerSums]:
    """The ledger's sums for each history row id (rows with no payment are left out)."""
    if not owner_ids:
        return {}
    owned = owned_claim_payments(practice_id)
    totals = await session.execute(
        select(
            owned.c.owner_id,
            func.count(),
            func.sum(owned.c.paid),
            func.sum(func.coalesce(owned.c.patient_responsibility, 0)),
            func.max(owned.c.payment_date),
        )
        .where(owned.c.owner_id.in_(list(owner_ids)))
        .group_by(owned.c.owner_id)
    )
    reasons: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for owner_id, group, reason in await session.execute(
        select(owned.c.owner_id, RemittanceAdjustment.group_code, RemittanceAdjustment.reason_code)
        .join(owned, owned.c.claim_payment_id == RemittanceAdjustment.remittance_claim_id)
        .where(owned.c.owner_id.in_(list(owner_ids)))
        .distinct()
    ):
        reasons[owner_id].add((group, reason))
    return {
        owner_id: ClaimLedgerSums(
            int(count), _money(paid), _money(patient), last, tuple(sorted(reasons[owner_id]))
        )
        for owner_id, count, paid, patient, last in totals
    }


__all__ = [
    "DATE_FLOOR",
    "ClaimHistoryPage",
    "ClaimHistoryRow",
    "ClaimHistoryTotals",
    "ClaimLedgerSums",
    "claim_history_page",
    "claim_history_totals",
    "ledger_sums",
]
