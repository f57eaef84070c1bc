"""A practice's webhooks and their deliveries as callers see them (never the signing secret)."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.identity import aware
from gateway.storage.claims_tables import Webhook, WebhookDelivery


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt used
    CANCELLED = "cancelled"  # its webhook was deleted before it went out


@strawberry.type(description="One event for one webhook, with the outcome of its latest attempt.")
class WebhookDeliveryInfo:
    row: strawberry.Private[WebhookDelivery]

    @strawberry.field(description="The same on every retry (X-PayerGateway-Delivery).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field(description="claim.status_changed or claim.remittance.")
    def event(self) -> str:
        return self.row.event

    @strawberry.field
    def state(self) -> WebhookDeliveryState:
        return WebhookDeliveryState(self.row.state)

    @strawberry.field
    def attempts(self) -> int:
        return self.row.attempts

    @strawberry.field(description="The HTTP status your URL answered the latest attempt with.")
    def last_status_code(self) -> int | None:
        return self.row.last_status_code

    @strawberry.field(
        description="Why the latest attempt got no answer: a code such as ADDRESS_NOT_ALLOWED "
        "(the host resolved to a non-public address), ConnectError or ReadTimeout."
    )
    def last_error(self) -> str | None:
        return self.row.last_error

    @strawberry.field
    def created_at(self) -> datetime:
        return aware(self.row.created_at)  # type: ignore[return-value]

    @strawberry.field(description="When it is tried next, while pending.")
    def next_attempt_at(self) -> datetime | None:
        return aware(self.row.next_attempt_at) if self.row.state == "pending" else None

    @strawberry.field
    def delivered_at(self) -> datetime | None:
        return aware(self.row.delivered_at)


@strawberry.type(description="A URL that receives your practice's claim events, signed.")
class WebhookInfo:
    row: strawberry.Private[Webhook]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def url(self) -> str:
        return self.row.url

    @strawberry.field(description="e.g. claim.status_changed, claim.remittance.")
    def events(self) -> list[str]:
        return list(self.row.events)

    @strawberry.field
    def active(self) -> bool:
        return self.row.active

    @strawberry.field
    def created_at(self) -> datetime:
        return aware(self.row.created_at)  # type: ignore[return-value]

    @strawberry.field(description="The latest deliveries, newest first.")
    async def last_deliveries(self, info: Info, first: int = 10) -> list[WebhookDeliveryInfo]:
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.webhook_id == self.row.id,
                    WebhookDelivery.practice_id == self.row.practice_id,
                )
                .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                .limit(first)
            )
            return [WebhookDeliveryInfo(row=row) for row in rows]
