"""Claims as a payer holds them. These types read the model's dataclasses as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from gateway.graphql.permissions import patient_scope, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.answers import PayerAnswerInfo
from gateway.graphql.types.common import ClaimStateEnum, CodeType, FindingType
from gateway.graphql.types.exchange import DESCRIPTION as RAW_EXCHANGE
from gateway.graphql.types.exchange import RawExchange
from gateway.identity import CLAIMS_READ
from payers.model import PayerExchange

PAYER_WORDS = "What the payer wrote (free text that may name the member): phi:read only."


@strawberry.type(
    description="A claim's status as the payer states it (277: category + status + entity)."
)
class ClaimStatus:
    state: ClaimStateEnum
    category: CodeType = strawberry.field(description="277 claim status category, e.g. F1.")
    status: CodeType | None = strawberry.field(description="277 claim status code, e.g. 65.")
    entity: CodeType | None
    effective_date: date | None
    payer_claim_id: str | None
    control_number: str | None
    total_charge: Money | None
    paid_amount: Money | None
    message: str | None = strawberry.field(description=PAYER_WORDS, extensions=phi(CLAIMS_READ))
    findings: list[FindingType] = strawberry.field(
        default_factory=list,
        description="What the gateway noticed in the payer's answer and reported (a status it "
        "could not read, an unknown code list).",
    )
    exchange: strawberry.Private[PayerExchange | None] = None

    # Resolved on the model's ClaimStatus itself (this type reads the dataclass as it is).
    @strawberry.field(description=RAW_EXCHANGE, extensions=phi(CLAIMS_READ))
    def raw_exchange(self) -> RawExchange | None:
        return RawExchange.of(self.exchange)


@strawberry.type
class ClaimLine:
    line_number: int
    procedure: CodeType = strawberry.field(description="CPT/HCPCS procedure code.")
    modifiers: list[str]
    diagnosis_pointers: list[int]
    units: Decimal
    charge: Money
    service_date: date | None
    allowed_amount: Money | None
    paid_amount: Money | None


@strawberry.type
class Claim:
    payer_id: str
    payer_claim_id: str | None
    control_number: str | None = strawberry.field(description="Our patient control number (CLM01).")
    member_id: str | None = strawberry.field(extensions=phi())
    status: ClaimStatus
    service_date_from: date | None
    service_date_to: date | None
    total_charge: Money
    claim_type: str
    billing_provider_npi: str | None
    rendering_provider_npi: str | None
    place_of_service: CodeType | None
    diagnoses: list[CodeType]
    lines: list[ClaimLine]
    paid_amount: Money | None
    patient_responsibility: Money | None


@strawberry.type(description="One payer's claims for one coverage.")
class PayerClaims(PayerAnswerInfo):
    @strawberry.field(extensions=patient_scope())
    def claims(self) -> list[Claim]:
        return list(self.answer.value)
