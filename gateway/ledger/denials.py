"""Denials by payer and by reason (CARC) over a period, with counts and amounts.

A denial is an adjustment whose reason is not the ordinary sharing or pricing of a paid claim
(deductible, coinsurance, copay, the contracted fee...): the payer refused to pay that amount, to the
provider (CO/OA/PI) or by leaving it to the patient (PR 204 not covered, PR 27 coverage ended). Counted
per claim payment (our claim once posted, the claim payment while it waits unmatched) in the
remittances dated in the period; a reversal in the period nets its denial out, as in the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ledger.money import ZERO, cents
from gateway.storage.ledger_tables import Remittance, RemittanceAdjustment, RemittanceClaim

#: CARCs that share out or price a paid claim rather than refuse it: 1 deductible, 2 coinsurance,
#: 3 copay; the pricing reasons the ledger's financial states use (gateway/ledger/states.py): the
#: contracted fee (45, 42, 131), multiple procedures (59), processed in excess of charges (94),
#: sequestration (253), an earlier payer's payment (23), incentives and penalties (144, 237).
NOT_DENIALS = frozenset({"1", "2", "3", "23", "42", "45", "59", "94", "131", "144", "237", "253"})


def is_denial(reason: str) -> bool:
    return reason not in NOT_DENIALS


@dataclass(frozen=True, slots=True)
class DenialTotal:
    key: str  # the payer id, or the CARC
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DenialsReport:
    start: date
    end: date
    count: int
    amount: Decimal
    by_payer: list[DenialTotal]
    by_reason: list[DenialTotal]


def _totals(nets: dict[tuple[str, str, str], Decimal], part: int) -> list[DenialTotal]:
    claims: dict[str, set[str]] = defaultdict(set)
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, amount in nets.items():
        claims[key[part]].add(key[0])
        amounts[key[part]] += amount
    found = [DenialTotal(k, len(claims[k]), cents(amounts[k])) for k in claims]
    return sorted(found, key=lambda t: (-t.amount, t.key))


async def denials(session: AsyncSession, practice_id: str, start: date, end: date) -> DenialsReport:
    rows = await session.execute(
        select(
            func.coalesce(RemittanceClaim.claim_id, RemittanceClaim.id),
            Remittance.payer_id,
            RemittanceAdjustment.reason_code,
            RemittanceAdjustment.amount,
        )
        .join(RemittanceClaim, RemittanceClaim.id == RemittanceAdjustment.remittance_claim_id)
        .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
        .where(
            Remittance.practice_id == practice_id,
            RemittanceClaim.practice_id == practice_id,
            Remittance.payment_date >= start,
            Remittance.payment_date <= end,
            RemittanceAdjustment.reason_code.not_in(NOT_DENIALS),
        )
    )
    nets: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for claim, payer_id, reason, amount in rows:
        nets[(claim, payer_id, reason)] += amount
    denied = {k: v for k, v in nets.items() if v > 0}
    return DenialsReport(
        start=start,
        end=end,
        count=len({k[0] for k in denied}),
        amount=cents(sum(denied.values(), ZERO)),
        by_payer=_totals(denied, 1),
        by_reason=_totals(denied, 2),
    )
