"""The two cache backends behind :class:`gateway.cache.store.CacheStore`: in memory (cachetools), or
Redis (aiocache).

:class:`MemoryBackend` (one process): cachetools' TLRU cache bounded to ``max_entries`` (the least
recently used entry goes first), each entry with its expiry, tags in a bounded dict, locks not
needed because the in-process single flight already makes one call.

:class:`RedisBackend` (shared by every gateway process): aiocache's ``RedisCache`` with pickled values
for get/set/delete, and the same redis client for tag sets (SADD/SMEMBERS) and the short single-flight
lock (SET NX PX, released only by its owner). Nothing here runs KEYS, FLUSHDB or aiocache ``clear``.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from aiocache import RedisCache
from aiocache.serializers import PickleSerializer
from cachetools import TLRUCache

MAX_KEYS_PER_TAG = 2_000

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class CacheBackend(Protocol):
    """What the store needs of a backend. Every method may raise; the store fails open."""

    shared: bool  # seen by other processes: cross-process locks are worth taking

    async def get(self, key: str) -> Any: ...
    async def set(self, key: str, value: Any, ttl: float) -> None: ...
    async def delete(self, keys: Sequence[str]) -> None: ...
    async def add_to_tags(self, tags: Sequence[str], key: str, ttl: float) -> None: ...
    async def pop_tags(self, tags: Sequence[str]) -> list[str]: ...
    async def lock(self, key: str, ttl: float) -> str | None: ...
    async def unlock(self, key: str, token: str) -> None: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


def _expiry(_key: str, entry: tuple[float, Any], now: float) -> float:
    ttl = entry[0]
    return now + ttl if ttl else math.inf  # no TTL: kept until evicted


def _bounded_memory_cache(max_entries: int) -> TLRUCache[str, tuple[float, Any]]:
    """One process's entries: cachetools' TLRU cache (least recently used out first, each entry
    with its own expiry, an expired one dropped when read or when the cache next changes). Not
    aiocache's ``SimpleMemoryCache``: that one starts a timer (``call_later``) and runs several
    decorator layers for every set, a few percent of the gateway's CPU when each headline request
    stores 3 x N payer answers, and has no size bound of its own."""
    return TLRUCache(maxsize=max(1, max_entries), ttu=_expiry, timer=time.monotonic)


class MemoryBackend:
    shared = False

    def __init__(self, max_entries: int) -> None:
        self.cache = _bounded_memory_cache(max_entries)
        self.max_entries = max(1, max_entries)
        self._tags: dict[str, dict[str, None]] = {}

    async def get(self, key: str) -> Any:
        entry = self.cache.get(key)
        return None if entry is None else entry[1]

    async def set(self, key: str, value: Any, ttl: float) -> None:
        self.cache[key] = (ttl, value)

    async def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.cache.pop(key, None)

    async def add_to_tags(self, tags: Sequence[str], key: str, ttl: float) -> None:
        for tag in tags:
            members = self._tags.pop(tag, None) or {}
            members[key] = None
            while len(members) > MAX_KEYS_PER_TAG:
                del members[next(iter(members))]
            self._tags[tag] = members  # re-inserted: the dict's order is least recently used first
            while len(self._tags) > self.max_entries:
                del self._tags[next(iter(self._tags))]

    async def pop_tags(self, tags: Sequence[str]) -> list[str]:
        keys = [key for tag in tags for key in self._tags.pop(tag, {})]
        await self.delete(keys)
        return keys

    async def lock(self, key: str, ttl: float) -> str | None:
        return ""

    async def unlock(self, key: str, token: str) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self.cache.clear()  # this process's own entries only


class RedisBackend:
    shared = True

    def __init__(self, url: str, timeout: float, tag_ttl: float) -> None:
        parts = urlsplit(url)
        db = (parts.path or "/0").strip("/") or "0"
        self.cache = RedisCache(
            endpoint=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=int(db),
            password=unquote(parts.password) if parts.password else None,
            ssl=parts.scheme == "rediss",
            serializer=PickleSerializer(),  # our own values, in our own Redis
            timeout=timeout,
            create_connection_timeout=timeout,
        )
        self.client = self.cache.client
        self.timeout = timeout
        self.tag_ttl = max(1, int(tag_ttl))

    async def get(self, key: str) -> Any:
        return await self.cache.get(key)

    async def set(self, key: str, value: Any, ttl: float) -> None:
        await self.cache.set(
            key, value, ttl=float(ttl)
        )  # float: PSETEX (aiocache's int path warns)

    async def delete(self, keys: Sequence[str]) -> None:
        if keys:
            async with asyncio.timeout(self.timeout):
                await self.client.delete(*keys)

    async def add_to_tags(self, tags: Sequence[str], key: str, ttl: float) -> None:
        async with asyncio.timeout(self.timeout):
            async with self.client.pipeline(transaction=False) as pipe:
                for tag in tags:
                    pipe.sadd(tag, key)
                    pipe.expire(tag, self.tag_ttl)
                await pipe.execute()

    async def pop_tags(self, tags: Sequence[str]) -> list[str]:
        if not tags:
            return []
        async with asyncio.timeout(self.timeout):
            async with self.client.pipeline(transaction=False) as pipe:
                for tag in tags:
                    pipe.smembers(tag)
                members = await pipe.execute()
            keys = sorted(
                {k.decode() if isinstance(k, bytes) else k for group in members for k in group}
            )
            await self.client.delete(*keys, *tags)
        return keys

    async def lock(self, key: str, ttl: float) -> str | None:
        token = secrets.token_hex(8)
        async with asyncio.timeout(self.timeout):
            acquired = await self.client.set(key, token, nx=True, px=max(1, int(ttl * 1000)))
        return token if acquired else None

    async def unlock(self, key: str, token: str) -> None:
        async with asyncio.timeout(self.timeout):
            await self.client.eval(_RELEASE, 1, key, token)

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout):
            await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose(close_connection_pool=True)


def open_backend(url: str, *, max_entries: int, timeout: float, tag_ttl: float) -> CacheBackend:
    """The backend a ``PAYER_GATEWAY_CACHE_URL`` names: ``memory://`` or ``redis[s]://host:port/db``."""
    scheme = urlsplit(url).scheme
    if scheme in {"", "memory"}:
        return MemoryBackend(max_entries)
    if scheme in {"redis", "rediss"}:
        return RedisBackend(url, timeout, tag_ttl)
    raise ValueError(
        f"unsupported cache URL scheme {scheme!r}: use memory:// or redis://host:port/db"
    )
