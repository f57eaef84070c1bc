"""Payer breakers seen alike by every gateway process sharing one Redis (``serve --workers N``,
or replicas).

When a breaker opens in one process, :class:`SharedBreakers` writes ``<namespace>:breaker:<payer>``
with the seconds it stays open as the key's TTL. Every process reads all its payers' keys every
``refresh_seconds`` (one pipelined round trip, in a task of its own) and holds a payer opened
elsewhere open until that TTL ends (:meth:`CircuitBreaker.open_elsewhere`); then each process
half-opens and probes on its own. A guard checking a breaker never waits for Redis: the worst a
request sees is a view up to ``refresh_seconds`` old.

Redis trouble leaves every breaker local to its process (as with one process): logged once when
it starts and once when it ends, never a request failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Mapping

from gateway.resilience.breaker import CircuitBreaker

log = logging.getLogger(__name__)

#: A published opening shorter than ours by less than this is our own echo (or not worth adopting).
ECHO_MARGIN_SECONDS = 0.5


class SharedBreakers:
    """Publishes this process's breaker openings and adopts those published by others."""

    def __init__(
        self,
        redis_url: str,
        namespace: str,
        breakers: Mapping[str, CircuitBreaker],
        refresh_seconds: float = 1.0,
        timeout_seconds: float = 0.25,
    ) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(
            redis_url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        self._breakers = dict(breakers)
        self._keys = {payer_id: f"{namespace}:breaker:{payer_id}" for payer_id in breakers}
        self._refresh_seconds = refresh_seconds
        self._timeout = timeout_seconds
        self._opened: set[str] = set()  # payers whose opening here is not written yet
        self._wake = asyncio.Event()
        self._origin = f"{socket.gethostname()}:{os.getpid()}"  # who opened it, for an operator
        self.reachable = True
        for payer_id, breaker in self._breakers.items():
            breaker.on_trip = self._tripped_callback(payer_id)

    def _tripped_callback(self, payer_id: str) -> Callable[[float], None]:
        def tripped(_seconds: float) -> None:
            self._opened.add(payer_id)
            self._wake.set()  # written at once by the refresh task, not by the failing request

        return tripped

    async def refresh(self) -> int:
        """Write our new openings and adopt the others'; how many breakers an opening elsewhere
        opened or lengthened. Raises what Redis raises (``run`` logs it)."""
        # What is left of each opening now (one that ended while Redis was away is not written).
        opened = {p: self._breakers[p].open_seconds_left for p in self._opened}
        opened = {p: left for p, left in opened.items() if left > 0}
        self._opened = set()
        try:
            async with asyncio.timeout(self._timeout * 2):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for payer_id, left in opened.items():
                        pipe.set(self._keys[payer_id], self._origin, px=max(1, int(left * 1000)))
                    for key in self._keys.values():
                        pipe.pttl(key)
                    answers = await pipe.execute()
        except BaseException:
            self._opened |= set(opened)  # written next time, with what is left of them then
            raise
        adopted = 0
        for payer_id, ttl_ms in zip(self._keys, answers[len(opened) :], strict=True):
            if ttl_ms is None or int(ttl_ms) <= 0:  # -2: no key, -1: no TTL (not ours)
                continue
            breaker = self._breakers[payer_id]
            left = int(ttl_ms) / 1000
            if left > breaker.open_seconds_left + ECHO_MARGIN_SECONDS:
                adopted += breaker.open_elsewhere(left)
        return adopted

    async def run(self) -> None:
        """Refresh every ``refresh_seconds``, or at once after an opening here, until cancelled."""
        while True:
            self._wake.clear()  # an opening during the refresh below sets it again
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.reachable:
                    self.reachable = False
                    log.warning(
                        "shared breaker view unavailable; payer breakers are this process's own",
                        extra={"error_type": type(exc).__name__},
                    )
            else:
                if not self.reachable:
                    self.reachable = True
                    log.info("shared breaker view restored")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._refresh_seconds):
                    await self._wake.wait()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SharedBreakers]:
        """The refresh task for as long as the block runs; Redis closed after it."""
        task = asyncio.create_task(self.run(), name="shared-breakers")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.aclose()

    async def aclose(self) -> None:
        """Stop publishing and close the connection to Redis."""
        for breaker in self._breakers.values():
            breaker.on_trip = None
        await self._redis.aclose()


def shared_breakers_for(
    cache_url: str, namespace: str, breakers: Mapping[str, CircuitBreaker]
) -> SharedBreakers | None:
    """Sharing through the cache's Redis; None with the in-memory cache (one process's view)."""
    if not cache_url.startswith(("redis://", "rediss://")) or not breakers:
        return None
    return SharedBreakers(cache_url, namespace, breakers)
