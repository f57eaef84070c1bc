"""Root fields ``remittances``, ``remittance`` and ``unmatchedClaimPayments`` (payments:read).

Every read is filtered by the caller's practice; another practice's remittance is null, exactly like
one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from sqlalchemy import Select, select, tuple_
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.pagination import decode_cursor, encode_cursor
from gateway.graphql.permissions import needs
from gateway.graphql.types.remittances import PostedClaimPayment, RemittanceInfo
from gateway.identity import PAYMENTS_READ
from gateway.ledger.views import (
    ClaimPaymentView,
    RemittanceView,
    claim_payment_views,
    remittance_views,
)
from gateway.storage.ledger_tables import Remittance, RemittanceClaim


def posted_claim_payment(view: ClaimPaymentView) -> PostedClaimPayment:
    return PostedClaimPayment.of(view.row, view.remittance, view.payment, view.financial_state)


def remittance_info(view: RemittanceView) -> RemittanceInfo:
    return RemittanceInfo.of(
        view.remittance, view.payment, [posted_claim_payment(c) for c in view.claims]
    )


@strawberry.type
class LedgerPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class RemittanceConnection:
    items: list[RemittanceInfo]
    page_info: LedgerPageInfo


@strawberry.type
class ClaimPaymentConnection:
    items: list[PostedClaimPayment]
    page_info: LedgerPageInfo


def _page_size(info: Info, first: int) -> int:
    limit: int = info.context.services.settings.max_page_size
    if not 1 <= first <= limit:
        raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
    return first


def _after(statement: Select, after: str | None, stamp_column, id_column) -> Select:  # type: ignore[no-untyped-def, type-arg]
    if not after:
        return statement
    stamp_text, row_id = decode_cursor(after, 2)
    try:
        stamp = datetime.fromisoformat(stamp_text)
    except ValueError as exc:
        raise InvalidInput(
            "The cursor is not valid; use a cursor returned by this API.", field="after"
        ) from exc
    return statement.where(tuple_(stamp_column, id_column) < tuple_(stamp, row_id))


@strawberry.type
class LedgerQueries:
    @strawberry.field(
        description="Remittances in your practice's ledger (fetched, uploaded or entered), the "
        "latest received first; payerId and the payment date range narrow them.",
        extensions=needs(PAYMENTS_READ),
    )
    async def remittances(
        self,
        info: Info,
        payer_id: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> RemittanceConnection | None:
        first = _page_size(info, first)
        statement = select(Remittance).where(Remittance.practice_id == info.context.practice_id)
        if payer_id:
            statement = statement.where(Remittance.payer_id == payer_id)
        if from_:
            statement = statement.where(Remittance.payment_date >= from_)
        if to:
            statement = statement.where(Remittance.payment_date <= to)
        statement = _after(statement, after, Remittance.received_at, Remittance.id)
        statement = statement.order_by(Remittance.received_at.desc(), Remittance.id.desc()).limit(
            first + 1
        )
        async with info.context.services.database.session() as session:
            rows = list(await session.scalars(statement))
            views = await remittance_views(session, rows[:first])
        items = [remittance_info(v) for v in views]
        last = rows[:first][-1] if rows[:first] else None
        return RemittanceConnection(
            items=items,
            page_info=LedgerPageInfo(
                has_next_page=len(rows) > first,
                end_cursor=encode_cursor(last.received_at.isoformat(), last.id) if last else None,
            ),
        )

    @strawberry.field(
        description="One remittance of your practice's ledger, or null.",
        extensions=needs(PAYMENTS_READ),
    )
    async def remittance(self, info: Info, id: strawberry.ID) -> RemittanceInfo | None:
        remittance_id = parse_id(id, "remittance")
        async with info.context.services.database.session() as session:
            row = await session.scalar(
                select(Remittance).where(
                    Remittance.id == remittance_id,
                    Remittance.practice_id == info.context.practice_id,
                )
            )
            if row is None:
                return None
            [view] = await remittance_views(session, [row])
        return remittance_info(view)

    @strawberry.field(
        description="Claim payments no claim of yours was found for: the worklist to match by "
        "hand (matchClaimPayment), the latest received first.",
        extensions=needs(PAYMENTS_READ),
    )
    async def unmatched_claim_payments(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> ClaimPaymentConnection | None:
        first = _page_size(info, first)
        statement = (
            select(RemittanceClaim, Remittance.received_at)
            .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
            .where(
                RemittanceClaim.practice_id == info.context.practice_id,
                RemittanceClaim.match_state == "unmatched",
            )
        )
        statement = _after(statement, after, Remittance.received_at, RemittanceClaim.id)
        statement = statement.order_by(
            Remittance.received_at.desc(), RemittanceClaim.id.desc()
        ).limit(first + 1)
        async with info.context.services.database.session() as session:
            rows = (await session.execute(statement)).all()
            views = await claim_payment_views(session, [r for r, _ in rows[:first]])
        last = rows[:first][-1] if rows[:first] else None
        return ClaimPaymentConnection(
            items=[posted_claim_payment(v) for v in views],
            page_info=LedgerPageInfo(
                has_next_page=len(rows) > first,
                end_cursor=encode_cursor(last[1].isoformat(), last[0].id) if last else None,
            ),
        )
