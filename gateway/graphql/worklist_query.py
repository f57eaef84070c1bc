"""Root field ``batchWorklist`` (eligibility:batch): a batch's worklist, by kind, in pages.

Filtered by the caller's practice: another practice's batch has no items, exactly like a batch that
does not exist. The items' facts are PHI (phi:read, audited per patient).
"""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs
from gateway.graphql.types.worklist import (
    WorklistConnection,
    WorklistEntry,
    WorklistKindCount,
    WorklistKindEnum,
    WorklistPageInfo,
)
from gateway.identity import ELIGIBILITY_BATCH
from gateway.jobs.worklist import WorklistKind
from gateway.jobs.worklist_store import batch_counts, batch_items
from gateway.storage import tables


@strawberry.type
class WorklistQueries:
    @strawberry.field(
        description="What a batch's checks left to act on, by kind then item; kind and openOnly "
        "narrow it. counts covers the whole batch.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def batch_worklist(
        self,
        info: Info,
        batch_id: strawberry.ID,
        kind: WorklistKindEnum | None = None,
        open_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> WorklistConnection | None:
        batch = parse_id(batch_id, "batch", "batchId")
        limit: int = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        key = None
        if after:
            after_kind, after_id = decode_cursor(after, 2)
            if after_kind not in WorklistKind.__members__:
                raise InvalidInput(
                    "The cursor is not valid; use a cursor returned by this API.", field="after"
                )
            key = (after_kind, after_id)
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            rows = await batch_items(
                session,
                practice_id,
                batch,
                kind=WorklistKind(kind) if kind is not None else None,
                open_only=open_only,
                after=key,
                limit=first + 1,
            )
            page = rows[:first]
            patient_ids = {r.patient_id for r in page}
            patients = {
                p.id: p
                for p in await session.scalars(
                    select(tables.Patient).where(
                        tables.Patient.practice_id == practice_id,
                        tables.Patient.id.in_(patient_ids),
                    )
                )
            }
            counts = await batch_counts(session, practice_id, batch)
        last = page[-1] if page else None
        return WorklistConnection(
            items=[WorklistEntry(stored=r, patient_row=patients.get(r.patient_id)) for r in page],
            page_info=WorklistPageInfo(
                has_next_page=len(rows) > first,
                end_cursor=encode_cursor(last.item.kind.value, last.id) if last else None,
            ),
            counts=[WorklistKindCount.of(c) for c in counts],
        )
