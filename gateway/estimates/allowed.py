"""A line's allowed amount at a payer: learned from the payer's remittances, else the practice's fee
schedule, else the charge (flagged: the estimate is then a ceiling).

Learned: the median per-unit allowed amount (835 AMT*B6, FHIR adjudication "eligible") of the
latest :data:`LEARNED_FROM` service lines of that code, with the same pricing modifier, that the
payer adjudicated as primary (CLP02 1 or 19) for this practice, times the units planned. Lines a
payer priced as secondary are left out: their allowed amount is cut to what the primary left.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from statistics import median

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.estimates.fee_schedule import pricing_modifier, scheduled_amount
from gateway.estimates.terms import AllowedAmount, AllowedSource, cents
from gateway.storage.ledger_tables import Remittance, RemittanceClaim, RemittanceLine

LEARNED_FROM = 10
_SCANNED = 50  # recent lines read to find LEARNED_FROM with the same pricing modifier
_AS_PRIMARY = ("1", "19")


async def learned_per_unit(
    session: AsyncSession, practice_id: str, payer_id: str, code: str, modifier: str
) -> tuple[Decimal, int] | None:
    """(median per-unit allowed amount, how many lines) from the payer's recent remittances."""
    rows = (
        await session.execute(
            select(RemittanceLine.allowed, RemittanceLine.units, RemittanceLine.modifiers)
            .join(RemittanceClaim, RemittanceClaim.id == RemittanceLine.remittance_claim_id)
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(
                Remittance.practice_id == practice_id,
                Remittance.payer_id == payer_id,
                RemittanceClaim.status_code.in_(_AS_PRIMARY),
                RemittanceLine.procedure_code == code,
                RemittanceLine.allowed > 0,
                RemittanceLine.charge > 0,
            )
            .order_by(
                Remittance.payment_date.desc(), Remittance.received_at.desc(), RemittanceLine.id
            )
            .limit(_SCANNED)
        )
    ).all()
    per_unit: list[Decimal] = [
        Decimal(allowed) / (units if units and units > 0 else Decimal(1))
        for allowed, units, modifiers in rows
        if allowed is not None and pricing_modifier(modifiers or []) == modifier
    ][:LEARNED_FROM]
    if not per_unit:
        return None
    return Decimal(median(per_unit)), len(per_unit)


async def allowed_amount(
    session: AsyncSession,
    practice_id: str,
    payer_id: str,
    code: str,
    modifiers: Sequence[str],
    units: Decimal,
    charge: Decimal,
    day: date,
) -> AllowedAmount:
    """The line's allowed amount at ``payer_id`` for all its units, and where it came from."""
    modifier = pricing_modifier(modifiers)
    learned = await learned_per_unit(session, practice_id, payer_id, code, modifier)
    if learned is not None:
        amount, count = learned
        return AllowedAmount(cents(amount * units), AllowedSource.LEARNED_FROM_REMITTANCES, count)
    scheduled = await scheduled_amount(session, practice_id, payer_id, code, modifier, day)
    if scheduled is not None:
        return AllowedAmount(cents(scheduled * units), AllowedSource.FEE_SCHEDULE)
    return AllowedAmount(charge, AllowedSource.CHARGE)
