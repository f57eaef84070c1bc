"""A few seconds' memory of which API key stands for which principal, to spare a database read per request.

Bound on staleness: an entry lives at most ``seconds`` (``PAYER_GATEWAY_PRINCIPAL_CACHE_SECONDS``,
5 by default; 0 turns the cache off) and never past the key's own expiry. Revoking a key through the
gateway drops its entry at once in the process that revoked it; other gateway processes, and changes
made straight in the database, take effect within ``seconds``. Entries are keyed by the key's SHA-256
digest (the secret itself is not kept) and belong to one :class:`Database`, so two gateways in one
process never share them. Only API keys are cached: access tokens are checked against their login
session on every request.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from datetime import datetime

from gateway.identity import Principal
from gateway.storage.database import Database

DEFAULT_SECONDS = 5.0
MAX_ENTRIES = 10_000


class PrincipalCache:
    """Key digest -> principal, each until a deadline (``time.monotonic``); bounded, oldest out first."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, key_digest: str) -> Principal | None:
        entry = self._entries.get(key_digest)
        if entry is None:
            return None
        deadline, principal = entry
        if time.monotonic() >= deadline:
            del self._entries[key_digest]
            return None
        return principal

    def put(
        self, key_digest: str, principal: Principal, expires_at: datetime | None = None
    ) -> None:
        """Remember ``principal`` for ``seconds``, and not past ``expires_at`` (the key's expiry)."""
        if self.seconds <= 0:
            return
        lifetime = self.seconds
        if expires_at is not None:
            lifetime = min(lifetime, expires_at.timestamp() - time.time())
        if lifetime <= 0:
            return
        self._entries[key_digest] = (time.monotonic() + lifetime, principal)
        self._entries.move_to_end(key_digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget_actor(self, actor_id: str) -> None:
        """Drop every entry of one API key (by its id): it was just revoked."""
        for key_digest in [k for k, (_, p) in self._entries.items() if p.actor_id == actor_id]:
            del self._entries[key_digest]

    def forget_practice(self, practice_id: str) -> None:
        """Drop every entry of one practice (its status changed)."""
        for key_digest in [
            k for k, (_, p) in self._entries.items() if p.practice_id == practice_id
        ]:
            del self._entries[key_digest]

    def clear(self) -> None:
        self._entries.clear()


_CACHES: weakref.WeakKeyDictionary[Database, PrincipalCache] = weakref.WeakKeyDictionary()


def principal_cache(database: Database, seconds: float | None = None) -> PrincipalCache:
    """The cache of the principals read from ``database`` (made on first use; ``seconds`` then applies)."""
    cache = _CACHES.get(database)
    if cache is None:
        cache = _CACHES[database] = PrincipalCache(DEFAULT_SECONDS if seconds is None else seconds)
    elif seconds is not None:
        cache.seconds = seconds
    return cache
