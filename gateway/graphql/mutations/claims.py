"""submitClaim (webhooks: mutations/webhooks.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.claims.draft import ClaimDraft, DraftDrug, DraftLine, DraftProvider
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.claims_submitted import SubmittedClaimInfo
from gateway.graphql.types.common import FieldError
from gateway.identity import CLAIMS_WRITE


@strawberry.input
class BillingProviderInput:
    npi: str | None = None
    tax_id: str | None = strawberry.field(default=None, description="EIN, 9 digits (12-3456789).")
    name: str | None = None


@strawberry.input(description="A provider named on a claim: NPI (check digit verified) and name.")
class ClaimProviderInput:
    npi: str | None = None
    last_name: str | None = None
    first_name: str | None = None


@strawberry.input(description="The drug given on a line (837P loop 2410), e.g. for a J-code.")
class DrugInput:
    ndc: str | None = strawberry.field(
        default=None, description="11-digit NDC in 5-4-2 form, hyphens optional: 00026-0635-12."
    )
    quantity: Decimal | None = None
    unit: str | None = strawberry.field(
        default=None,
        description="F2 international unit, GR gram, ME milligram, ML millilitre, UN unit.",
    )


@strawberry.input
class ClaimLineInput:
    procedure_code: str | None = strawberry.field(
        default=None, description="CPT or HCPCS, e.g. 99213."
    )
    charge: Money | None = None
    service_date: date | None = None
    units: Decimal | None = Decimal(1)
    modifiers: list[str] = strawberry.field(
        default_factory=list, description='Up to 4, e.g. ["25"].'
    )
    diagnosis_pointers: list[int] = strawberry.field(
        default_factory=list, description="1-based positions in diagnoses, up to 4, e.g. [1, 2]."
    )
    line_control_number: str | None = None
    drug: DrugInput | None = None
    ordering_provider: ClaimProviderInput | None = strawberry.field(
        default=None, description="837P 2420E, e.g. for DME or lab orders."
    )
    referring_provider: ClaimProviderInput | None = strawberry.field(
        default=None, description="837P 2420F, when it differs from the claim's."
    )


@strawberry.input(description="A professional claim (837P) for one patient's coverage.")
class ClaimInput:
    patient_id: strawberry.ID | None = None
    coverage_id: strawberry.ID | None = strawberry.field(
        default=None, description="The card billed."
    )
    billing_provider: BillingProviderInput = strawberry.field(default_factory=BillingProviderInput)
    rendering_provider_npi: str | None = None
    place_of_service: str | None = strawberry.field(
        default=None, description="CMS code, e.g. 11 (office)."
    )
    frequency_code: str | None = strawberry.field(
        default="1", description="1 original, 7 replacement, 8 void."
    )
    original_payer_claim_id: str | None = strawberry.field(
        default=None,
        description="The payer's claim number of the claim a 7 or 8 replaces or voids.",
    )
    patient_control_number: str | None = strawberry.field(
        default=None, description="Your account number."
    )
    diagnoses: list[str] = strawberry.field(
        default_factory=list, description="ICD-10-CM, first is primary."
    )
    lines: list[ClaimLineInput] = strawberry.field(default_factory=list)
    total_charge: Money | None = None
    referring_provider: ClaimProviderInput | None = strawberry.field(
        default=None, description="837P 2310A."
    )
    prior_authorization: str | None = strawberry.field(
        default=None, description="The payer's prior authorization number (REF*G1)."
    )
    referral_number: str | None = strawberry.field(
        default=None, description="Referral number (REF*9F)."
    )
    medical_record_number: str | None = strawberry.field(
        default=None, description="Your medical record number (REF*EA)."
    )


@strawberry.type
class SubmitClaimPayload:
    claim: SubmittedClaimInfo | None
    errors: list[FieldError]
    replayed: bool = strawberry.field(
        description="True when this idempotency key was already used for this claim: nothing new was created."
    )


def _draft(value: ClaimInput) -> ClaimDraft:
    provider = value.billing_provider
    return ClaimDraft(
        patient_id=value.patient_id,
        coverage_id=value.coverage_id,
        billing_provider_npi=provider.npi,
        billing_provider_tax_id=provider.tax_id,
        billing_provider_name=provider.name,
        place_of_service=value.place_of_service,
        diagnoses=tuple(value.diagnoses),
        lines=tuple(
            DraftLine(
                procedure_code=line.procedure_code,
                charge=line.charge,
                service_date=line.service_date,
                units=line.units,
                modifiers=tuple(line.modifiers),
                diagnosis_pointers=tuple(line.diagnosis_pointers),
                line_control_number=line.line_control_number,
                drug=DraftDrug(line.drug.ndc, line.drug.quantity, line.drug.unit)
                if line.drug
                else None,
                ordering_provider=_provider(line.ordering_provider),
                referring_provider=_provider(line.referring_provider),
            )
            for line in value.lines
        ),
        total_charge=value.total_charge,
        frequency_code=value.frequency_code,
        rendering_provider_npi=value.rendering_provider_npi,
        original_payer_claim_id=value.original_payer_claim_id,
        patient_control_number=value.patient_control_number,
        referring_provider=_provider(value.referring_provider),
        prior_authorization=value.prior_authorization,
        referral_number=value.referral_number,
        medical_record_number=value.medical_record_number,
    )


def _provider(value: ClaimProviderInput | None) -> DraftProvider | None:
    return DraftProvider(value.npi, value.last_name, value.first_name) if value else None


@strawberry.type
class ClaimMutations:
    @strawberry.mutation(
        description="Check a claim with the front-end edits and, when it passes, queue it for the payer. "
        "Send a fresh idempotencyKey per claim and the same one on every retry of it.",
        extensions=needs(CLAIMS_WRITE),
    )
    async def submit_claim(
        self, info: Info, input: ClaimInput, idempotency_key: str
    ) -> SubmitClaimPayload | None:
        desk = info.context.services.claims.desk
        accepted = await desk.submit(info.context.practice_id, idempotency_key, _draft(input))
        claim = SubmittedClaimInfo(row=accepted.claim) if accepted.claim is not None else None
        return SubmitClaimPayload(claim=claim, errors=accepted.errors, replayed=accepted.replayed)
