"""addDiscoveredCoverage: put a coverage found by discovery (or a COB hint) on the patient's file.

It is addCoverage with what discovery found: the same card edits, and the same refusal of a card the
patient already holds (DUPLICATE_COVERAGE; the unique key makes two requests at once add it once).
Without a priority the card takes the first free place (primary, else secondary, else tertiary).
"""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.graphql.ids import parse_id
from gateway.graphql.mutations.patient_inputs import (
    MAX_COVERAGES,
    CoverageInput,
    patient_cards,
    slots_in_force,
    today,
)
from gateway.graphql.mutations.patients import AddCoverageInput, AddCoveragePayload, add_card
from gateway.graphql.permissions import needs
from gateway.identity import PATIENTS_WRITE


@strawberry.input(description="A coverage discoverCoverage found (or a payer reported), to keep.")
class AddDiscoveredCoverageInput:
    patient_id: strawberry.ID
    payer_id: str
    member_id: str
    group_number: str | None = None
    plan_name: str | None = None
    priority: int | None = strawberry.field(
        default=None, description="1 primary, 2, 3; default: the first free place."
    )
    effective_from: date | None = None


@strawberry.type
class DiscoveryMutations:
    @strawberry.mutation(
        description="Add a coverage found by discoverCoverage to the patient, once: a card the "
        "patient already holds answers DUPLICATE_COVERAGE.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def add_discovered_coverage(
        self, info: Info, input: AddDiscoveredCoverageInput
    ) -> AddCoveragePayload | None:
        priority = input.priority
        if priority is None:
            patient_id = parse_id(input.patient_id, "patient", field="patientId")
            async with info.context.services.database.session() as session:
                rows = await patient_cards(session, info.context.practice_id, patient_id)
            taken = {slot.priority for slot in slots_in_force(rows, today())}
            priority = next((p for p in range(1, MAX_COVERAGES + 1) if p not in taken), 1)
        card = CoverageInput(
            payer_id=input.payer_id,
            member_id=input.member_id,
            group_number=input.group_number,
            plan_name=input.plan_name,
            priority=priority,
            effective_from=input.effective_from,
        )
        adding = AddCoverageInput(patient_id=input.patient_id, coverage=card)
        return await add_card(info, adding)
