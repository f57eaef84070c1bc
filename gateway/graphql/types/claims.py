"""Claims as a payer holds them. These types read the model's dataclasses as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from gateway.graphql.permissions import patient_scope, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.answers import PayerAnswerInfo
from gateway.graphql.types.common import ClaimStateEnum, CodeType, FindingType, StatusLevelEnum
from gateway.graphql.types.exchange import DESCRIPTION as RAW_EXCHANGE
from gateway.graphql.types.exchange import RawExchange
from gateway.identity import CLAIMS_READ
from payers.model import PayerExchange

PAYER_WORDS = "What the payer wrote (free text that may name the member): phi:read only."


@strawberry.type(
    description="One status a payer stated (a 277 STC composite) with the level and loop it was "
    "stated at and the entity it is about."
)
class StatusDetail:
    category: CodeType = strawberry.field(description="277 claim status category, e.g. A3.")
    level: StatusLevelEnum = strawberry.field(  # type: ignore[valid-type]
        description="Information receiver, provider, claim or service line."
    )
    loop: str = strawberry.field(description="The implementation guide's loop, e.g. 2200D.")
    status: CodeType | None = strawberry.field(
        description="Status code: X12 claim status code, or from the list codeList names "
        "(RX: an NCPDP reject code)."
    )
    entity: CodeType | None = strawberry.field(
        description="Who the status is about (STC01-3 entity identifier), e.g. 85 billing provider."
    )
    code_list: CodeType | None = strawberry.field(
        description="The code list the status code is from when not X12's (STC01-4), e.g. RX."
    )
    line: int | None = strawberry.field(description="Service line (1-based) of a line status.")
    effective_date: date | None
    total_charge: Money | None
    paid_amount: Money | None


@strawberry.type(description="A reference a payer states for a claim or service line (277 REF).")
class ClaimReference:
    qualifier: CodeType = strawberry.field(
        description="What the value is, e.g. 1K payer claim number, BLT bill type."
    )
    value: str


@strawberry.type(description="A service line a claim status reports on (277 loop 2220).")
class ServiceLineStatus:
    line: int
    procedure: CodeType | None
    modifiers: list[str]
    charge: Money | None
    paid: Money | None
    units: Decimal | None
    service_date_from: date | None
    service_date_to: date | None
    references: list[ClaimReference]
    statuses: list[StatusDetail]


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
    level: StatusLevelEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The level this status was stated at (claim for a claim)."
    )
    statuses: list[StatusDetail] = strawberry.field(
        default_factory=list,
        description="Every status that applies: those of the information receiver and provider "
        "above the claim, the claim's own and its service lines', in the payer's order.",
    )
    service_date_from: date | None = None
    service_date_to: date | None = None
    references: list[ClaimReference] = strawberry.field(
        default_factory=list,
        description="The payer's references for the claim (payer claim number, bill type...).",
    )
    lines: list[ServiceLineStatus] = strawberry.field(
        default_factory=list, description="Service lines the payer reports on."
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
