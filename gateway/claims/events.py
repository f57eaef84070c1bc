"""Claim status changes fanned out to subscribers: in this process, or across processes via Redis.

:class:`LocalStatusBus` hands each published :class:`StatusChange` to every subscriber queue of this
process. :class:`RedisStatusBus` publishes to one Redis channel instead and runs one listener per
process that feeds the local queues, so a change seen by any gateway or worker process reaches the
subscribers of all of them (each exactly once: publishing never delivers locally by itself).
Subscribers are per practice; a slow subscriber loses its oldest changes rather than slowing others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)

QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One new status of one claim (what subscribers and webhooks receive)."""

    practice_id: str
    claim_id: str
    patient_id: str
    payer_id: str
    control_number: str
    payer_claim_id: str | None
    state: str
    category_code: str | None
    category_description: str | None
    status_code: str | None
    status_description: str | None
    effective_date: str | None
    source: str
    message: str | None
    recorded_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> StatusChange:
        return cls(**json.loads(text))

    def webhook_payload(self) -> dict[str, Any]:
        """The partner-facing body: no practice id (the webhook belongs to one), camelCase names."""
        return {
            "claimId": self.claim_id,
            "patientId": self.patient_id,
            "payerId": self.payer_id,
            "controlNumber": self.control_number,
            "payerClaimId": self.payer_claim_id,
            "state": self.state,
            "category": {"code": self.category_code, "description": self.category_description},
            "status": {"code": self.status_code, "description": self.status_description},
            "effectiveDate": self.effective_date,
            "source": self.source,
            "message": self.message,
            "recordedAt": self.recorded_at,
        }


class LocalStatusBus:
    """Subscriber queues of this process."""

    def __init__(self) -> None:
        self._queues: dict[asyncio.Queue[StatusChange], str] = {}
        self.dropped = 0

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def publish(self, change: StatusChange) -> None:
        self.deliver(change)

    def deliver(self, change: StatusChange) -> None:
        for queue, practice_id in list(self._queues.items()):
            if practice_id != change.practice_id:
                continue
            if queue.full():  # a stalled subscriber loses its oldest change, not everyone's latency
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(change)

    @contextlib.asynccontextmanager
    async def subscribe(self, practice_id: str) -> AsyncIterator[asyncio.Queue[StatusChange]]:
        queue: asyncio.Queue[StatusChange] = asyncio.Queue(QUEUE_SIZE)
        self._queues[queue] = practice_id
        try:
            yield queue
        finally:
            self._queues.pop(queue, None)

    @property
    def subscribers(self) -> int:
        return len(self._queues)


class RedisStatusBus(LocalStatusBus):
    """Publishes to a Redis channel; one listener task per process delivers to the local queues."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self.url = url
        self.channel = channel
        self._redis: Any = None  # connected in start(): nothing to close for a bus never started
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        if self._listener is None:
            import redis.asyncio as redis

            self._redis = redis.from_url(self.url)
            self._listener = asyncio.create_task(self._listen(), name="claim-status-listener")
            try:
                await asyncio.wait_for(self._ready.wait(), timeout=5)
            except (
                TimeoutError
            ):  # keep going: the listener reconnects, publishing falls back to local
                log.warning("redis not reachable for claim status fan-out yet")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def publish(self, change: StatusChange) -> None:
        if self._redis is None:  # not started (e.g. a one-off command): this process only
            self.deliver(change)
            return
        try:
            await self._redis.publish(self.channel, change.to_json())
        except Exception as exc:  # Redis down: this process's subscribers still hear it
            log.warning(
                "redis publish failed; delivering locally", extra={"error_type": type(exc).__name__}
            )
            self.deliver(change)

    async def _listen(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._ready.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.deliver(StatusChange.from_json(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "redis listener lost; reconnecting", extra={"error_type": type(exc).__name__}
                )
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()


StatusBus = LocalStatusBus


def open_status_bus(cache_url: str, namespace: str) -> LocalStatusBus:
    """Redis pub/sub when the cache is Redis (shared by every process), else this process only."""
    if cache_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStatusBus(cache_url, f"{namespace}:claim-status")
    return LocalStatusBus()
