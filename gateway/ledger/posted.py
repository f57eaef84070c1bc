"""Claim payments as they were posted to claims, read from the ledger for the money views.

One read per kind of row (claim payments, their adjustments, their lines), each filtered by the
practice, so a page of claims or a whole practice's receivables costs three queries, not three per
claim. Unmatched claim payments are not here: they belong to no claim until someone matches them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)

POSTED = ("matched", "manual")
REVERSAL = "22"
MAX_LISTED_CLAIMS = 2000  # CLP02: reversal of a previous payment (its amounts are negative)


@dataclass(frozen=True, slots=True)
class PostedAdjustment:
    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None
    remarks: tuple[str, ...]  # RARCs stated with it (and the line's, for a line adjustment)


@dataclass(frozen=True, slots=True)
class Posting:
    """One claim payment posted to one of our claims."""

    remittance_claim_id: str
    claim_id: str
    payer_id: str  # the payer that sent the remittance
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    paid_on: date | None
    remarks: tuple[str, ...]  # claim-level RARCs
    line_allowed: (
        Decimal | None
    )  # sum of the lines' allowed amounts, None unless every line has one
    adjustments: tuple[PostedAdjustment, ...]

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL


def _claim_filter(practice_id: str, claim_ids: Collection[str] | None) -> Any:
    condition = and_(
        RemittanceClaim.practice_id == practice_id,
        RemittanceClaim.match_state.in_(POSTED),
        RemittanceClaim.claim_id.is_not(None),
    )
    if claim_ids is not None:
        condition = and_(condition, RemittanceClaim.claim_id.in_(list(claim_ids)))
    return condition


async def load_postings(
    session: AsyncSession, practice_id: str, claim_ids: Collection[str] | None = None
) -> dict[str, list[Posting]]:
    """Claim id -> its postings, in the order they were paid (all the practice's claims if None)."""
    if claim_ids is not None and not claim_ids:
        return {}
    if claim_ids is not None and len(claim_ids) > MAX_LISTED_CLAIMS:
        # Past a few thousand ids an IN list costs more than it saves (and PostgreSQL's driver
        # takes at most 32,767 parameters): read the practice's postings and keep the wanted ones.
        wanted = set(claim_ids)
        every = await load_postings(session, practice_id)
        return {k: v for k, v in every.items() if k in wanted}
    condition = _claim_filter(practice_id, claim_ids)
    claim_rows = (
        await session.execute(
            # Columns, not entities: a practice's whole ledger may be read for receivables.
            select(
                RemittanceClaim.id,
                RemittanceClaim.claim_id,
                RemittanceClaim.status_code,
                RemittanceClaim.charge,
                RemittanceClaim.paid,
                RemittanceClaim.patient_responsibility,
                RemittanceClaim.remarks,
                Remittance.payer_id,
                Remittance.payment_date,
            )
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(condition, Remittance.practice_id == practice_id)
            .order_by(Remittance.payment_date, Remittance.received_at, RemittanceClaim.ordinal)
        )
    ).all()
    lines = (
        await session.execute(
            select(RemittanceLine.id, RemittanceLine.remittance_claim_id)
            .add_columns(RemittanceLine.allowed, RemittanceLine.remarks)
            .join(RemittanceClaim, RemittanceClaim.id == RemittanceLine.remittance_claim_id)
            .where(condition)
        )
    ).all()
    adjustments = (
        await session.execute(
            select(
                RemittanceAdjustment.remittance_claim_id,
                RemittanceAdjustment.line_id,
                RemittanceAdjustment.group_code,
                RemittanceAdjustment.reason_code,
                RemittanceAdjustment.amount,
                RemittanceAdjustment.quantity,
                RemittanceAdjustment.remarks,
            )
            .join(RemittanceClaim, RemittanceClaim.id == RemittanceAdjustment.remittance_claim_id)
            .where(condition)
            .order_by(RemittanceAdjustment.remittance_claim_id, RemittanceAdjustment.id)
        )
    ).all()
    line_remarks = {line.id: tuple(line.remarks or ()) for line in lines}
    allowed: dict[str, list[Decimal | None]] = defaultdict(list)
    for line in lines:
        allowed[line.remittance_claim_id].append(line.allowed)
    by_claim_payment: dict[str, list[PostedAdjustment]] = defaultdict(list)
    for adj in adjustments:
        remarks = tuple(adj.remarks or ()) + (
            line_remarks.get(adj.line_id, ()) if adj.line_id else ()
        )
        by_claim_payment[adj.remittance_claim_id].append(
            PostedAdjustment(
                adj.group_code,
                adj.reason_code,
                adj.amount,
                adj.quantity,
                tuple(dict.fromkeys(remarks)),
            )
        )
    postings: dict[str, list[Posting]] = defaultdict(list)
    for row in claim_rows:
        stated = allowed.get(row.id, [])
        known = [a for a in stated if a is not None]
        line_allowed = sum(known, Decimal("0.00")) if stated and len(known) == len(stated) else None
        assert row.claim_id is not None  # the filter takes posted claim payments only
        postings[row.claim_id].append(
            Posting(
                remittance_claim_id=row.id,
                claim_id=row.claim_id,
                payer_id=row.payer_id,
                status_code=row.status_code,
                charge=row.charge,
                paid=row.paid,
                patient_responsibility=row.patient_responsibility,
                paid_on=row.payment_date,
                remarks=tuple(row.remarks or ()),
                line_allowed=line_allowed,
                adjustments=tuple(by_claim_payment.get(row.id, ())),
            )
        )
    return dict(postings)
