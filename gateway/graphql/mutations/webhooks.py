"""registerWebhook and deleteWebhook: a practice's partner URLs for claim events (claims:write).

A URL must be public: its host is resolved and every address judged (gateway/claims/
webhook_addresses.py); it is judged again at every delivery. Another practice's webhook id is
answered exactly like an id that does not exist (NOT_FOUND), and changes nothing.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from gateway.claims import webhooks
from gateway.graphql.field_errors import one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.webhooks import WebhookInfo
from gateway.identity import CLAIMS_WRITE
from gateway.storage.claims_tables import Webhook


@strawberry.enum
class WebhookEvent(Enum):
    CLAIM_STATUS_CHANGED = webhooks.STATUS_CHANGED
    CLAIM_REMITTANCE = webhooks.REMITTANCE


@strawberry.input
class RegisterWebhookInput:
    url: str = strawberry.field(
        description="https:// on a public host (plain http only where the operator allows it)."
    )
    events: list[WebhookEvent]


@strawberry.type
class RegisterWebhookPayload:
    webhook: WebhookInfo | None
    secret: str | None = strawberry.field(
        description="Signs deliveries (HMAC-SHA256). Shown only now."
    )
    errors: list[FieldError]


@strawberry.type
class DeleteWebhookPayload:
    webhook: WebhookInfo | None = strawberry.field(description="As it is now: inactive.")
    errors: list[FieldError]


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Receive claim status changes and remittances at a URL (signed).",
        extensions=needs(CLAIMS_WRITE),
    )
    async def register_webhook(
        self, info: Info, input: RegisterWebhookInput
    ) -> RegisterWebhookPayload | None:
        claims = info.context.services.claims
        url = input.url.strip()
        errors = []
        problem = await webhooks.registration_problem(
            url, claims.settings.webhook_allow_http, claims.webhook_guard
        )
        if problem:
            code, message = problem
            errors.append(FieldError(code=code, field=["input", "url"], message=message))
        if not input.events:
            errors.append(
                FieldError(
                    code="REQUIRED", field=["input", "events"], message="Pick at least one event."
                )
            )
        if errors:
            return RegisterWebhookPayload(webhook=None, secret=None, errors=errors)
        secret = webhooks.new_secret()
        row = Webhook(
            practice_id=info.context.practice_id,
            url=url,
            secret=secret,
            events=sorted({e.value if isinstance(e, Enum) else str(e) for e in input.events}),
            active=True,
        )
        async with info.context.services.database.transaction() as session:
            session.add(row)
        info.context.audit.event("webhook.registered", detail={"webhook": row.id})
        return RegisterWebhookPayload(webhook=WebhookInfo(row=row), secret=secret, errors=[])

    @strawberry.mutation(
        description="Delete a webhook of your practice: nothing more is sent to it, and its "
        "pending deliveries are cancelled.",
        extensions=needs(CLAIMS_WRITE),
    )
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> DeleteWebhookPayload | None:
        webhook_id = parse_id(id, "webhook")
        async with info.context.services.database.transaction() as session:
            row = await webhooks.retire(session, info.context.practice_id, webhook_id)
        if row is None:
            return DeleteWebhookPayload(
                webhook=None, errors=one_error("id", "NOT_FOUND", "No such webhook.")
            )
        info.context.audit.event("webhook.deleted", detail={"webhook": row.id})
        return DeleteWebhookPayload(webhook=WebhookInfo(row=row), errors=[])
