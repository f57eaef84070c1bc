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
    procedure_qualifier: CodeType | None = strawberry.field(
        description="The code list the procedure comes from (835 SVC01-1): HC HCPCS/CPT, NU "
        "revenue code, AD dental, N4 drug code, ZZ mutually defined..."
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
    filing_indicator: CodeType | None = strawberry.field(
        description="The kind of plan the claim was paid under (835 CLP06): MB Medicare Part B, "
        "12 PPO, MC Medicaid..."
    )
    facility_code: CodeType | None = strawberry.field(
        description="835 CLP08: place of service (professional) or facility type of the bill "
        "(institutional)."
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
    provider_id: str | None = strawberry.field(
        description="The provider the adjustment is for (PLB01, an NPI or tax id)."
    )
    fiscal_period_end: date | None = strawberry.field(
        description="Last day of the provider's fiscal period it belongs to (PLB02)."
    )


@strawberry.type(description="An identifier of a payer or payee, with what kind of id it is.")
class PartyIdentifier:
    qualifier: CodeType = strawberry.field(
        description="XV plan id, XX NPI, FI or TJ tax id, 2U payer id, EO submitter id..."
    )
    value: str


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
    payer_name: str | None = strawberry.field(description="Who paid (835 N1*PR).")
    payer_ids: list[PartyIdentifier] = strawberry.field(
        description="The payer's identifiers (N1*PR and its REF*2U/EO/HI/NF)."
    )
    payee_name: str | None = strawberry.field(description="Who was paid (835 N1*PE).")
    payee_tax_id: str | None = strawberry.field(
        description="The payee's federal tax id (N1*PE FI or REF*TJ)."
    )
    payee_ids: list[PartyIdentifier] = strawberry.field(
        description="The payee's identifiers (N1*PE and its REF*TJ/PQ/0B/D3)."
    )


@strawberry.type(description="One payer's payments for one coverage.")
class PayerPayments(PayerAnswerInfo):
    @strawberry.field(extensions=patient_scope())
    def payments(self) -> list[Payment]:
        return list(self.answer.value)
