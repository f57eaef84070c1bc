"""The cache as the gateway uses it: every operation fails open and failures are counted.

A cache that is slow or down must never fail a request or slow it much: reads become misses, writes
and invalidations are skipped (``pgw_cache_errors_total{action}`` says how often), and each operation
is bounded by the backend's short timeout. Nothing about the values is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from gateway.cache.backends import CacheBackend
from gateway.observability.metrics import GatewayMetrics

log = logging.getLogger(__name__)


class CacheStore:
    """Fail-open wrapper around a :class:`CacheBackend`, with the key namespace."""

    def __init__(self, backend: CacheBackend, metrics: GatewayMetrics, namespace: str) -> None:
        self.backend = backend
        self.metrics = metrics
        self.namespace = namespace

    @property
    def shared(self) -> bool:
        return self.backend.shared

    def _failed(self, action: str, exc: BaseException) -> None:
        self.metrics.cache_errors.labels(action).inc()
        log.warning(
            "cache operation failed", extra={"action": action, "error_type": type(exc).__name__}
        )

    async def get(self, key: str) -> Any:
        try:
            return await self.backend.get(key)
        except Exception as exc:
            self._failed("get", exc)
            return None

    async def set(self, key: str, value: Any, ttl: float) -> None:
        try:
            await self.backend.set(key, value, ttl)
        except Exception as exc:
            self._failed("set", exc)

    async def add_to_tags(self, tags: Sequence[str], key: str, ttl: float) -> None:
        try:
            await self.backend.add_to_tags(tags, key, ttl)
        except Exception as exc:
            self._failed("tag", exc)

    async def pop_tags(self, tags: Sequence[str]) -> int:
        """Delete every entry under ``tags``; the number of entries dropped."""
        try:
            return len(await self.backend.pop_tags(tags))
        except Exception as exc:
            self._failed("invalidate", exc)
            return 0

    async def lock(self, key: str, ttl: float) -> str | None:
        """A token when this caller should fetch ("" if the lock could not be checked), else None."""
        try:
            return await self.backend.lock(key, ttl)
        except Exception as exc:
            self._failed("lock", exc)
            return ""

    async def unlock(self, key: str, token: str) -> None:
        if not token:
            return
        try:
            await self.backend.unlock(key, token)
        except Exception as exc:
            self._failed("unlock", exc)

    async def ping(self) -> None:
        """Raises when the cache is unreachable (for /readyz)."""
        await self.backend.ping()

    async def close(self) -> None:
        try:
            await self.backend.close()
        except Exception as exc:
            self._failed("close", exc)
