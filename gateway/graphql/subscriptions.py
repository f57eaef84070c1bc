"""GraphQL subscriptions (graphql-transport-ws only): ``claimStatusChanged``."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.claims_submitted import ClaimStatusChange
from gateway.identity import CLAIMS_READ


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Status changes of one claim (claimId) or of every claim of one patient (patientId), "
        "as they are recorded, from any gateway process.",
        extensions=needs(CLAIMS_READ),
    )
    async def claim_status_changed(
        self,
        info: Info,
        claim_id: strawberry.ID | None = None,
        patient_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[ClaimStatusChange, None]:
        if (claim_id is None) == (patient_id is None):
            raise InvalidInput("Give exactly one of claimId or patientId.", field="claimId")
        wanted_claim = parse_id(claim_id, "claim", "claimId") if claim_id is not None else None
        wanted_patient = (
            parse_id(patient_id, "patient", "patientId") if patient_id is not None else None
        )
        practice_id = info.context.practice_id
        async with info.context.services.claims.bus.subscribe(practice_id) as queue:
            while True:
                change = await queue.get()
                if change.claim_id == wanted_claim or change.patient_id == wanted_patient:
                    yield ClaimStatusChange.of(change)
