"""Short-lived server-side keeping of what a page must not lose or put in a URL.

Uses: a form posted after the session expired (kept until the person has signed in again, then shown
filled in), a search term (PHI: the results page's URL carries only the stash id), the authenticator
QR code and the recovery codes during login. Entries live in the gateway's cache (Redis when
configured, so every replica sees them), sealed with the portal's key, under a random id, and belong
to one user (or one browser session before login): anyone else presenting the id gets nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from gateway.cache.store import CacheStore
from gateway.web.session import SessionSeal

STASH_SECONDS = 15 * 60  # long enough to sign in again, short enough not to linger


class Stash:
    """Keep and find small JSON values by (kind, random id), each bound to an owner."""

    def __init__(self, store: CacheStore, seal: SessionSeal, namespace: str) -> None:
        self.store = store
        self.seal = seal
        self.prefix = f"{namespace}:portal:stash"

    async def put(
        self, kind: str, owner: str, value: dict[str, Any], seconds: int = STASH_SECONDS
    ) -> str:
        """A new random id under which ``value`` is kept for ``owner``."""
        stash_id = secrets.token_urlsafe(18)
        sealed = self.seal.seal({"owner": owner, "kind": kind, "value": value})
        await self.store.set(f"{self.prefix}:{kind}:{stash_id}", sealed, seconds)
        return stash_id

    async def get(
        self, kind: str, stash_id: str | None, owner: str | None
    ) -> dict[str, Any] | None:
        """The value kept under ``stash_id`` for ``owner``, or None (gone, someone else's, forged)."""
        if not stash_id or not owner or len(stash_id) > 64:
            return None
        sealed = await self.store.get(f"{self.prefix}:{kind}:{stash_id}")
        opened = self.seal.open(sealed) if isinstance(sealed, str) else None
        if not opened or opened.get("owner") != owner or opened.get("kind") != kind:
            return None
        value = opened.get("value")
        return value if isinstance(value, dict) else None

    async def drop(self, kind: str, stash_id: str | None) -> None:
        if stash_id:
            await self.store.set(f"{self.prefix}:{kind}:{stash_id}", "", 1)
