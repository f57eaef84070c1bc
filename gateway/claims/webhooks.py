"""Partner webhooks: claim status changes and remittances, signed, retried with backoff, recorded.

A delivery row is written in the same transaction as the change it reports (so a change is never
lost between commit and send); :class:`WebhookSender` posts due rows. Each request carries::

    X-PayerGateway-Event:      claim.status_changed | claim.remittance
    X-PayerGateway-Delivery:   the delivery id (the same on every retry: deduplicate on it)
    X-PayerGateway-Timestamp:  Unix seconds of this attempt
    X-PayerGateway-Signature:  sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>

A 2xx answer delivers; anything else (a redirect too: none is followed) is retried with backoff up
to ``max_attempts``, then ``failed``. Every attempt's status code or error code stays on the row
(``ADDRESS_NOT_ALLOWED`` when the host now resolves inside: see webhook_addresses.py). Deleting a
webhook deactivates it and cancels its pending deliveries; its history stays.
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

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.backoff import Backoff
from gateway.claims.webhook_addresses import AddressRefused, WebhookAddressGuard
from gateway.storage.claims_tables import Webhook, WebhookDelivery
from gateway.storage.database import Database

log = logging.getLogger(__name__)

STATUS_CHANGED = "claim.status_changed"
REMITTANCE = "claim.remittance"
EVENTS = (STATUS_CHANGED, REMITTANCE)
MAX_URL_LENGTH = 500  # the column's width
NOT_PUBLIC = (
    "The URL's host must be, and resolve only to, public internet addresses "
    "(not loopback, private, link-local, shared, multicast or cloud metadata ones)."
)


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
    """Why a webhook URL's form is unusable, or None (where it points is judged by the guard).

    Parsed by httpx, as the sender will parse it, so the host judged is the host connected to."""
    if len(url) > MAX_URL_LENGTH:
        return f"The URL must be at most {MAX_URL_LENGTH} characters."
    try:
        parts = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parts = None
    if parts is None or parts.scheme not in {"https", "http"} or not parts.host:
        return "The URL must be an absolute https:// URL."
    if parts.scheme == "http" and not allow_http:
        return "The URL must use https://."
    if parts.userinfo:
        return "The URL must not carry credentials; the signature authenticates deliveries."
    return None


async def registration_problem(
    url: str, allow_http: bool, guard: WebhookAddressGuard
) -> tuple[str, str] | None:
    """``(code, message)``: why no webhook may be registered at ``url``; None if one may."""
    problem = url_problem(url, allow_http)
    if problem:
        return "INVALID_URL", problem
    try:
        await guard.url_addresses(httpx.URL(url))
    except AddressRefused as exc:
        log.info("webhook registration refused", extra={"reason": exc.reason})
        return AddressRefused.code, NOT_PUBLIC
    return None


async def retire(session: AsyncSession, practice_id: str, webhook_id: str) -> Webhook | None:
    """Deactivate the practice's webhook and cancel its pending deliveries; None if it has none
    such (another practice's webhook is not found, and is left as it is)."""
    hook = await session.scalar(
        select(Webhook).where(
            Webhook.id == webhook_id, Webhook.practice_id == practice_id, Webhook.active.is_(True)
        )
    )
    if hook is None:
        return None
    hook.active = False
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.state == "pending")
        .values(state="cancelled")
    )
    return hook


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
            .where(Webhook.active.is_(True))  # a delivery queued as its webhook was deleted stays
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
        except httpx.InvalidURL:  # a row from before httpx parsed URLs at registration
            delivery.last_status_code, delivery.last_error = None, "INVALID_URL"
            ok = False
        except httpx.HTTPError as exc:
            # A code, never the message: it could carry the address a name resolved to.
            code = getattr(exc, "code", None) or type(exc).__name__
            delivery.last_status_code, delivery.last_error = None, code
            ok = False
            if isinstance(exc, AddressRefused):
                log.warning(
                    "webhook target refused",
                    extra={"delivery": delivery.id, "reason": exc.reason},
                )
        if ok:
            delivery.state, delivery.delivered_at = "delivered", now
        elif delivery.attempts >= self.max_attempts:
            delivery.state = "failed"
            log.warning("webhook delivery failed for good", extra={"delivery": delivery.id})
        else:
            delivery.next_attempt_at = self.backoff.next_try(now, delivery.attempts)
