"""GraphQL subscriptions (graphql-transport-ws only): ``claimStatusChanged``, ``batchProgress``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.batches import EligibilityBatch
from gateway.graphql.types.claims_submitted import ClaimStatusChange
from gateway.identity import CLAIMS_READ, ELIGIBILITY_BATCH
from gateway.jobs.batches import batch_progress

#: How often a batchProgress subscription reads the batch's counts (any process may be working on it).
BATCH_PROGRESS_SECONDS = 1.0


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

    @strawberry.subscription(
        description="A batch eligibility job's progress: its counts whenever they change, read "
        "every second from the database (so from every worker process), ending when it finishes.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def batch_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[EligibilityBatch, None]:
        batch_id = parse_id(id, "batch")
        services = info.context.services
        practice_id = info.context.practice_id
        last = None
        while True:
            progress = await batch_progress(services.database, practice_id, batch_id)
            if progress is None:
                raise InvalidInput("No batch of your practice has this id.", field="id")
            seen = (progress.done, progress.retrying, progress.batch.status)
            if seen != last:
                last = seen
                yield EligibilityBatch.of(progress, services.payers)
            if progress.batch.status == "finished":
                return
            await asyncio.sleep(BATCH_PROGRESS_SECONDS)
