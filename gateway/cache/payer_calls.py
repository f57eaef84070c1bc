"""The payer-call cache: TTL per operation, single flight, stale-if-error, invalidation.

``answer`` is the whole policy for one cacheable call:

1. unless ``fresh``, a cached entry younger than its TTL answers (``from_cache``);
2. otherwise one fetch per key runs at a time in this process (the first caller fetches; concurrent
   identical misses await its answer, and start over if it goes away) and, on a shared cache, across
   processes (a short lock; the others wait for its entry);
3. a fetch that fails because the payer is unwell is answered from an expired entry still within the
   grace period, marked ``stale``; other failures (member not found, rejections) are raised as they are.

Entries live TTL + grace in the backend; their own ``fresh_until`` says when they stop being fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gateway.cache.keys import PayerCallKey, lock_key, member_digest, operation_tag
from gateway.cache.recording import current_recording
from gateway.cache.store import CacheStore
from gateway.errors import PayerCallFailed

if TYPE_CHECKING:
    from gateway.payers import PayerAnswer

#: Failures that mean "the payer is unwell now": a stale entry may answer instead.
STALE_OK = frozenset({"PAYER_UNAVAILABLE", "PAYER_TIMEOUT", "PAYER_PROTOCOL_ERROR"})

_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    payer_id: str
    value: Any
    fetched_at: datetime
    fresh_until: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class ServedAnswer:
    entry: CachedAnswer
    from_cache: bool
    stale: bool


class PayerCallCache:
    """Cached payer answers for one gateway (one store, shared by its practices, keyed apart)."""

    def __init__(self, store: CacheStore, grace_seconds: float) -> None:
        self.store = store
        self.metrics = store.metrics
        self.namespace = store.namespace
        self.grace_seconds = grace_seconds
        self._inflight: dict[str, asyncio.Future[CachedAnswer]] = {}

    async def answer(
        self,
        call: PayerCallKey,
        ttl: float,
        fetch: Callable[[], Awaitable[PayerAnswer]],
        *,
        fresh: bool = False,
        lock_seconds: float = 10.0,
        coordinate: Callable[[], bool] | None = None,
    ) -> ServedAnswer:
        """The answer for ``call``; ``coordinate`` says whether a fetch is worth a cross-process lock.

        It is False while the payer's breaker is open: the fetch then fails at once, and waiting on
        another process's lock (or leaving one behind) would only delay that failure.
        """
        lookups = self.metrics.cache_lookups
        entry: CachedAnswer | None = None
        if fresh:
            lookups.labels(call.operation, "bypass").inc()
        else:
            entry = _entry(await self.store.get(call.key))
            if entry is not None and entry.fresh_until > time.time():
                lookups.labels(call.operation, "hit").inc()
                return self._served(call, entry, cached=True, stale=False)
            lookups.labels(call.operation, "miss").inc()
        try:
            shared = self.store.shared and (coordinate is None or coordinate())
            fetched = await self._single_flight(call, ttl, fetch, fresh, lock_seconds, shared)
        except PayerCallFailed as failure:
            if failure.code not in STALE_OK:
                raise
            entry = entry or _entry(await self.store.get(call.key))
            if entry is None or entry.fresh_until + self.grace_seconds <= time.time():
                raise
            lookups.labels(call.operation, "stale").inc()
            return self._served(call, entry, cached=True, stale=True)
        return self._served(call, fetched, cached=False, stale=False, forced=fresh)

    async def invalidate(
        self,
        practice_id: str,
        payer_id: str,
        member_id: str | None,
        operations: Iterable[str],
        *,
        calls: bool = True,
    ) -> int:
        """Drop cached answers (and the responses built from them) about one member's operations."""
        member = member_digest(member_id)
        kinds = ("c", "r") if calls else ("r",)
        tags = [
            operation_tag(self.namespace, practice_id, payer_id, operation, member, kind)
            for operation in operations
            for kind in kinds
        ]
        dropped = await self.store.pop_tags(tags)
        self.metrics.response_cache.labels("invalidated").inc(dropped)
        return dropped

    def _served(
        self,
        call: PayerCallKey,
        entry: CachedAnswer,
        *,
        cached: bool,
        stale: bool,
        forced: bool = False,
    ) -> ServedAnswer:
        recording = current_recording()
        if recording is not None:
            recording.payer_answer(
                [call.call_tag(self.namespace), call.response_tag(self.namespace)],
                entry.fresh_until,
                replayable=cached and not stale and not forced,
            )
        return ServedAnswer(entry, from_cache=cached, stale=stale)

    async def _single_flight(
        self,
        call: PayerCallKey,
        ttl: float,
        fetch: Callable[[], Awaitable[PayerAnswer]],
        fresh: bool,
        lock_seconds: float,
        shared: bool,
    ) -> CachedAnswer:
        """The first caller fetches in its own task and settles a future the others await.

        No task per call: the fetch belongs to the caller that started it. If that caller goes away
        (cancelled), its fetch stops and the flight is abandoned; the waiters then start over, the
        first of them fetching in its turn, so none is left waiting on a fetch nobody runs.
        """
        while (flight := self._inflight.get(call.key)) is not None:
            landed = await _joined(flight)
            if landed is not None:
                return landed
        flight = asyncio.get_running_loop().create_future()
        self._inflight[call.key] = flight
        try:
            entry = await self._fetch_and_store(call, ttl, fetch, fresh, lock_seconds, shared)
        except Exception as exc:
            flight.set_exception(exc)
            flight.exception()  # retrieved here, so a failure nobody waited for is not reported lost
            raise
        except BaseException:
            flight.cancel()  # abandoned: the waiters start over
            raise
        else:
            flight.set_result(entry)
            return entry
        finally:
            if self._inflight.get(call.key) is flight:
                del self._inflight[call.key]

    async def _fetch_and_store(
        self,
        call: PayerCallKey,
        ttl: float,
        fetch: Callable[[], Awaitable[PayerAnswer]],
        fresh: bool,
        lock_seconds: float,
        shared: bool,
    ) -> CachedAnswer:
        started = time.time()
        lock = lock_key(call.key)
        token: str | None = ""
        if shared:
            token = await self.store.lock(lock, lock_seconds)
            if token is None:
                landed = await self._await_other_process(call, started, lock_seconds)
                if landed is not None:
                    return landed
                token = await self.store.lock(lock, lock_seconds)
        try:
            answer = await fetch()
            entry = CachedAnswer(
                answer.payer_id, answer.value, answer.fetched_at, time.time() + ttl
            )
            await self.store.set(call.key, entry, ttl + self.grace_seconds)
            await self.store.add_to_tags(
                [call.call_tag(self.namespace)], call.key, ttl + self.grace_seconds
            )
            if fresh:  # responses replaying the previous entry are now out of date
                await self.store.pop_tags([call.response_tag(self.namespace)])
            return entry
        finally:
            if token:
                with contextlib.suppress(Exception):
                    await self.store.unlock(lock, token)

    async def _await_other_process(
        self, call: PayerCallKey, started: float, lock_seconds: float
    ) -> CachedAnswer | None:
        """Another process holds the lock: wait for the entry it writes (None if it never does)."""
        deadline = time.monotonic() + lock_seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            entry = _entry(await self.store.get(call.key))
            if entry is not None and entry.fetched_at.timestamp() >= started - 0.001:
                return entry
            if entry is None and await self.store.lock(lock_key(call.key), 0.001) is not None:
                return None  # the holder is gone without an answer: fetch ourselves
        return None


async def _joined(flight: asyncio.Future[CachedAnswer]) -> CachedAnswer | None:
    """The flight's answer (None if it was abandoned), awaited through a future of this caller's own:
    a waiter that gives up cancels only that one, never the flight the others await."""
    mine: asyncio.Future[CachedAnswer | None] = flight.get_loop().create_future()

    def relay(done: asyncio.Future[CachedAnswer]) -> None:
        if mine.done():
            return
        if done.cancelled():
            mine.set_result(None)
        elif (error := done.exception()) is not None:
            mine.set_exception(error)
        else:
            mine.set_result(done.result())

    flight.add_done_callback(relay)
    try:
        return await mine
    finally:
        flight.remove_done_callback(relay)


def _entry(value: Any) -> CachedAnswer | None:
    return value if isinstance(value, CachedAnswer) else None
