"""Which of our claims a claim payment pays: by control number, then payer claim number, then patient.

Only claims of the same practice sent to the same payer can match, or, for a crossover (the payer we
sent the claim to forwarded it to this one), a claim whose patient holds a card of this payer after
the billed one. The control number (CLP01, ours) decides first; then the payer's claim number
(CLP07) when exactly one of our claims carries it; then the member id with the service dates and the
charge when exactly one claim fits. Anything ambiguous is left unmatched for a person to decide: a
wrong automatic match would move money to the wrong patient, an unmatched one only waits on the
worklist. Lookups go by batch (one query per 500 control numbers), so a remittance of thousands of
claims costs a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from gateway.ledger.reading import claim_payments
from gateway.ledger.states import financial_state
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from gateway.storage.tables import Coverage
from payers.model import ClaimPayment

BATCH = 500


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """The claim a claim payment posts to, with its financial state before this posting."""

    claim_id: str
    financial_state: str | None


def _batches(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


async def match_claim_payments(
    session: AsyncSession, practice_id: str, payer_id: str, payments: Sequence[ClaimPayment]
) -> list[ClaimMatch | None]:
    """For each claim payment, the claim it pays (None: unmatched)."""
    found: list[ClaimMatch | None] = [None] * len(payments)
    ours = (SubmittedClaim.practice_id == practice_id, SubmittedClaim.payer_id == payer_id)
    columns = (SubmittedClaim.id, SubmittedClaim.financial_state)

    by_control: dict[str, ClaimMatch] = {}
    controls = sorted({p.control_number for p in payments if p.control_number})
    for batch in _batches(controls):
        rows = await session.execute(
            select(SubmittedClaim.control_number, *columns).where(
                *ours, SubmittedClaim.control_number.in_(batch)
            )
        )
        for control, claim_id, state in rows:
            by_control[control] = ClaimMatch(claim_id, state)
    for index, payment in enumerate(payments):
        if payment.control_number:
            found[index] = by_control.get(payment.control_number)
    crossed = sorted(
        {
            p.control_number
            for p, m in zip(payments, found, strict=True)
            if p.control_number and not m
        }
    )
    if crossed:
        by_control.update(await _crossovers(session, practice_id, payer_id, crossed))
        for index, payment in enumerate(payments):
            if found[index] is None and payment.control_number:
                found[index] = by_control.get(payment.control_number)

    waiting = [i for i, match in enumerate(found) if match is None]
    numbers = sorted({n for i in waiting if (n := payments[i].payer_claim_id)})
    by_number: dict[str, list[ClaimMatch]] = defaultdict(list)
    for batch in _batches(numbers):
        rows = await session.execute(
            select(SubmittedClaim.payer_claim_id, *columns).where(
                *ours, SubmittedClaim.payer_claim_id.in_(batch)
            )
        )
        for number, claim_id, state in rows:
            by_number[number].append(ClaimMatch(claim_id, state))
    for index in waiting:
        candidates = by_number.get(payments[index].payer_claim_id or "", [])
        if len(candidates) == 1:
            found[index] = candidates[0]

    for index, match in enumerate(found):
        if match is None:
            found[index] = await _by_patient(session, practice_id, payer_id, payments[index])
    return found


async def _crossovers(
    session: AsyncSession, practice_id: str, payer_id: str, controls: Sequence[str]
) -> dict[str, ClaimMatch]:
    """Claims we sent to another payer that forwarded them to this one (a crossover: Medicare sends
    the claim on to the patient's supplemental payer, whose remittance carries our control number).
    Only when the patient holds a card of this payer that comes after the billed card: a claim
    goes on down the patient's payers, never back up, and a control number alone never moves money."""
    billed = aliased(Coverage)
    following = aliased(Coverage)
    found: dict[str, ClaimMatch] = {}
    for batch in _batches(controls):
        rows = await session.execute(
            select(SubmittedClaim.control_number, SubmittedClaim.id, SubmittedClaim.financial_state)
            .join(billed, billed.id == SubmittedClaim.coverage_id)
            .join(
                following,
                (following.patient_id == SubmittedClaim.patient_id)
                & (following.practice_id == SubmittedClaim.practice_id)
                & (following.payer_id == payer_id)
                & (following.priority > billed.priority),
            )
            .where(
                SubmittedClaim.practice_id == practice_id,
                SubmittedClaim.payer_id != payer_id,
                SubmittedClaim.control_number.in_(batch),
            )
            .distinct()
        )
        for control, claim_id, state in rows:
            found[control] = ClaimMatch(claim_id, state)
    return found


async def _by_patient(
    session: AsyncSession, practice_id: str, payer_id: str, payment: ClaimPayment
) -> ClaimMatch | None:
    """The one claim of this member with these service dates and this charge, if exactly one."""
    if not payment.member_id or payment.service_date_from is None:
        return None
    statement = (
        select(SubmittedClaim.id, SubmittedClaim.financial_state)
        .join(Coverage, Coverage.id == SubmittedClaim.coverage_id)
        .where(
            SubmittedClaim.practice_id == practice_id,
            SubmittedClaim.payer_id == payer_id,
            Coverage.member_id == payment.member_id,
            SubmittedClaim.service_date_from == payment.service_date_from,
            SubmittedClaim.total_charge == abs(payment.charge),  # a reversal states it negative
        )
        .limit(2)
    )
    if payment.service_date_to is not None:
        statement = statement.where(SubmittedClaim.service_date_to == payment.service_date_to)
    rows = (await session.execute(statement)).all()
    return ClaimMatch(rows[0][0], rows[0][1]) if len(rows) == 1 else None


@dataclass(frozen=True, slots=True)
class ManualMatch:
    """A claim payment a person matched, with what changed (for after_posting)."""

    remittance_id: str
    remittance_claim_id: str
    claim_id: str
    financial_state: str
    changed: bool


async def match_by_hand(
    session: AsyncSession,
    practice_id: str,
    claim_payment_id: str,
    claim_id: str,
    actor_id: str,
) -> ManualMatch | tuple[str, str, str]:
    """Post an unmatched claim payment to one of the practice's claims of the same payer, or
    ``(field, code, message)`` saying why not. Another practice's claim payment or claim is not
    found, exactly like one that does not exist."""
    row = await session.scalar(
        select(RemittanceClaim)
        .where(RemittanceClaim.id == claim_payment_id, RemittanceClaim.practice_id == practice_id)
        .with_for_update()
    )
    if row is None:
        return "claimPaymentId", "NOT_FOUND", "No such claim payment."
    if row.match_state != "unmatched":
        return (
            "claimPaymentId",
            "ALREADY_MATCHED",
            "This claim payment is already posted to a claim.",
        )
    claim = await session.scalar(
        select(SubmittedClaim)
        .where(SubmittedClaim.id == claim_id, SubmittedClaim.practice_id == practice_id)
        .with_for_update()
    )
    if claim is None:
        return "claimId", "NOT_FOUND", "No such claim."
    payer_id = await session.scalar(
        select(Remittance.payer_id).where(Remittance.id == row.remittance_id)
    )
    if claim.payer_id != payer_id and not await _holds_card(session, claim, payer_id):
        return (
            "claimId",
            "PAYER_MISMATCH",
            "The claim was sent to another payer than this payment's, and the patient has no card "
            "of this payment's payer (a crossover).",
        )
    [payment] = await claim_payments(session, [row])
    state = financial_state(payment)
    now = datetime.now(UTC)
    row.match_state, row.claim_id, row.matched_at, row.matched_by = (
        "manual",
        claim.id,
        now,
        actor_id,
    )
    changed = claim.financial_state != state
    if changed:
        claim.financial_state, claim.updated_at = state, now
    return ManualMatch(row.remittance_id, row.id, claim.id, state, changed)


async def _holds_card(session: AsyncSession, claim: SubmittedClaim, payer_id: str | None) -> bool:
    """Whether the claim's patient holds a card of ``payer_id`` after the billed one (a crossover
    payment may post to the claim)."""
    billed = await session.scalar(select(Coverage.priority).where(Coverage.id == claim.coverage_id))
    found = await session.scalar(
        select(Coverage.id)
        .where(
            Coverage.practice_id == claim.practice_id,
            Coverage.patient_id == claim.patient_id,
            Coverage.payer_id == payer_id,
            Coverage.priority > (billed or 0),
        )
        .limit(1)
    )
    return found is not None
