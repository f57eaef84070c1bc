"""The practice's ledger in the schema: remittances as posted, their claim payments and findings.

A remittance shows the payment exactly as the payers' own types show a fetched one (``payment``:
claim payments, service lines, adjustments in words, PLB), plus what the ledger did with it: each
claim payment's match state and claim, and the balancing findings. Member ids are PHI (phi:read).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import strawberry

from gateway.graphql.scalars import Money
from gateway.graphql.types.common import CodeType
from gateway.graphql.types.ledger_state import FinancialStateEnum
from gateway.graphql.types.payments import ClaimPayment, Payment
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from payers import model
from payers.codesets import lookup


@strawberry.enum(description="How a claim payment found its claim.")
class MatchState(StrEnum):
    MATCHED = "matched"
    MANUAL = "manual"
    UNMATCHED = "unmatched"


@strawberry.enum(description="How the remittance reached the ledger.")
class RemittanceSource(StrEnum):
    FETCHED = "fetched"
    UPLOADED = "uploaded"
    ENTERED = "entered"


@strawberry.type(description="One number of a finding, e.g. stated 120.00 or difference 10.00.")
class FindingNumber:
    name: str
    value: Money


@strawberry.type(
    description="A place where the remittance does not balance, as the payer sent it (never fixed)."
)
class BalancingFinding:
    code: str = strawberry.field(
        description="PAYMENT_UNBALANCED, CLAIM_UNBALANCED, PATIENT_RESPONSIBILITY_MISMATCH or "
        "LINE_UNBALANCED; or what the payer's reader reported, e.g. 835_LINE_UNREADABLE, "
        "835_SEGMENT_COUNT (docs/x12.md)."
    )
    message: str
    place: str = strawberry.field(description="Where: BPR02, a claim payment, a service line.")
    numbers: list[FindingNumber]

    @classmethod
    def of(cls, finding: dict[str, object]) -> BalancingFinding:
        numbers = finding.get("numbers") or {}
        assert isinstance(numbers, dict)
        return cls(
            code=str(finding.get("code")),
            message=str(finding.get("message")),
            place=str(finding.get("place")),
            numbers=[FindingNumber(name=k, value=Money(Decimal(v))) for k, v in numbers.items()],
        )


@strawberry.type(description="A claim payment in the ledger and the claim it was posted to.")
class PostedClaimPayment:
    id: strawberry.ID
    remittance_id: strawberry.ID
    ordinal: int = strawberry.field(description="Its position in the remittance, from 1.")
    match_state: MatchState
    claim_id: strawberry.ID | None = strawberry.field(
        description="The claim it was posted to; null while it waits on the unmatched worklist."
    )
    matched_at: datetime | None
    financial_state: FinancialStateEnum | None = strawberry.field(
        description="The matched claim's financial state now."
    )
    payer_id: str
    trace_number: str
    payment_date: date | None
    claim_payment: ClaimPayment = strawberry.field(
        description="The claim payment as the payer stated it (lines, adjustments in words)."
    )

    @classmethod
    def of(
        cls,
        row: RemittanceClaim,
        remittance: Remittance,
        payment: model.ClaimPayment,
        financial_state: str | None,
    ) -> PostedClaimPayment:
        return cls(
            id=strawberry.ID(row.id),
            remittance_id=strawberry.ID(row.remittance_id),
            ordinal=row.ordinal,
            match_state=MatchState(row.match_state),
            claim_id=strawberry.ID(row.claim_id) if row.claim_id else None,
            matched_at=row.matched_at,
            financial_state=FinancialStateEnum(financial_state) if financial_state else None,
            payer_id=remittance.payer_id,
            trace_number=remittance.trace_number,
            payment_date=remittance.payment_date,
            claim_payment=payment,  # type: ignore[arg-type]
        )


@strawberry.type(description="A remittance in your practice's ledger, posted once.")
class RemittanceInfo:
    id: strawberry.ID
    payer_id: str
    trace_number: str = strawberry.field(description="Check or EFT number (TRN02).")
    payment_date: date | None
    amount: Money
    method: CodeType
    source: RemittanceSource
    received_at: datetime
    findings: list[BalancingFinding]
    payment: Payment = strawberry.field(
        description="The whole payment as the payer stated it, provider adjustments (PLB) included."
    )
    claim_payments: list[PostedClaimPayment]

    @classmethod
    def of(
        cls,
        remittance: Remittance,
        payment: model.Payment,
        claims: list[PostedClaimPayment],
    ) -> RemittanceInfo:
        method = lookup("payment-method", remittance.method_code)
        return cls(
            id=strawberry.ID(remittance.id),
            payer_id=remittance.payer_id,
            trace_number=remittance.trace_number,
            payment_date=remittance.payment_date,
            amount=Money(remittance.amount),
            method=CodeType(system=method.system, code=method.code, description=method.description),
            source=RemittanceSource(remittance.source),
            received_at=remittance.received_at,
            findings=[BalancingFinding.of(f) for f in remittance.findings or ()],
            payment=payment,  # type: ignore[arg-type]
            claim_payments=claims,
        )
