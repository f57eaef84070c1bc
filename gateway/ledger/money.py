"""A claim's money, from what was posted to it: charged, allowed, paid, adjustments, what is open.

Computed, never stored: the ledger keeps the payments as the payers sent them, and a reversal (CLP02
22) carries negative amounts, so summing every posting nets an undone payment out. The rules:

- paid: what the claim's own payer paid. What our secondary claim to it was paid counts as
  ``secondary_paid`` (so would another payer's payment posted to it, though the ledger's matching
  posts a payment only to a claim sent to that payer).
- allowed: the lines' allowed amounts (AMT*B6) when every line states one, else the charge minus
  what the provider or payer adjusted (CO, OA, PI); null until the claim is settled.
- settled: the payer adjudicated it and did not take that back (more postings than reversals).
- patient responsibility: the PR adjustments (CLP05 when a posting has no CAS for it).
- balance: the patient responsibility not yet paid by a secondary payer, plus, while the claim is
  not settled, whatever of the charge is neither paid nor adjusted (before any payment: the charge).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger.posted import MAX_LISTED_CLAIMS, Posting, load_postings
from gateway.storage.claims_tables import SubmittedClaim
from payers import model
from payers.codesets import lookup

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PATIENT = "PR"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


@dataclass(frozen=True, slots=True)
class ClaimMoney:
    charged: Decimal
    allowed: Decimal | None
    paid: Decimal
    adjustments: tuple[model.Adjustment, ...]
    patient_responsibility: Decimal | None
    secondary_paid: Decimal
    open_with_payer: Decimal  # not yet adjudicated (or taken back): the payer's to settle
    open_with_patient: Decimal  # the patient's part no secondary payer has paid
    settled: bool
    posted: bool  # any payment (or reversal) was posted to the claim

    @property
    def balance(self) -> Decimal:
        return self.open_with_payer + self.open_with_patient


def is_settled(postings: Iterable[Posting]) -> bool:
    own = list(postings)
    reversals = sum(1 for p in own if p.is_reversal)
    return len(own) - reversals > reversals


def _patient_part(posting: Posting) -> Decimal:
    stated = [a.amount for a in posting.adjustments if a.group == PATIENT]
    if stated:
        return sum(stated, ZERO)
    return posting.patient_responsibility or ZERO


def _allowed(posting: Posting) -> Decimal:
    if posting.line_allowed is not None:
        return posting.line_allowed
    adjusted = sum((a.amount for a in posting.adjustments if a.group != PATIENT), ZERO)
    return posting.charge - adjusted


def net_adjustments(postings: Iterable[Posting]) -> tuple[model.Adjustment, ...]:
    """Every (group, reason) netted across postings, by group then reason; what nets to 0 is gone."""
    amounts: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    quantities: dict[tuple[str, str], Decimal | None] = {}
    remarks: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for posting in postings:
        for adj in posting.adjustments:
            key = (adj.group, adj.reason)
            amounts[key] += adj.amount
            if adj.quantity is not None:
                quantities[key] = (quantities.get(key) or Decimal(0)) + adj.quantity
            remarks[key].update(dict.fromkeys(adj.remarks))
    return tuple(
        model.Adjustment(
            group=lookup("adjustment-group", group),
            reason=lookup("carc", reason),
            amount=cents(amount),
            quantity=quantities.get((group, reason)),
            remarks=tuple(lookup("rarc", r) for r in remarks[(group, reason)]),
        )
        for (group, reason), amount in sorted(amounts.items(), key=_code_order)
        if amount != 0
    )


def _code_order(item: tuple[tuple[str, str], Decimal]) -> tuple[str, int, str]:
    (group, reason), _ = item
    return (group, int(reason) if reason.isdigit() else 10_000, reason)


class BilledClaim(Protocol):
    """What the money of a claim needs of it (a SubmittedClaim, or a row of its columns)."""

    payer_id: str
    total_charge: Decimal


def claim_money(
    claim: BilledClaim,
    postings: Sequence[Posting],
    secondary: Sequence[Posting] = (),
    *,
    itemized: bool = True,
) -> ClaimMoney:
    """The claim's money from its postings and the postings of its secondary claims (without the
    adjustments listed unless ``itemized``: totals over a whole practice need none)."""
    own = [p for p in postings if p.payer_id == claim.payer_id]
    crossover = [p for p in postings if p.payer_id != claim.payer_id]
    settled = is_settled(own)
    paid = sum((p.paid for p in own), ZERO)
    secondary_paid = sum((p.paid for p in (*crossover, *secondary)), ZERO)
    patient = sum((_patient_part(p) for p in own), ZERO) if own else None
    adjusted = sum((a.amount for p in own for a in p.adjustments), ZERO)
    open_with_payer = ZERO if settled else claim.total_charge - paid - adjusted
    # What a secondary paid beyond the patient's part (it may pay the provider's write-off too)
    # lowers the patient's part to nothing, never below.
    open_with_patient = max((patient or ZERO) - secondary_paid, ZERO)
    return ClaimMoney(
        charged=cents(claim.total_charge),
        allowed=cents(sum((_allowed(p) for p in own), ZERO)) if settled else None,
        paid=cents(paid),
        adjustments=net_adjustments(own) if itemized else (),
        patient_responsibility=cents(patient) if patient is not None else None,
        secondary_paid=cents(secondary_paid),
        open_with_payer=cents(open_with_payer),
        open_with_patient=cents(open_with_patient),
        settled=settled,
        posted=bool(own),
    )


def superseded(claims: Iterable[Any]) -> set[str]:
    """Ids of the claims a later claim among ``claims`` replaces (frequency 7) or voids (8)."""
    return {
        c.related_claim_id
        for c in claims
        if c.relation in ("replaces", "voids") and c.related_claim_id is not None
    }


async def secondaries_of(
    session: AsyncSession, practice_id: str, claim_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Claim id -> ids of the secondary claims sent after it."""
    if not claim_ids:
        return {}
    wanted = set(claim_ids)
    statement = select(SubmittedClaim.related_claim_id, SubmittedClaim.id).where(
        SubmittedClaim.practice_id == practice_id, SubmittedClaim.relation == "secondary_of"
    )
    if (
        len(wanted) <= MAX_LISTED_CLAIMS
    ):  # else every secondary claim of the practice, filtered here
        statement = statement.where(SubmittedClaim.related_claim_id.in_(sorted(wanted)))
    found: dict[str, list[str]] = defaultdict(list)
    for primary, secondary in await session.execute(statement):
        if primary in wanted:
            found[primary].append(secondary)
    return dict(found)


async def money_of_claims(
    session: AsyncSession, practice_id: str, claims: Sequence[SubmittedClaim]
) -> dict[str, ClaimMoney]:
    """Each claim's money (three reads for the postings, one for the secondary claims)."""
    ids = [c.id for c in claims]
    followers = await secondaries_of(session, practice_id, ids)
    every = {*ids, *(s for group in followers.values() for s in group)}
    postings = await load_postings(session, practice_id, every)
    return {
        c.id: claim_money(
            c,
            postings.get(c.id, []),
            [p for s in followers.get(c.id, []) for p in postings.get(s, [])],
        )
        for c in claims
    }


async def patient_balance(session: AsyncSession, practice_id: str, patient_id: str) -> Decimal:
    """What the patient owes across their claims: each claim's patient responsibility, less what
    secondary payers paid of it. Secondary claims carry the same visit: only the first claim of a
    chain counts; a void (frequency 8) has nothing of its own, and a claim a correction replaced or
    a void voided no longer counts (its replacement does)."""
    claims = list(
        await session.scalars(
            select(SubmittedClaim).where(
                SubmittedClaim.practice_id == practice_id,
                SubmittedClaim.patient_id == patient_id,
            )
        )
    )
    gone = superseded(claims)
    first = [c for c in claims if c.relation not in ("secondary_of", "voids") and c.id not in gone]
    money = await money_of_claims(session, practice_id, first)
    return cents(sum((m.open_with_patient for m in money.values()), ZERO))
