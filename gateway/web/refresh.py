"""Renewing a session's access token with ``refreshSession``, once per refresh token.

The API rotates refresh tokens and ends the whole session when an old one is presented again (it
means the token was copied). A browser sends several requests at once (the Today page's badges), all
carrying the same cookie: each would refresh with the same token and the second would end the
session. So the first refresh's answer is kept (sealed, one minute, in the shared cache, under a digest
of the old token) and every concurrent request holding that old token gets the same new tokens;
a process-local lock plus the cache's short lock make the requests wait for the one refresh.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from starlette.requests import Request

from gateway.cache.store import CacheStore
from gateway.web.api import PortalApi
from gateway.web.session import SessionSeal

MEMO_SECONDS = 60
WAIT_SECONDS = 3.0


class TokenRefresher:
    def __init__(
        self, api: PortalApi, store: CacheStore, seal: SessionSeal, namespace: str
    ) -> None:
        self.api = api
        self.store = store
        self.seal = seal
        self.prefix = f"{namespace}:portal:refresh"
        self._lock = asyncio.Lock()  # refreshes are rare (one per user per token lifetime)

    async def refresh(self, request: Request, refresh_token: str) -> dict[str, Any] | None:
        """The new ``SessionTokens`` (as the API answers them), or None when the session is over."""
        key = f"{self.prefix}:{hashlib.sha256(refresh_token.encode()).hexdigest()}"
        async with self._lock:
            remembered = await self._remembered(key)
            if remembered is not None:
                return remembered
            lock = await self.store.lock(f"{key}:lock", WAIT_SECONDS)
            if lock is None:  # another replica is refreshing this very token: wait for its answer
                return await self._wait_for(key)
            try:
                result = await self.api.run(
                    request, "RefreshSession", {"refreshToken": refresh_token}
                )
                tokens = (result.data.get("refreshSession") or {}).get("session")
                if tokens:
                    await self.store.set(key, self.seal.seal(tokens), MEMO_SECONDS)
                return tokens if isinstance(tokens, dict) else None
            finally:
                await self.store.unlock(f"{key}:lock", lock)

    async def _remembered(self, key: str) -> dict[str, Any] | None:
        sealed = await self.store.get(key)
        return self.seal.open(sealed) if isinstance(sealed, str) and sealed else None

    async def _wait_for(self, key: str) -> dict[str, Any] | None:
        for _ in range(int(WAIT_SECONDS / 0.05)):
            await asyncio.sleep(0.05)
            remembered = await self._remembered(key)
            if remembered is not None:
                return remembered
        return None
