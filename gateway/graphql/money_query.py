"""Root fields over the practice's money: ``receivables``, ``denials`` and ``denialsWorklist``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.errors import InvalidInput
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs
from gateway.graphql.types.money import (
    DenialsReport,
    DenialWorkConnection,
    DenialWorkEdge,
    DenialWorkItem,
    DenialWorkPageInfo,
    Receivables,
)
from gateway.identity import CLAIMS_READ, PAYMENTS_READ
from gateway.ledger.denials import denials
from gateway.ledger.receivables import receivables
from gateway.ledger.worklist import denial_worklist
from gateway.storage import tables

MAX_DENIAL_PERIOD = timedelta(days=366 * 3)


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type
class MoneyQueries:
    @strawberry.field(
        description="Open balances by payer and by age (days since submission), as of a date "
        "(default today): payments dated later are not counted.",
        extensions=needs(PAYMENTS_READ),
    )
    async def receivables(self, info: Info, as_of: date | None = None) -> Receivables | None:
        refuse_response_cache()
        day = as_of or _today()
        async with info.context.services.database.session() as session:
            found = await receivables(session, info.context.practice_id, day)
        return Receivables.of(info, found)

    @strawberry.field(
        description="Denials (claims the payers refused in whole or in part) in remittances dated "
        "from..to (inclusive; default: the last 30 days), by payer and by reason.",
        extensions=needs(PAYMENTS_READ),
    )
    async def denials(
        self,
        info: Info,
        start: Annotated[date | None, strawberry.argument(name="from")] = None,
        end: Annotated[date | None, strawberry.argument(name="to")] = None,
    ) -> DenialsReport | None:
        refuse_response_cache()
        end = end or _today()
        start = start or end - timedelta(days=30)
        if start > end:
            raise InvalidInput("'from' must be on or before 'to'.", field="from")
        if end - start > MAX_DENIAL_PERIOD:
            raise InvalidInput("The period may be at most three years.", field="from")
        async with info.context.services.database.session() as session:
            found = await denials(session, info.context.practice_id, start, end)
        return DenialsReport(
            start=found.start,
            end=found.end,
            count=found.count,
            amount=found.amount,  # type: ignore[arg-type]
            by_payer=[DenialsReport.payer_row(info, t) for t in found.by_payer],
            by_reason=[DenialsReport.reason_row(t) for t in found.by_reason],
        )

    @strawberry.field(
        description="Claims denied in whole or in part, oldest denial first, each with its reasons "
        "in words and the next step the codes suggest. A claim leaves the list once corrected, "
        "voided or sent to the secondary payer.",
        extensions=needs(PAYMENTS_READ, CLAIMS_READ),
    )
    async def denials_worklist(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> DenialWorkConnection | None:
        refuse_response_cache()
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        cursor = None
        if after:
            day, claim_id = decode_cursor(after, 2)
            cursor = (day, claim_id)
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            items, more = await denial_worklist(session, practice_id, first, cursor)
            patients = {
                p.id: p
                for p in await session.scalars(
                    select(tables.Patient).where(
                        tables.Patient.practice_id == practice_id,
                        tables.Patient.id.in_(sorted({i.claim.patient_id for i in items})),
                    )
                )
            }
        edges = [
            DenialWorkEdge(
                cursor=encode_cursor(*i.sort_key),
                node=DenialWorkItem(item=i, patient_row=patients.get(i.claim.patient_id)),
            )
            for i in items
        ]
        return DenialWorkConnection(
            edges=edges,
            page_info=DenialWorkPageInfo(
                has_next_page=more, end_cursor=edges[-1].cursor if edges else None
            ),
        )
