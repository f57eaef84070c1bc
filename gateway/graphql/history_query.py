"""Root fields ``claimHistory`` and ``remittanceHistory``: the practice's history as Relay
connections (edges, pageInfo, totalCount), for notebooks and partner systems.

Pages are keyset pages under signed cursors (gateway/history/cursors.py); ``first`` is at most
:data:`MAX_FIRST`. Nothing here calls a payer: payer-reported claims come from the table the
refresher keeps (gateway/history/refresher.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import strawberry
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.errors import InvalidInput
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.types.common import ClaimStateEnum
from gateway.graphql.types.history import (
    ClaimHistoryEntry,
    ClaimPaymentHistoryEntry,
    HistorySource,
)
from gateway.history import claims as claim_history
from gateway.history import payments as remittance_history
from gateway.history.claims import ClaimLedgerSums
from gateway.history.cursors import CursorInvalid, decode_cursor, encode_cursor
from gateway.history.filters import EligibilityFilter, HistoryFilter
from gateway.history.loaders import HistoryLoaders
from gateway.identity import CLAIMS_READ, PAYMENTS_READ

K = TypeVar("K")

#: The largest page a history connection answers.
MAX_FIRST = 500
DEFAULT_FIRST = 100


@strawberry.input(
    description="Narrows claimHistory; every part is optional, lists match any value."
)
class ClaimHistoryFilter:
    payer_ids: list[str] | None = None
    service_date_from: date | None = strawberry.field(
        default=None, description="Dates of service end on or after."
    )
    service_date_to: date | None = strawberry.field(
        default=None, description="Dates of service start on or before."
    )
    paid_date_from: date | None = strawberry.field(
        default=None, description="A payment posted to the claim is dated on or after."
    )
    paid_date_to: date | None = strawberry.field(
        default=None, description="A payment posted to the claim is dated on or before."
    )
    states: list[ClaimStateEnum] | None = None
    denial_reasons: list[str] | None = strawberry.field(
        default=None,
        description="CARCs (e.g. 197, 96): claims whose posted payments carry one of them.",
    )
    sources: list[HistorySource] | None = None


@strawberry.input(
    description="Narrows remittanceHistory; every part is optional, lists match any value."
)
class RemittanceHistoryFilter:
    payer_ids: list[str] | None = None
    service_date_from: date | None = None
    service_date_to: date | None = None
    paid_date_from: date | None = strawberry.field(
        default=None, description="The payment is dated on or after."
    )
    paid_date_to: date | None = strawberry.field(
        default=None, description="The payment is dated on or before."
    )
    statuses: list[str] | None = strawberry.field(
        default=None, description="835 CLP02 claim statuses, e.g. 1 (processed), 4 (denied)."
    )
    denial_reasons: list[str] | None = strawberry.field(
        default=None, description="CARCs: claim payments with an adjustment of one of them."
    )
    sources: list[HistorySource] | None = strawberry.field(
        default=None, description="The source of the claim history row each payment belongs to."
    )


@strawberry.type(description="Where a page of a history connection stands.")
class HistoryPageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ClaimHistoryEdge:
    cursor: str
    node: ClaimHistoryEntry


@strawberry.type(description="Sums over the whole filtered history, not only this page.")
class ClaimHistoryTotals:
    claims: int
    charge: Money
    paid: Money = strawberry.field(
        description="The ledger's claim payments of these claims, each counted once."
    )


@dataclass(frozen=True, slots=True)
class _Slice:
    practice_id: str
    wanted: HistoryFilter


@strawberry.type(description="Claims of the practice's history, newest service first.")
class ClaimHistoryConnection:
    edges: list[ClaimHistoryEdge]
    page_info: HistoryPageInfo
    slice: strawberry.Private[_Slice]

    @strawberry.field(description="How many claims the filter holds (all pages).")
    async def total_count(self, info: Info) -> int:
        async with info.context.services.database.session() as session:
            totals = await claim_history.claim_history_totals(
                session, self.slice.practice_id, self.slice.wanted
            )
        return totals.claims

    @strawberry.field(
        description="Charges and ledger payments over the whole filtered history.",
        extensions=needs(PAYMENTS_READ),
    )
    async def totals(self, info: Info) -> ClaimHistoryTotals | None:
        async with info.context.services.database.session() as session:
            totals = await claim_history.claim_history_totals(
                session, self.slice.practice_id, self.slice.wanted
            )
        return ClaimHistoryTotals(
            claims=totals.claims,
            charge=totals.charge,  # type: ignore[arg-type]
            paid=totals.paid,  # type: ignore[arg-type]
        )


@strawberry.type
class ClaimPaymentHistoryEdge:
    cursor: str
    node: ClaimPaymentHistoryEntry


@strawberry.type(description="Sums over the whole filtered slice, not only this page.")
class RemittanceHistoryTotals:
    claim_payments: int
    charge: Money
    paid: Money = strawberry.field(description="Each claim payment counted once.")
    patient_responsibility: Money
    remittances: int = strawberry.field(description="Distinct remittances the slice touches.")
    remittance_amount: Money = strawberry.field(
        description="Those remittances' amounts (BPR02), each counted once, however many of its "
        "claim payments are in the slice."
    )
    provider_adjustments: Money = strawberry.field(
        description="Provider-level adjustments (PLB) of those remittances, each counted once."
    )


@strawberry.type(description="Claim payments of the practice's ledger, newest payment first.")
class RemittanceHistoryConnection:
    edges: list[ClaimPaymentHistoryEdge]
    page_info: HistoryPageInfo
    slice: strawberry.Private[_Slice]

    @strawberry.field(description="How many claim payments the filter holds (all pages).")
    async def total_count(self, info: Info) -> int:
        return (await self._totals(info)).claim_payments

    @strawberry.field(description="Sums over the whole filtered slice.")
    async def totals(self, info: Info) -> RemittanceHistoryTotals:
        totals = await self._totals(info)
        return RemittanceHistoryTotals(
            claim_payments=totals.claim_payments,
            charge=totals.charge,  # type: ignore[arg-type]
            paid=totals.paid,  # type: ignore[arg-type]
            patient_responsibility=totals.patient_responsibility,  # type: ignore[arg-type]
            remittances=totals.remittances,
            remittance_amount=totals.remittance_amount,  # type: ignore[arg-type]
            provider_adjustments=totals.provider_adjustments,  # type: ignore[arg-type]
        )

    async def _totals(self, info: Info) -> remittance_history.RemittanceHistoryTotals:
        async with info.context.services.database.session() as session:
            return await remittance_history.remittance_history_totals(
                session, self.slice.practice_id, self.slice.wanted
            )


def checked_request(first: int, wanted: HistoryFilter | EligibilityFilter) -> None:
    """Refuse a page size out of range, or a filter that cannot run (every problem at once)."""
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"'first' must be between 1 and {MAX_FIRST}.", field="first")
    problems = wanted.problems()
    if problems:
        raise InvalidInput(
            "; ".join(p.message for p in problems),
            field=f"filter.{problems[0].field}",
            problems=[{"field": f"filter.{p.field}", "message": p.message} for p in problems],
        )


def cursor_scope(info: Info, connection: str, wanted: HistoryFilter | EligibilityFilter) -> str:
    """What a cursor is signed over: the connection, the caller's practice, the filter."""
    return f"{connection}:{info.context.practice_id}:{wanted.digest()}"


def _after(info: Info, scope: str, after: str | None) -> tuple[date, str] | None:
    return after_key(info, scope, after, decode_cursor)


def after_key(
    info: Info, scope: str, after: str | None, decode: Callable[[str, str, str], K]
) -> K | None:
    """The sort key ``after`` holds (decoded by ``decode``); refused unless signed for ``scope``."""
    if not after:
        return None
    try:
        return decode(info.context.services.settings.pseudonym_secret, scope, after)
    except CursorInvalid:
        raise InvalidInput(
            "The cursor is not valid for this query; use an endCursor this query returned.",
            field="after",
        ) from None


def _cursor(info: Info, scope: str, sort_date: date, row_id: str) -> str:
    return encode_cursor(info.context.services.settings.pseudonym_secret, scope, sort_date, row_id)


def page_info(cursors: list[str], has_next: bool, after: str | None) -> HistoryPageInfo:
    return HistoryPageInfo(
        has_next_page=has_next,
        has_previous_page=bool(after),
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def claim_filter(given: ClaimHistoryFilter | None) -> HistoryFilter:
    given = given or ClaimHistoryFilter()
    return HistoryFilter(
        payer_ids=tuple(given.payer_ids or ()),
        service_from=given.service_date_from,
        service_to=given.service_date_to,
        paid_from=given.paid_date_from,
        paid_to=given.paid_date_to,
        states=tuple(ClaimStateEnum(s).value for s in given.states or ()),
        denial_reasons=tuple(r.strip().upper() for r in given.denial_reasons or ()),
        sources=tuple(HistorySource(s).value for s in given.sources or ()),
    )


def remittance_filter(given: RemittanceHistoryFilter | None) -> HistoryFilter:
    given = given or RemittanceHistoryFilter()
    return HistoryFilter(
        payer_ids=tuple(given.payer_ids or ()),
        service_from=given.service_date_from,
        service_to=given.service_date_to,
        paid_from=given.paid_date_from,
        paid_to=given.paid_date_to,
        payment_statuses=tuple(s.strip() for s in given.statuses or ()),
        denial_reasons=tuple(r.strip().upper() for r in given.denial_reasons or ()),
        sources=tuple(HistorySource(s).value for s in given.sources or ()),
    )


@strawberry.type
class HistoryQueries:
    @strawberry.field(
        description="Every claim of your practice's history, one row per claim whatever its "
        "source: submitted through the gateway, reported by a payer's claim search (refreshed on "
        "a schedule; X12 payers have none), or known only from a remittance. Newest service "
        f"first, then by id; first at most {MAX_FIRST}.",
        extensions=needs(CLAIMS_READ),
    )
    async def claim_history(
        self,
        info: Info,
        filter: ClaimHistoryFilter | None = None,
        first: int = DEFAULT_FIRST,
        after: str | None = None,
    ) -> ClaimHistoryConnection | None:
        refuse_response_cache()  # the ledger and the refreshed reports are live state
        wanted = claim_filter(filter)
        checked_request(first, wanted)
        scope = cursor_scope(info, "claimHistory", wanted)
        key = _after(info, scope, after)
        practice_id = info.context.practice_id
        database = info.context.services.database
        async with database.session() as session:
            page = await claim_history.claim_history_page(
                session, practice_id, wanted, first=first, after=key
            )
        loaders = HistoryLoaders(database, practice_id)
        edges = [
            ClaimHistoryEdge(
                cursor=_cursor(info, scope, row.sort_date, row.id),
                node=ClaimHistoryEntry.of(row, page.sums.get(row.id, ClaimLedgerSums()), loaders),
            )
            for row in page.rows
        ]
        return ClaimHistoryConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page, after),
            slice=_Slice(practice_id, wanted),
        )

    @strawberry.field(
        description="Every claim payment of your practice's ledger (each remittance once per "
        "claim it pays, so sums never count a payment twice), newest payment first, then by id; "
        f"first at most {MAX_FIRST}.",
        extensions=needs(PAYMENTS_READ),
    )
    async def remittance_history(
        self,
        info: Info,
        filter: RemittanceHistoryFilter | None = None,
        first: int = DEFAULT_FIRST,
        after: str | None = None,
    ) -> RemittanceHistoryConnection | None:
        refuse_response_cache()
        wanted = remittance_filter(filter)
        checked_request(first, wanted)
        scope = cursor_scope(info, "remittanceHistory", wanted)
        key = _after(info, scope, after)
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            page = await remittance_history.remittance_history_page(
                session, practice_id, wanted, first=first, after=key
            )
        edges = [
            ClaimPaymentHistoryEdge(
                cursor=_cursor(info, scope, record.sort_date, record.claim_payment_id),
                node=ClaimPaymentHistoryEntry.of(record),
            )
            for record in page.records
        ]
        return RemittanceHistoryConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next_page, after),
            slice=_Slice(practice_id, wanted),
        )
