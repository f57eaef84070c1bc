"""Root fields ``batch`` and ``batches`` (eligibility:batch): the caller's practice's batch
eligibility jobs, one by id or the newest first in pages."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs
from gateway.graphql.types.batches import (
    BatchPageInfo,
    EligibilityBatch,
    EligibilityBatchConnection,
)
from gateway.identity import ELIGIBILITY_BATCH
from gateway.jobs.batches import batch_progress, recent_batches

BAD_CURSOR = "The cursor is not valid; use a cursor returned by this API."


def _after(after: str | None) -> tuple[datetime, str] | None:
    if not after:
        return None
    stamp, batch_id = decode_cursor(after, 2)
    try:
        return datetime.fromisoformat(stamp), batch_id
    except ValueError as exc:
        raise InvalidInput(BAD_CURSOR, field="after") from exc


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

    @strawberry.field(
        description="Your practice's batch eligibility jobs with their progress, the newest first.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def batches(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> EligibilityBatchConnection | None:
        limit: int = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        services = info.context.services
        rows = await recent_batches(
            services.database, info.context.practice_id, first + 1, _after(after)
        )
        page = rows[:first]
        last = page[-1].batch if page else None
        return EligibilityBatchConnection(
            items=[EligibilityBatch.of(p, services.payers) for p in page],
            page_info=BatchPageInfo(
                has_next_page=len(rows) > first,
                end_cursor=encode_cursor(last.created_at.isoformat(), last.id) if last else None,
            ),
        )
