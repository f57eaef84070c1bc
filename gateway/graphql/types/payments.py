"""Remittances (835 / EOB payments). These types read the model's dataclasses as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from gateway.graphql.permissions import needs, patient_scope, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.answers import PayerAnswerInfo
from gateway.graphql.types.common import CodeType, FindingType
from gateway.identity import PAYMENTS_READ


@strawberry.type(description="A CAS adjustment: group (CO/PR/OA/PI/CR) + CARC reason + amount.")
class Adjustment:
    group: CodeType
    reason: CodeType
    amount: Money
    quantity: Decimal | None
    remarks: list[CodeType] = strawberry.field(description="Remittance advice remark codes (RARC).")
    explanation: str = strawberry.field(description="What this adjustment means, in plain words.")


@strawberry.type
class ServiceLinePayment:
    procedure: CodeType
    modifiers: list[str]
    charge: Money
    paid: Money
    units: Decimal | None
    service_date: date | None
    allowed_amount: Money | None
    adjustments: list[Adjustment] | None = strawberry.field(extensions=needs(PAYMENTS_READ))
    remarks: list[CodeType]
    findings: list[FindingType] = strawberry.field(
        description="What the gateway noticed and reported (a part it could not read, amounts "
        "that do not balance)."
    )


@strawberry.type(description="An accident the claim is for (FHIR EOB.accident).")
class Accident:
    occurred_on: date | None
    type: CodeType | None
    location: str | None = strawberry.field(
        description="Where: an address or a place's reference.", extensions=phi()
    )


@strawberry.type(description="The coverage the claim was adjudicated under (FHIR focal insurance).")
class FocalCoverage:
    coverage: str | None = strawberry.field(
        description="The payer's reference, identifier or name of that coverage.", extensions=phi()
    )
    pre_auth_refs: list[str] = strawberry.field(description="Prior authorization numbers.")


@strawberry.type(description="A note from the payer on how the claim was processed.")
class ProcessNote:
    number: int | None
    type: str | None = strawberry.field(description="display, print or printoper.")
    text: str
    language: CodeType | None


@strawberry.type(description="How one claim was settled within a payment.")
class ClaimPayment:
    control_number: str | None
    payer_claim_id: str | None
    status: CodeType = strawberry.field(description="835 CLP02 claim status.")
    charge: Money
    paid: Money
    patient_responsibility: Money | None
    member_id: str | None = strawberry.field(extensions=phi())
    service_date_from: date | None
    service_date_to: date | None
    adjustments: list[Adjustment] | None = strawberry.field(extensions=needs(PAYMENTS_READ))
    lines: list[ServiceLinePayment]
    remarks: list[CodeType]
    findings: list[FindingType] = strawberry.field(
        description="What the gateway noticed and reported (a part it could not read, amounts "
        "that do not balance)."
    )
    sub_type: CodeType | None = strawberry.field(
        default=None, description="Claim subtype (FHIR EOB.subType)."
    )
    precedence: int | None = strawberry.field(
        default=None, description="The payer's position in coordination of benefits (1 primary)."
    )
    accident: Accident | None = None
    focal_coverage: FocalCoverage | None = None
    process_notes: list[ProcessNote] | None = strawberry.field(
        default=None,
        description="The payer's notes on processing (free text that may name the member): "
        "phi:read only.",
        extensions=phi(),
    )


@strawberry.type(description="A provider-level adjustment not tied to one claim (835 PLB).")
class ProviderAdjustment:
    reason: CodeType
    amount: Money
    reference: str | None


@strawberry.type(description="One remittance: a payment and the claims it settles.")
class Payment:
    payer_id: str
    trace_number: str | None = strawberry.field(
        description="Check or EFT trace number (TRN02).", extensions=needs(PAYMENTS_READ)
    )
    method: CodeType = strawberry.field(description="Payment method (BPR04): ACH, CHK, NON...")
    payment_date: date | None
    amount: Money
    claims: list[ClaimPayment]
    provider_adjustments: list[ProviderAdjustment] | None = strawberry.field(
        extensions=needs(PAYMENTS_READ)
    )
    payee_npi: str | None
    findings: list[FindingType] = strawberry.field(
        description="What the gateway noticed and reported (a part it could not read, amounts "
        "that do not balance)."
    )


@strawberry.type(description="One payer's payments for one coverage.")
class PayerPayments(PayerAnswerInfo):
    @strawberry.field(extensions=patient_scope())
    def payments(self) -> list[Payment]:
        return list(self.answer.value)
