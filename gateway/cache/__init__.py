"""The gateway's two cache levels: payer-call answers and whole GraphQL responses (see ARCHITECTURE)."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.cache.backends import open_backend
from gateway.cache.payer_calls import PayerCallCache
from gateway.cache.store import CacheStore
from gateway.config import GatewaySettings
from gateway.observability.metrics import GatewayMetrics
from payers.contract import DEFAULT_CACHE_TTL, PayerSettings

__all__ = ["CacheStore", "PayerCallCache", "open_payer_cache"]


def open_payer_cache(
    settings: GatewaySettings, metrics: GatewayMetrics, payers: Iterable[PayerSettings]
) -> PayerCallCache:
    """The cache ``PAYER_GATEWAY_CACHE_URL`` names (memory by default), ready for payer calls."""
    longest_ttl = max(
        [*DEFAULT_CACHE_TTL.values(), *(ttl for p in payers for ttl in p.cache_ttl.values())]
    )
    backend = open_backend(
        settings.cache_url,
        max_entries=settings.cache_max_entries,
        timeout=settings.cache_timeout_ms / 1000,
        tag_ttl=longest_ttl + settings.cache_stale_grace_seconds + settings.response_cache_ttl,
    )
    store = CacheStore(backend, metrics, settings.cache_namespace)
    return PayerCallCache(store, grace_seconds=settings.cache_stale_grace_seconds)
