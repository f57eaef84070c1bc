"""Receivables: what is still open on the practice's claims, by who owes it and by age.

Each visit counts once, on its first claim (a secondary claim carries the same visit; a claim a
correction replaced or a void voided counts no more, its replacement does): while the
payer has not settled it, what is neither paid nor adjusted is open with that payer; once settled, the
patient's part is open with the secondary payer while a secondary claim waits on it, else with the
patient. Ages are days from the claim's submission to ``as_of``; payments dated after ``as_of`` are
not yet counted, so an earlier date shows the receivables as they stood then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity import aware
from gateway.ledger.money import ZERO, claim_money, is_settled, superseded
from gateway.ledger.posted import Posting, load_postings
from gateway.storage.claims_tables import SubmittedClaim

#: (label, first day, last day); the last bucket has no end.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


def bucket_of(days: int) -> str:
    for label, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    raise ValueError(f"negative age: {days}")


@dataclass
class ReceivableRow:
    """What one payer (``payer_id``) or the patients (``payer_id`` None) owe, by age bucket."""

    payer_id: str | None
    claims: set[str] = field(default_factory=set)
    buckets: dict[str, Decimal] = field(default_factory=lambda: {b[0]: ZERO for b in BUCKETS})

    def add(self, claim_id: str, days: int, amount: Decimal) -> None:
        if amount > 0:
            self.claims.add(claim_id)
            self.buckets[bucket_of(days)] += amount

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass
class Receivables:
    as_of: date
    by_payer: list[ReceivableRow]
    patients: ReceivableRow

    @property
    def buckets(self) -> dict[str, Decimal]:
        totals = {b[0]: ZERO for b in BUCKETS}
        for row in (*self.by_payer, self.patients):
            for label, amount in row.buckets.items():
                totals[label] += amount
        return totals

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


#: The columns receivables need (a claim's submission, the largest column, is left unread).
CLAIM_COLUMNS = (
    SubmittedClaim.id,
    SubmittedClaim.payer_id,
    SubmittedClaim.total_charge,
    SubmittedClaim.created_at,
    SubmittedClaim.relation,
    SubmittedClaim.related_claim_id,
)


def _by(as_of: date, postings: list[Posting]) -> list[Posting]:
    return [p for p in postings if p.paid_on is None or p.paid_on <= as_of]


def _age(claim: Any, as_of: date) -> int:
    submitted = aware(claim.created_at)
    assert submitted is not None
    return (as_of - submitted.date()).days


async def receivables(session: AsyncSession, practice_id: str, as_of: date) -> Receivables:
    read = await session.execute(
        select(*CLAIM_COLUMNS).where(SubmittedClaim.practice_id == practice_id)
    )
    claims = [c for c in read if _age(c, as_of) >= 0]
    gone = superseded(claims)  # before the voids themselves are set aside
    claims = [c for c in claims if c.relation != "voids"]
    postings = {k: _by(as_of, v) for k, v in (await load_postings(session, practice_id)).items()}
    followers: dict[str, list[Any]] = defaultdict(list)
    for claim in claims:
        if claim.relation == "secondary_of" and claim.related_claim_id:
            followers[claim.related_claim_id].append(claim)
    rows: dict[str, ReceivableRow] = {}
    patients = ReceivableRow(payer_id=None)
    for claim in claims:
        if claim.relation == "secondary_of" or claim.id in gone:
            continue
        after = followers.get(claim.id, [])
        money = claim_money(
            claim,
            postings.get(claim.id, []),
            [p for s in after for p in postings.get(s.id, [])],
            itemized=False,
        )
        row = rows.setdefault(claim.payer_id, ReceivableRow(payer_id=claim.payer_id))
        row.add(claim.id, _age(claim, as_of), money.open_with_payer)
        waiting = [s for s in after if not is_settled(_own(s, postings))]
        if waiting:
            second = waiting[0]
            row = rows.setdefault(second.payer_id, ReceivableRow(payer_id=second.payer_id))
            row.add(second.id, _age(second, as_of), money.open_with_patient)
        else:
            patients.add(claim.id, _age(claim, as_of), money.open_with_patient)
    by_payer = sorted((r for r in rows.values() if r.claims), key=lambda r: -r.total)
    return Receivables(as_of=as_of, by_payer=by_payer, patients=patients)


def _own(claim: Any, postings: dict[str, list[Posting]]) -> list[Posting]:
    return [p for p in postings.get(claim.id, []) if p.payer_id == claim.payer_id]
