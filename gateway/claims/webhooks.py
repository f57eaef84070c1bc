"""Partner webhooks: claim status changes and remittances, signed, retried with backoff, recorded.

A delivery row is written in the same transaction as the change it reports (so a change is never
lost between commit and send); :class:`WebhookSender` posts due rows. Each request carries::

    X-PayerGateway-Event:      claim.status_changed | claim.remittance
    X-PayerGateway-Delivery:   the delivery id (the same on every retry: deduplicate on it)
    X-PayerGateway-Timestamp:  Unix seconds of this attempt
    X-PayerGateway-Signature:  sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>

A 2xx answer delivers; anything else is retried with backoff up to ``max_attempts``, then ``failed``.
Every attempt's status code or error stays on the row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.backoff import Backoff
from gateway.storage.claims_tables import Webhook, WebhookDelivery
from gateway.storage.database import Database

log = logging.getLogger(__name__)

STATUS_CHANGED = "claim.status_changed"
REMITTANCE = "claim.remittance"
EVENTS = (STATUS_CHANGED, REMITTANCE)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """What a partner runs on receipt (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def url_problem(url: str, allow_http: bool) -> str | None:
    """Why a webhook URL cannot be used, or None. Plain http only to loopback (or when allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "The URL must be an absolute https:// URL."
    if parts.scheme == "http" and not (allow_http or parts.hostname in LOOPBACK_HOSTS):
        return "The URL must use https://."
    if parts.username or parts.password:
        return "The URL must not carry credentials; the signature authenticates deliveries."
    return None


async def enqueue(
    session: AsyncSession, practice_id: str, event: str, payload: dict[str, Any]
) -> int:
    """One delivery per active webhook of the practice that wants ``event``; returns how many."""
    hooks = await session.scalars(
        select(Webhook).where(Webhook.practice_id == practice_id, Webhook.active.is_(True))
    )
    count = 0
    for hook in hooks:
        if event in hook.events:
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id, practice_id=practice_id, event=event, payload=payload
                )
            )
            count += 1
    return count


class WebhookSender:
    """Posts due deliveries; several senders may run (PostgreSQL rows are locked while in flight)."""

    def __init__(
        self,
        database: Database,
        client: httpx.AsyncClient,
        *,
        backoff: Backoff | None = None,
        max_attempts: int = 12,
        batch_size: int = 50,
    ) -> None:
        self.database = database
        self.client = client
        self.backoff = backoff or Backoff(base=5.0, cap=3600.0)
        self.max_attempts = max_attempts
        self.batch_size = batch_size

    async def run_once(self) -> int:
        """Send every due delivery once; returns how many were attempted."""
        now = datetime.now(UTC)
        statement = (
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(self.batch_size)
        )
        if self.database.engine.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True, of=WebhookDelivery)
        async with self.database.transaction() as session:
            rows = (await session.execute(statement)).all()
            for delivery, hook in rows:
                await self._attempt(delivery, hook)
        return len(rows)

    async def _attempt(self, delivery: WebhookDelivery, hook: Webhook) -> None:
        now = datetime.now(UTC)
        body = json.dumps(
            {
                "id": delivery.id,
                "event": delivery.event,
                "createdAt": delivery.created_at.isoformat(),
                "data": delivery.payload,
            },
            separators=(",", ":"),
        ).encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-PayerGateway-Event": delivery.event,
            "X-PayerGateway-Delivery": delivery.id,
            "X-PayerGateway-Timestamp": str(timestamp),
            "X-PayerGateway-Signature": sign(hook.secret, timestamp, body),
        }
        delivery.attempts += 1
        try:
            response = await self.client.post(hook.url, content=body, headers=headers)
            delivery.last_status_code, delivery.last_error = response.status_code, None
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            delivery.last_status_code, delivery.last_error = None, type(exc).__name__
            ok = False
        if ok:
            delivery.state, delivery.delivered_at = "delivered", now
        elif delivery.attempts >= self.max_attempts:
            delivery.state = "failed"
            log.warning("webhook delivery failed for good", extra={"delivery": delivery.id})
        else:
            delivery.next_attempt_at = self.backoff.next_try(now, delivery.attempts)
