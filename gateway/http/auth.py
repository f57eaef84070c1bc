"""Resolve the bearer credential into a :class:`Principal` in ``scope["state"]["principal"]``.

``Authorization: Bearer pgw_...`` is an API key, ``Bearer eyJ...`` an access token from the login
mutations. A credential that is present but bad is refused here with 401. A request without one goes
on as anonymous (principal None): only the fields that let people in (registerPractice, login,
completeLogin, refreshSession, acceptInvitation) allow that; every other field's permission answers
401 (see graphql/permissions.py). The GraphiQL page itself loads without credentials.

A WebSocket handshake is never refused here: a bad credential is left in ``scope["state"]`` under
:data:`REFUSED_CREDENTIAL` and the connection is refused at ``connection_init`` with a close code a
client can read (see http/connection_auth.py); a failed handshake looks like a network error.
"""

from __future__ import annotations

from datetime import datetime

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth.principal_cache import PrincipalCache, principal_cache
from gateway.auth.sessions import access_token_principal, authenticate_access_token
from gateway.auth.tokens import looks_like_jwt
from gateway.config import GatewaySettings
from gateway.errors import Unauthenticated
from gateway.http.errors import error_response
from gateway.identity import Principal, api_key_principal, digest
from gateway.storage.database import Database

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="payer-gateway"'}
MALFORMED = "Malformed Authorization header: expected 'Bearer <API key or access token>'."
#: Where a WebSocket's refused credential waits for connection_init (the reason, a plain message).
REFUSED_CREDENTIAL = "refused_credential"


def bearer_credential(header: str) -> str:
    """The credential of ``Bearer <credential>``; ``Unauthenticated`` for any other shape."""
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise Unauthenticated(MALFORMED)
    return credential.strip()


async def authenticate(
    database: Database,
    settings: GatewaySettings,
    credential: str,
    cache: PrincipalCache | None = None,
) -> Principal:
    if looks_like_jwt(credential):
        return await authenticate_access_token(database, settings, credential)
    # API keys: remembered for a few seconds (see gateway/auth/principal_cache.py for the bound).
    key_digest = digest(credential)
    principal = cache.get(key_digest) if cache is not None else None
    if principal is None:
        principal, expires_at = await api_key_principal(database, credential)
        if cache is not None:
            cache.put(key_digest, principal, expires_at)
    return principal


async def authenticate_fresh(
    database: Database, settings: GatewaySettings, credential: str
) -> tuple[Principal, datetime | None]:
    """The principal and when its credential expires (None: never), read now, never from a cache."""
    if looks_like_jwt(credential):
        return await access_token_principal(database, settings, credential)
    return await api_key_principal(database, credential)


class BearerAuth:
    def __init__(
        self, app: ASGIApp, database: Database, settings: GatewaySettings | None = None
    ) -> None:
        self.app = app
        self.database = database
        self.settings = settings or GatewaySettings()
        self.principals = principal_cache(database, self.settings.principal_cache_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1").strip()
        if not header:
            state["principal"] = None
            await self.app(scope, receive, send)
            return
        try:
            principal = await authenticate(
                self.database, self.settings, bearer_credential(header), self.principals
            )
        except Unauthenticated as exc:
            if scope["type"] == "websocket":
                state["principal"], state[REFUSED_CREDENTIAL] = None, exc.message
                await self.app(scope, receive, send)
                return
            await error_response(401, exc.code, exc.message, CHALLENGE)(scope, receive, send)
            return
        state["principal"] = principal
        await self.app(scope, receive, send)
