"""correctClaim, voidClaim, sendSecondaryClaim and setAutoSecondaryClaims."""

from __future__ import annotations

import strawberry
from sqlalchemy import update
from strawberry.types import Info

from gateway.claims.corrections import ClaimChanges, correct_claim, void_claim
from gateway.claims.desk import Acceptance
from gateway.claims.draft import DraftLine
from gateway.graphql.ids import parse_id
from gateway.graphql.mutations.claims import ClaimLineInput, SubmitClaimPayload
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.claims_submitted import SubmittedClaimInfo
from gateway.identity import CLAIMS_WRITE, USERS_MANAGE
from gateway.ledger.secondary import send_secondary_claim
from gateway.storage.tables import Practice

KEY = "A fresh key per request, the same one on every retry of it (8-100 letters, digits, . _ : -)."


@strawberry.input(description="What a corrected claim changes; a field left out keeps its value.")
class ClaimChangesInput:
    diagnoses: list[str] | None = strawberry.field(
        default=None, description="ICD-10-CM, first is primary (replaces the whole list)."
    )
    lines: list[ClaimLineInput] | None = strawberry.field(
        default=None, description="Replaces every line (modifiers, units, charges...)."
    )
    place_of_service: str | None = None
    rendering_provider_npi: str | None = None
    total_charge: Money | None = strawberry.field(
        default=None, description="Defaults to the sum of the new lines when lines change."
    )
    patient_control_number: str | None = None


@strawberry.input
class CorrectClaimInput:
    claim_id: strawberry.ID = strawberry.field(description="The claim the payer holds.")
    changes: ClaimChangesInput
    idempotency_key: str = strawberry.field(description=KEY)


@strawberry.input
class ClaimActionInput:
    claim_id: strawberry.ID
    idempotency_key: str = strawberry.field(description=KEY)


def _changes(value: ClaimChangesInput) -> ClaimChanges:
    lines = None
    if value.lines is not None:
        lines = tuple(
            DraftLine(
                procedure_code=line.procedure_code,
                charge=line.charge,
                service_date=line.service_date,
                units=line.units,
                modifiers=tuple(line.modifiers),
                diagnosis_pointers=tuple(line.diagnosis_pointers),
                line_control_number=line.line_control_number,
            )
            for line in value.lines
        )
    return ClaimChanges(
        diagnoses=tuple(value.diagnoses) if value.diagnoses is not None else None,
        lines=lines,
        place_of_service=value.place_of_service,
        rendering_provider_npi=value.rendering_provider_npi,
        total_charge=value.total_charge,
        patient_control_number=value.patient_control_number,
    )


def _payload(accepted: Acceptance) -> SubmitClaimPayload:
    claim = SubmittedClaimInfo(row=accepted.claim) if accepted.claim is not None else None
    return SubmitClaimPayload(claim=claim, errors=accepted.errors, replayed=accepted.replayed)


@strawberry.type
class AutoSecondaryClaimsPayload:
    enabled: bool = strawberry.field(
        description="Whether a secondary claim goes out by itself once the primary's payment posts."
    )


@strawberry.type
class CorrectionMutations:
    @strawberry.mutation(
        description="Send a corrected claim (frequency 7) replacing one the payer holds, with its "
        "claim number, through the same edits and delivery as submitClaim.",
        extensions=needs(CLAIMS_WRITE),
    )
    async def correct_claim(
        self, info: Info, input: CorrectClaimInput
    ) -> SubmitClaimPayload | None:
        claim_id = parse_id(input.claim_id, "claim", "input.claimId")
        desk = info.context.services.claims.desk
        accepted = await correct_claim(
            desk, info.context.practice_id, claim_id, _changes(input.changes), input.idempotency_key
        )
        return _payload(accepted)

    @strawberry.mutation(
        description="Void (frequency 8) a claim the payer holds: the payer takes back what it paid.",
        extensions=needs(CLAIMS_WRITE),
    )
    async def void_claim(self, info: Info, input: ClaimActionInput) -> SubmitClaimPayload | None:
        claim_id = parse_id(input.claim_id, "claim", "input.claimId")
        desk = info.context.services.claims.desk
        accepted = await void_claim(desk, info.context.practice_id, claim_id, input.idempotency_key)
        return _payload(accepted)

    @strawberry.mutation(
        description="Send the claim on to the patient's next coverage with the primary's "
        "adjudication as posted (paid amounts, adjustments, dates).",
        extensions=needs(CLAIMS_WRITE),
    )
    async def send_secondary_claim(
        self, info: Info, input: ClaimActionInput
    ) -> SubmitClaimPayload | None:
        claim_id = parse_id(input.claim_id, "claim", "input.claimId")
        desk = info.context.services.claims.desk
        accepted = await send_secondary_claim(
            desk, info.context.practice_id, claim_id, input.idempotency_key
        )
        return _payload(accepted)

    @strawberry.mutation(
        description="Send secondary claims by themselves once the primary's payment posts "
        "(practice administrators).",
        extensions=needs(USERS_MANAGE),
    )
    async def set_auto_secondary_claims(
        self, info: Info, enabled: bool
    ) -> AutoSecondaryClaimsPayload | None:
        async with info.context.services.database.transaction() as session:
            await session.execute(
                update(Practice)
                .where(Practice.id == info.context.practice_id)
                .values(auto_secondary_claims=enabled)
            )
        info.context.audit.event(
            "practice.auto_secondary_claims", detail={"enabled": "true" if enabled else "false"}
        )
        return AutoSecondaryClaimsPayload(enabled=enabled)
