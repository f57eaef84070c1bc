"""Root field ``eligibilityHistory``: the practice's final batch eligibility checks as a Relay
connection, paged and signed exactly as ``claimHistory`` (gateway/graphql/history_query.py).

It needs eligibility:read, the scope every other read of eligibility answers needs (a patient's
eligibility, estimates, coverage discovery); claims:read guards claims, which this does not return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import strawberry
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.graphql.history_query import (
    DEFAULT_FIRST,
    MAX_FIRST,
    HistoryPageInfo,
    after_key,
    checked_request,
    cursor_scope,
    page_info,
)
from gateway.graphql.permissions import needs
from gateway.graphql.types.eligibility_history import EligibilityHistoryEntry, EligibilityOutcome
from gateway.history import eligibility
from gateway.history.cursors import decode_instant_cursor, encode_instant_cursor
from gateway.history.filters import EligibilityFilter
from gateway.identity import ELIGIBILITY_READ


@strawberry.input(
    description="Narrows eligibilityHistory; every part is optional, lists match any value."
)
class EligibilityHistoryFilter:
    payer_ids: list[str] | None = None
    checked_date_from: date | None = strawberry.field(
        default=None, description="The check ended on or after this day (the practice's calendar)."
    )
    checked_date_to: date | None = strawberry.field(
        default=None, description="The check ended on or before this day (the practice's calendar)."
    )
    outcomes: list[EligibilityOutcome] | None = None
    error_codes: list[str] | None = strawberry.field(
        default=None, description="Failed checks' codes, e.g. MEMBER_NOT_FOUND, PAYER_TIMEOUT."
    )


@strawberry.type
class EligibilityHistoryEdge:
    cursor: str
    node: EligibilityHistoryEntry


@dataclass(frozen=True, slots=True)
class _Slice:
    practice_id: str
    wanted: EligibilityFilter


@strawberry.type(description="Final eligibility checks of the practice, newest first.")
class EligibilityHistoryConnection:
    edges: list[EligibilityHistoryEdge]
    page_info: HistoryPageInfo
    slice: strawberry.Private[_Slice]

    @strawberry.field(description="How many checks the filter holds (all pages).")
    async def total_count(self, info: Info) -> int:
        async with info.context.services.database.session() as session:
            return await eligibility.eligibility_history_count(
                session, self.slice.practice_id, self.slice.wanted
            )


def eligibility_filter(given: EligibilityHistoryFilter | None) -> EligibilityFilter:
    given = given or EligibilityHistoryFilter()
    return EligibilityFilter(
        payer_ids=tuple(given.payer_ids or ()),
        checked_from=given.checked_date_from,
        checked_to=given.checked_date_to,
        outcomes=tuple(EligibilityOutcome(o).value for o in given.outcomes or ()),
        error_codes=tuple(c.strip().upper() for c in given.error_codes or ()),
    )


@strawberry.type
class EligibilityHistoryQueries:
    @strawberry.field(
        description="Every eligibility check your practice's batches finished (the payer "
        "answered, or did not in the end), newest first, then by id; first at most "
        f"{MAX_FIRST}. Nothing here calls a payer.",
        extensions=needs(ELIGIBILITY_READ),
    )
    async def eligibility_history(
        self,
        info: Info,
        filter: EligibilityHistoryFilter | None = None,
        first: int = DEFAULT_FIRST,
        after: str | None = None,
    ) -> EligibilityHistoryConnection | None:
        refuse_response_cache()  # batches keep finishing checks
        wanted = eligibility_filter(filter)
        checked_request(first, wanted)
        scope = cursor_scope(info, "eligibilityHistory", wanted)
        key = after_key(info, scope, after, decode_instant_cursor)
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            page = await eligibility.eligibility_history_page(
                session, practice_id, wanted, first=first, after=key
            )
        secret = info.context.services.settings.pseudonym_secret
        edges = [
            EligibilityHistoryEdge(
                cursor=encode_instant_cursor(secret, scope, row.finished_at, row.id),
                node=EligibilityHistoryEntry.of(row),
            )
            for row in page.rows
        ]
        return EligibilityHistoryConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page, after),
            slice=_Slice(practice_id, wanted),
        )
