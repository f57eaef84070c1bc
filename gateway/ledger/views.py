"""Remittances and claim payments loaded for showing: rows, the payer's model and claims' states."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger.reading import claim_payments, payment_of
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from payers import model


@dataclass(frozen=True, slots=True)
class ClaimPaymentView:
    row: RemittanceClaim
    remittance: Remittance
    payment: model.ClaimPayment
    financial_state: str | None


@dataclass(frozen=True, slots=True)
class RemittanceView:
    remittance: Remittance
    payment: model.Payment
    claims: list[ClaimPaymentView]


async def _states(session: AsyncSession, rows: Sequence[RemittanceClaim]) -> dict[str, str | None]:
    ids = sorted({r.claim_id for r in rows if r.claim_id})
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        for claim_id, state in await session.execute(
            select(SubmittedClaim.id, SubmittedClaim.financial_state).where(
                SubmittedClaim.id.in_(ids[start : start + 500])
            )
        ):
            found[claim_id] = state
    return found


async def remittance_views(
    session: AsyncSession, remittances: Sequence[Remittance]
) -> list[RemittanceView]:
    """Each remittance whole, with its claim payments in order and their claims' states."""
    by_remittance: dict[str, list[RemittanceClaim]] = defaultdict(list)
    ids = [r.id for r in remittances]
    for start in range(0, len(ids), 500):
        for row in await session.scalars(
            select(RemittanceClaim)
            .where(RemittanceClaim.remittance_id.in_(ids[start : start + 500]))
            .order_by(RemittanceClaim.remittance_id, RemittanceClaim.ordinal)
        ):
            by_remittance[row.remittance_id].append(row)
    every = [row for rows in by_remittance.values() for row in rows]
    states = await _states(session, every)
    views = []
    for remittance in remittances:
        rows = by_remittance[remittance.id]
        payment = await payment_of(session, remittance, rows)
        views.append(
            RemittanceView(
                remittance,
                payment,
                [
                    ClaimPaymentView(row, remittance, part, states.get(row.claim_id or ""))
                    for row, part in zip(rows, payment.claims, strict=True)
                ],
            )
        )
    return views


async def claim_payment_views(
    session: AsyncSession, rows: Sequence[RemittanceClaim]
) -> list[ClaimPaymentView]:
    """Claim payments (of any remittances) with their remittance and their claims' states."""
    remittance_ids = sorted({r.remittance_id for r in rows})
    remittances = {
        r.id: r
        for r in await session.scalars(select(Remittance).where(Remittance.id.in_(remittance_ids)))
    }
    parts = await claim_payments(session, rows)
    states = await _states(session, rows)
    return [
        ClaimPaymentView(row, remittances[row.remittance_id], part, states.get(row.claim_id or ""))
        for row, part in zip(rows, parts, strict=True)
    ]
