"""Root fields over submitted claims: ``claims(filter, first, after)`` and ``claim(id)``."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import select, tuple_
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs
from gateway.graphql.types.claims_submitted import SubmittedClaimInfo
from gateway.graphql.types.common import ClaimStateEnum
from gateway.identity import CLAIMS_READ
from gateway.storage.claims_tables import SubmittedClaim
from payers.model import ClaimState


@strawberry.input
class ClaimFilter:
    patient_id: strawberry.ID | None = None
    payer_id: str | None = None
    states: list[ClaimStateEnum] | None = None
    open: bool | None = strawberry.field(
        default=None, description="Only open (true) or closed (false) claims."
    )
    service_date_from: date | None = strawberry.field(
        default=None, description="Service on or after."
    )
    service_date_to: date | None = strawberry.field(
        default=None, description="Service on or before."
    )


@strawberry.type
class SubmittedClaimEdge:
    cursor: str
    node: SubmittedClaimInfo


@strawberry.type
class SubmittedClaimPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class SubmittedClaimConnection:
    edges: list[SubmittedClaimEdge]
    page_info: SubmittedClaimPageInfo


def _filtered(statement, filter: ClaimFilter):  # type: ignore[no-untyped-def]
    if filter.patient_id is not None:
        statement = statement.where(
            SubmittedClaim.patient_id == parse_id(filter.patient_id, "patient", "filter")
        )
    if filter.payer_id:
        statement = statement.where(SubmittedClaim.payer_id == filter.payer_id)
    if filter.states:
        statement = statement.where(
            SubmittedClaim.state.in_([ClaimState(s).value for s in filter.states])
        )
    if filter.open is not None:
        states = [s.value for s in ClaimState if s.is_open == filter.open]
        statement = statement.where(SubmittedClaim.state.in_(states))
    if filter.service_date_from:
        statement = statement.where(SubmittedClaim.service_date_to >= filter.service_date_from)
    if filter.service_date_to:
        statement = statement.where(SubmittedClaim.service_date_from <= filter.service_date_to)
    return statement


@strawberry.type
class ClaimQueries:
    @strawberry.field(
        description="Claims your practice submitted through the gateway, newest first.",
        extensions=needs(CLAIMS_READ),
    )
    async def claims(
        self,
        info: Info,
        filter: ClaimFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SubmittedClaimConnection | None:
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        statement = select(SubmittedClaim).where(
            SubmittedClaim.practice_id == info.context.practice_id
        )
        statement = _filtered(statement, filter or ClaimFilter())
        order = (SubmittedClaim.created_at, SubmittedClaim.id)
        if after:
            created, claim_id = decode_cursor(after, 2)
            try:
                stamp = datetime.fromisoformat(created)
            except ValueError as exc:
                raise InvalidInput(
                    "The cursor is not valid; use a cursor returned by this API.", field="after"
                ) from exc
            statement = statement.where(tuple_(*order) < tuple_(stamp, claim_id))
        statement = statement.order_by(*(c.desc() for c in order)).limit(first + 1)
        async with info.context.services.database.session() as session:
            rows = list(await session.scalars(statement))
        edges = [
            SubmittedClaimEdge(
                cursor=encode_cursor(r.created_at.isoformat(), r.id), node=SubmittedClaimInfo(row=r)
            )
            for r in rows[:first]
        ]
        return SubmittedClaimConnection(
            edges=edges,
            page_info=SubmittedClaimPageInfo(
                has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
            ),
        )

    @strawberry.field(
        description="One claim your practice submitted, or null.", extensions=needs(CLAIMS_READ)
    )
    async def claim(self, info: Info, id: strawberry.ID) -> SubmittedClaimInfo | None:
        claim_id = parse_id(id, "claim")
        async with info.context.services.database.session() as session:
            row = await session.scalar(
                select(SubmittedClaim).where(
                    SubmittedClaim.id == claim_id,
                    SubmittedClaim.practice_id == info.context.practice_id,
                )
            )
        return SubmittedClaimInfo(row=row) if row else None
