"""Root field ``batch`` (eligibility:batch): a batch eligibility job of the caller's practice."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.batches import EligibilityBatch
from gateway.identity import ELIGIBILITY_BATCH
from gateway.jobs.batches import batch_progress


@strawberry.type
class BatchQueries:
    @strawberry.field(
        description="A batch eligibility job with its progress; null for an unknown id or another "
        "practice's batch.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def batch(self, info: Info, id: strawberry.ID) -> EligibilityBatch | None:
        batch_id = parse_id(id, "batch")
        services = info.context.services
        progress = await batch_progress(services.database, info.context.practice_id, batch_id)
        return EligibilityBatch.of(progress, services.payers) if progress else None
