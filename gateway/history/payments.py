"""Remittance history, one node per claim payment: a payment covering several patients' claims
appears once per claim it pays, never as a whole remittance beside its parts, so summing ``paid``
over any slice counts every dollar once. Ordered by payment date (newest first), then id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.history.filters import HistoryFilter
from gateway.history.sources import date_floor, owned_claim_payments
from gateway.ledger.reading import claim_payments
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceProviderAdjustment,
)
from payers import model

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ClaimPaymentRecord:
    """One claim payment of the ledger, with its remittance's facts and its history row."""

    claim_payment_id: str
    owner_id: str  # the claim history row it belongs to
    owner_source: str
    remittance_id: str
    payer_id: str
    trace_number: str
    method_code: str
    received_via: str
    payment_date: date | None
    received_at: datetime
    claim_id: str | None
    match_state: str
    patient_id: str | None
    sort_date: date
    payment: model.ClaimPayment  # as the payer stated it: lines, adjustments, remarks


@dataclass(frozen=True, slots=True)
class RemittanceHistoryTotals:
    claim_payments: int
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    remittances: int  # distinct remittances the slice touches
    remittance_amount: Decimal  # each of those remittances' amount (BPR02) counted once
    provider_adjustments: Decimal  # PLB of those remittances, counted once


@dataclass(frozen=True, slots=True)
class RemittanceHistoryPage:
    records: list[ClaimPaymentRecord]
    has_next_page: bool


def _conditions(owned: CTE, wanted: HistoryFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.payer_ids:
        found.append(owned.c.payer_id.in_(wanted.payer_ids))
    if wanted.payment_statuses:
        found.append(owned.c.status_code.in_(wanted.payment_statuses))
    if wanted.sources:
        found.append(owned.c.owner_source.in_(wanted.sources))
    if wanted.service_from is not None:
        last_day = func.coalesce(owned.c.service_date_to, owned.c.service_date_from)
        found.append(last_day >= wanted.service_from)
    if wanted.service_to is not None:
        found.append(owned.c.service_date_from <= wanted.service_to)
    if wanted.paid_from is not None:
        found.append(owned.c.payment_date >= wanted.paid_from)
    if wanted.paid_to is not None:
        found.append(owned.c.payment_date <= wanted.paid_to)
    if wanted.denial_reasons:
        found.append(
            owned.c.claim_payment_id.in_(
                select(RemittanceAdjustment.remittance_claim_id).where(
                    RemittanceAdjustment.reason_code.in_(wanted.denial_reasons)
                )
            )
        )
    return found


def _sort_date(owned: CTE) -> Any:
    return func.coalesce(owned.c.payment_date, date_floor())


async def remittance_history_page(
    session: AsyncSession,
    practice_id: str,
    wanted: HistoryFilter,
    *,
    first: int,
    after: tuple[date, str] | None = None,
) -> RemittanceHistoryPage:
    owned = owned_claim_payments(practice_id)
    sort_date = _sort_date(owned)
    statement = select(
        owned.c.claim_payment_id,
        owned.c.owner_id,
        owned.c.owner_source,
        sort_date.label("sort_date"),
    ).where(*_conditions(owned, wanted))
    if after is not None:
        day, row_id = after
        statement = statement.where(
            or_(sort_date < day, and_(sort_date == day, owned.c.claim_payment_id < row_id))
        )
    statement = statement.order_by(sort_date.desc(), owned.c.claim_payment_id.desc()).limit(
        first + 1
    )
    keys = (await session.execute(statement)).all()
    page = keys[:first]
    records = await claim_payment_records(
        session, practice_id, [(k[0], k[1], k[2], k[3]) for k in page]
    )
    return RemittanceHistoryPage(records, len(keys) > first)


async def claim_payment_records(
    session: AsyncSession,
    practice_id: str,
    keys: Sequence[tuple[str, str, str, date]],
) -> list[ClaimPaymentRecord]:
    """Records for (claim payment id, owner id, owner source, sort date) keys, in their order."""
    if not keys:
        return []
    ids = [k[0] for k in keys]
    rows: dict[str, RemittanceClaim] = {}
    for start in range(0, len(ids), 500):
        for row in await session.scalars(
            select(RemittanceClaim).where(
                RemittanceClaim.id.in_(ids[start : start + 500]),
                RemittanceClaim.practice_id == practice_id,
            )
        ):
            rows[row.id] = row
    remittance_ids = sorted({r.remittance_id for r in rows.values()})
    remittances = {
        r.id: r
        for r in await session.scalars(
            select(Remittance).where(
                Remittance.id.in_(remittance_ids), Remittance.practice_id == practice_id
            )
        )
    }
    ordered = [rows[i] for i in ids]
    parts = await claim_payments(session, ordered)
    patients = await _patients(session, ordered)
    records = []
    for (claim_payment_id, owner_id, owner_source, sort_date), row, part in zip(
        keys, ordered, parts, strict=True
    ):
        remittance = remittances[row.remittance_id]
        records.append(
            ClaimPaymentRecord(
                claim_payment_id=claim_payment_id,
                owner_id=owner_id,
                owner_source=owner_source,
                remittance_id=remittance.id,
                payer_id=remittance.payer_id,
                trace_number=remittance.trace_number,
                method_code=remittance.method_code,
                received_via=remittance.source,
                payment_date=remittance.payment_date,
                received_at=remittance.received_at,
                claim_id=row.claim_id,
                match_state=row.match_state,
                patient_id=patients.get(row.claim_id or ""),
                sort_date=sort_date,
                payment=part,
            )
        )
    return records


async def _patients(session: AsyncSession, rows: Sequence[RemittanceClaim]) -> dict[str, str]:
    ids = sorted({r.claim_id for r in rows if r.claim_id})
    if not ids:
        return {}
    found = await session.execute(
        select(SubmittedClaim.id, SubmittedClaim.patient_id).where(SubmittedClaim.id.in_(ids))
    )
    return {claim_id: patient_id for claim_id, patient_id in found}


async def remittance_history_totals(
    session: AsyncSession, practice_id: str, wanted: HistoryFilter
) -> RemittanceHistoryTotals:
    """Sums over the whole slice: claim payments once each, remittances once each."""
    owned = owned_claim_payments(practice_id)
    conditions = _conditions(owned, wanted)
    count, charge, paid, patient = (
        await session.execute(
            select(
                func.count(),
                func.sum(owned.c.charge),
                func.sum(owned.c.paid),
                func.sum(func.coalesce(owned.c.patient_responsibility, 0)),
            ).where(*conditions)
        )
    ).one()
    touched = select(owned.c.remittance_id).where(*conditions)
    remittances, amount = (
        await session.execute(
            select(func.count(), func.sum(Remittance.amount)).where(
                Remittance.practice_id == practice_id, Remittance.id.in_(touched)
            )
        )
    ).one()
    provider = await session.scalar(
        select(func.sum(RemittanceProviderAdjustment.amount)).where(
            RemittanceProviderAdjustment.remittance_id.in_(touched)
        )
    )
    return RemittanceHistoryTotals(
        int(count),
        _money(charge),
        _money(paid),
        _money(patient),
        int(remittances),
        _money(amount),
        _money(provider),
    )


def _money(value: object) -> Decimal:
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(ZERO)
