"""Root field ``webhooks``: the caller's practice's webhooks with their latest deliveries."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.graphql.permissions import needs
from gateway.graphql.types.webhooks import WebhookInfo
from gateway.identity import CLAIMS_WRITE
from gateway.storage.claims_tables import Webhook


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="Your practice's webhooks (deleted ones are gone), oldest first.",
        extensions=needs(CLAIMS_WRITE),
    )
    async def webhooks(self, info: Info) -> list[WebhookInfo] | None:
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(Webhook)
                .where(Webhook.practice_id == info.context.practice_id, Webhook.active.is_(True))
                .order_by(Webhook.created_at, Webhook.id)
            )
            return [WebhookInfo(row=row) for row in rows]
