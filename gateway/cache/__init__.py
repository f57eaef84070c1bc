"""The gateway's two cache levels: payer-call answers and whole GraphQL responses (see ARCHITECTURE)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from functools import cache

from gateway.cache.backends import open_backend
from gateway.cache.payer_calls import PayerCallCache
from gateway.cache.store import CacheStore
from gateway.config import GatewaySettings
from gateway.observability.metrics import GatewayMetrics
from payers import model
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
    store = CacheStore(backend, metrics, f"{settings.cache_namespace}:{model_fingerprint()}")
    return PayerCallCache(store, grace_seconds=settings.cache_stale_grace_seconds)


@cache
def model_fingerprint() -> str:
    """A digest of the normalized model's shape (every class and its fields), part of every key.

    Shared caches hold pickled model objects; an object pickled before a field was added unpickles
    without it and fails when read. A release that changes the model reads and writes new keys,
    and the old entries simply expire."""
    return shape_digest(vars(model).values())


def shape_digest(kinds: Iterable[object]) -> str:
    """``m`` and 10 hex digits naming the dataclasses among ``kinds`` and their fields."""
    shape = sorted(
        f"{kind.__qualname__}:{','.join(f.name for f in dataclasses.fields(kind))}"
        for kind in kinds
        if isinstance(kind, type) and dataclasses.is_dataclass(kind)
    )
    return "m" + hashlib.sha256("|".join(shape).encode()).hexdigest()[:10]
