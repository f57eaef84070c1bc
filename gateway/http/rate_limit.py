"""Rate limits per API key, per user and (for anonymous calls such as login) per client address.

Over the limit a request gets 429 with Retry-After. Two backends behind one small interface:
:class:`LocalBuckets`, a token bucket per caller in this process (so with N replicas a caller may get
up to N times the limit), and :class:`RedisWindows`, a fixed one-minute window per caller counted in
the cache's Redis, shared by every replica. Redis trouble lets requests through (logged).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.http.errors import error_response

log = logging.getLogger(__name__)

_MAX_BUCKETS = 50_000


class RateLimiter(Protocol):
    async def take(self, key: str, per_minute: int, burst: int) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        ...

    async def aclose(self) -> None: ...


class LocalBuckets:
    """Token buckets in process memory: ``burst`` tokens, refilled at ``per_minute`` a minute."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, per_minute: int, burst: int) -> float:
        now = time.monotonic()
        rate = per_minute / 60.0
        tokens, last = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._prune()
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate if rate > 0 else 60.0

    def _prune(self) -> None:
        if len(self._buckets) > _MAX_BUCKETS:
            # Drop the longest-idle half: an idle bucket is a full bucket, so forgetting it changes nothing.
            for key, _ in sorted(self._buckets.items(), key=lambda item: item[1][1])[
                : _MAX_BUCKETS // 2
            ]:
                del self._buckets[key]

    async def aclose(self) -> None:
        return None


class RedisWindows:
    """A counter per caller and minute in Redis (INCR + EXPIRE), shared by every gateway replica."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self._namespace = namespace

    async def take(self, key: str, per_minute: int, burst: int) -> float:
        now = time.time()
        window = int(now // 60)
        name = f"{self._namespace}:ratelimit:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, 61)
                count, _ = await pipe.execute()
        except Exception as exc:
            log.warning(
                "rate limiter unavailable; request allowed",
                extra={"error_type": type(exc).__name__},
            )
            return 0.0
        if int(count) <= per_minute:
            return 0.0
        return (window + 1) * 60 - now

    async def aclose(self) -> None:
        await self._redis.aclose()


def limiter_for(settings: GatewaySettings) -> RateLimiter:
    if settings.cache_url.startswith(("redis://", "rediss://")):
        return RedisWindows(settings.cache_url, settings.cache_namespace)
    return LocalBuckets()


def _client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimit:
    """Runs after BearerAuth: the principal (or the client address) names the bucket."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, settings: GatewaySettings) -> None:
        self.app = app
        self.limiter = limiter
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        principal = scope.get("state", {}).get("principal")
        settings = self.settings
        if principal is None:
            key = f"ip:{_client_address(scope)}"
            per_minute = settings.anonymous_rate_limit_per_minute
            burst = max(1, min(per_minute, 10))
        else:
            key, per_minute, burst = (
                principal.rate_limit_key,
                settings.rate_limit_per_minute,
                settings.rate_limit_burst,
            )
        wait = await self.limiter.take(key, per_minute, burst)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            response = error_response(
                429,
                "RATE_LIMITED",
                f"Too many requests; retry in {seconds} s.",
                {"Retry-After": str(seconds)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
