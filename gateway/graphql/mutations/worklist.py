"""resolveWorklistItem (eligibility:batch): the front desk marks a worklist item done, or open again.

Another practice's item is NOT_FOUND, exactly like a missing one. Audited with the item's id and
kind, never its facts.
"""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.graphql.field_errors import one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.worklist import WorklistEntry
from gateway.identity import ELIGIBILITY_BATCH
from gateway.jobs.worklist_store import set_resolved
from gateway.storage import tables


@strawberry.input
class ResolveWorklistItemInput:
    id: strawberry.ID = strawberry.field(description="The worklist item.")
    done: bool = strawberry.field(
        default=True, description="true marks it done, false opens it again."
    )


@strawberry.type
class ResolveWorklistItemPayload:
    item: WorklistEntry | None
    errors: list[FieldError]


@strawberry.type
class WorklistMutations:
    @strawberry.mutation(
        description="Mark a batch worklist item done (or open it again). Marking done twice keeps "
        "who did it first.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def resolve_worklist_item(
        self, info: Info, input: ResolveWorklistItemInput
    ) -> ResolveWorklistItemPayload | None:
        item_id = parse_id(input.id, "worklist item")
        practice_id = info.context.practice_id
        async with info.context.services.database.transaction() as session:
            stored = await set_resolved(
                session,
                practice_id,
                item_id,
                by=info.context.principal.actor_id,
                done=input.done,
            )
            patient = (
                await session.scalar(
                    select(tables.Patient).where(tables.Patient.id == stored.patient_id)
                )
                if stored is not None
                else None
            )
        if stored is None:
            return ResolveWorklistItemPayload(
                item=None, errors=one_error("id", "NOT_FOUND", "No such worklist item.")
            )
        info.context.audit.event(
            "worklist_item.resolved" if input.done else "worklist_item.reopened",
            detail={"item": stored.id, "kind": stored.item.kind.value},
        )
        return ResolveWorklistItemPayload(
            item=WorklistEntry(stored=stored, patient_row=patient), errors=[]
        )
