"""A claim's financials (``SubmittedClaim.financials``), from the payments posted to it.

A mixin of ``SubmittedClaim``, so the claim type keeps one line for it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.payments import Adjustment
from gateway.identity import PAYMENTS_READ
from gateway.ledger.money import ClaimMoney, money_of_claims
from gateway.storage.claims_tables import SubmittedClaim


@strawberry.type(description="A claim's money, from the payments posted to it.")
class ClaimFinancials:
    charged: Money
    allowed: Money | None = strawberry.field(
        description="The lines' allowed amounts, else the charge less CO/OA/PI; null until settled."
    )
    paid: Money = strawberry.field(description="What the claim's payer paid (reversals netted).")
    adjustments: list[Adjustment] = strawberry.field(
        description="Every adjustment (group + CARC) netted across the postings."
    )
    patient_responsibility: Money | None = strawberry.field(
        description="The patient's part (PR adjustments); null before any payment."
    )
    secondary_paid: Money = strawberry.field(
        description="What later payers paid on our secondary claims to this one."
    )
    balance: Money = strawberry.field(
        description="Still open: the patient's part no secondary paid, plus, until the payer "
        "settles the claim, what is neither paid nor adjusted (before any payment: the charge)."
    )
    settled: bool = strawberry.field(
        description="The payer adjudicated it and did not take it back."
    )

    @classmethod
    def of(cls, money: ClaimMoney) -> ClaimFinancials:
        return cls(
            charged=money.charged,  # type: ignore[arg-type]
            allowed=money.allowed,  # type: ignore[arg-type]
            paid=money.paid,  # type: ignore[arg-type]
            adjustments=list(money.adjustments),  # type: ignore[arg-type]
            patient_responsibility=money.patient_responsibility,  # type: ignore[arg-type]
            secondary_paid=money.secondary_paid,  # type: ignore[arg-type]
            balance=money.balance,  # type: ignore[arg-type]
            settled=money.settled,
        )


@strawberry.type
class ClaimMoneyFields:
    row: strawberry.Private[SubmittedClaim]

    @strawberry.field(
        description="Charged, allowed, paid, adjustments, the patient's part and what is still "
        "open, from the payments posted to the claim (the charge is open until one is).",
        extensions=needs(PAYMENTS_READ),
    )
    async def financials(self, info: Info) -> ClaimFinancials | None:
        refuse_response_cache()  # the ledger is live state
        async with info.context.services.database.session() as session:
            money = await money_of_claims(session, self.row.practice_id, [self.row])
        return ClaimFinancials.of(money[self.row.id])
