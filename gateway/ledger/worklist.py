"""The denials worklist: every claim the payer denied in whole or in part, with its reasons in words
and the next step the codes suggest (gateway/ledger/next_step.py).

A claim leaves the list once it is dealt with: corrected or voided (a later claim replaces or voids
it), or, for "bill the secondary", once the secondary claim is sent; a reversal that nets the denial
out takes it off too. Oldest denial first: those are the ones closest to the payers' deadlines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from gateway.ledger.denials import NOT_DENIALS, is_denial
from gateway.ledger.money import ZERO, net_adjustments, secondaries_of
from gateway.ledger.next_step import Advice, NextStep, advise, most_pressing
from gateway.ledger.posted import MAX_LISTED_CLAIMS, POSTED, Posting, load_postings
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import RemittanceAdjustment, RemittanceClaim
from gateway.storage.tables import Coverage
from payers import model
from payers.codesets import lookup


@dataclass(frozen=True, slots=True)
class DeniedPart:
    adjustment: model.Adjustment
    advice: Advice


@dataclass(frozen=True, slots=True)
class WorkItem:
    claim: SubmittedClaim
    denied_on: date | None
    reasons: tuple[DeniedPart, ...]
    remarks: tuple[model.Code, ...]  # the claim payment's own RARCs (MOA/MIA)
    advice: Advice | None

    @property
    def denied_amount(self):  # type: ignore[no-untyped-def]
        return sum((r.adjustment.amount for r in self.reasons), ZERO)

    @property
    def sort_key(self) -> tuple[str, str]:
        return ((self.denied_on or date.min).isoformat(), self.claim.id)


async def _candidates(session: AsyncSession, practice_id: str) -> list[SubmittedClaim]:
    later = aliased(SubmittedClaim)
    denied = (
        select(RemittanceClaim.claim_id)
        .join(RemittanceAdjustment, RemittanceAdjustment.remittance_claim_id == RemittanceClaim.id)
        .where(
            RemittanceClaim.practice_id == practice_id,
            RemittanceClaim.match_state.in_(POSTED),
            RemittanceAdjustment.reason_code.not_in(NOT_DENIALS),
        )
    )
    superseded = select(later.related_claim_id).where(
        later.practice_id == practice_id,
        later.relation.in_(("replaces", "voids")),
        later.related_claim_id.is_not(None),
    )
    return list(
        await session.scalars(
            select(SubmittedClaim).where(
                SubmittedClaim.practice_id == practice_id,
                SubmittedClaim.id.in_(denied) | (SubmittedClaim.financial_state == "denied"),
                SubmittedClaim.id.not_in(superseded),
                SubmittedClaim.relation.is_(None) | (SubmittedClaim.relation != "voids"),
            )
        )
    )


async def _with_secondary(
    session: AsyncSession, practice_id: str, claims: list[SubmittedClaim]
) -> set[str]:
    """Ids of the claims whose patient has a later-priority card at another payer on the service date."""
    patients = {c.patient_id for c in claims}
    statement = select(Coverage).where(Coverage.practice_id == practice_id)
    if len(patients) <= MAX_LISTED_CLAIMS:
        statement = statement.where(Coverage.patient_id.in_(sorted(patients)))
    cards = list(await session.scalars(statement))
    by_patient: dict[str, list[Coverage]] = defaultdict(list)
    for card in cards:
        by_patient[card.patient_id].append(card)
    found = set()
    for claim in claims:
        billed = next((c for c in by_patient[claim.patient_id] if c.id == claim.coverage_id), None)
        rank = billed.priority if billed else 1
        day = claim.service_date_from
        if any(
            c.priority > rank
            and c.payer_id != claim.payer_id
            and (c.effective_from is None or c.effective_from <= day)
            and (c.effective_to is None or c.effective_to >= day)
            for c in by_patient[claim.patient_id]
        ):
            found.add(claim.id)
    return found


def _item(
    claim: SubmittedClaim, postings: list[Posting], has_secondary: bool, secondary_sent: bool
) -> WorkItem | None:
    own = [p for p in postings if p.payer_id == claim.payer_id]
    parts, dealt_with = [], False
    for adjustment in net_adjustments(own):
        if adjustment.amount <= 0 or not is_denial(adjustment.reason.code):
            continue
        advice = advise(adjustment.group.code, adjustment.reason.code, has_secondary=has_secondary)
        if secondary_sent and advice.step is NextStep.BILL_SECONDARY:
            dealt_with = True
            continue
        parts.append(DeniedPart(adjustment, advice))
    if not parts and (dealt_with or claim.financial_state != "denied"):
        return None
    standing = [p for p in own if not p.is_reversal]
    remarks = dict.fromkeys(r for p in standing for r in p.remarks)
    return WorkItem(
        claim=claim,
        denied_on=max((p.paid_on for p in standing if p.paid_on), default=None),
        reasons=tuple(parts),
        remarks=tuple(lookup("rarc", r) for r in remarks),
        advice=most_pressing([p.advice for p in parts]),
    )


async def denial_worklist(
    session: AsyncSession, practice_id: str, first: int, after: tuple[str, str] | None = None
) -> tuple[list[WorkItem], bool]:
    """One page of the worklist after the cursor's (denial date, claim id), and whether more follow."""
    claims = await _candidates(session, practice_id)
    postings = await load_postings(session, practice_id, [c.id for c in claims])
    sent = await secondaries_of(session, practice_id, [c.id for c in claims])
    with_secondary = await _with_secondary(session, practice_id, claims) if claims else set()
    items = [
        item
        for claim in claims
        if (
            item := _item(
                claim, postings.get(claim.id, []), claim.id in with_secondary, claim.id in sent
            )
        )
    ]
    items.sort(key=lambda i: i.sort_key)
    if after is not None:
        items = [i for i in items if i.sort_key > after]
    return items[:first], len(items) > first
