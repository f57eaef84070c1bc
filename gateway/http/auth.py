"""Resolve the bearer credential into a :class:`Principal` in ``scope["state"]["principal"]``.

``Authorization: Bearer pgw_...`` is an API key, ``Bearer eyJ...`` an access token from the login
mutations. A credential that is present but bad is refused here with 401. A request without one goes
on as anonymous (principal None): only the fields that let people in (registerPractice, login,
completeLogin, refreshSession, acceptInvitation) allow that; every other field's permission answers
401 (see graphql/permissions.py). The GraphiQL page itself loads without credentials.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth.sessions import authenticate_access_token
from gateway.auth.tokens import looks_like_jwt
from gateway.config import GatewaySettings
from gateway.errors import Unauthenticated
from gateway.http.errors import error_response
from gateway.identity import Principal, authenticate_api_key
from gateway.storage.database import Database

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="payer-gateway"'}


async def authenticate(database: Database, settings: GatewaySettings, credential: str) -> Principal:
    if looks_like_jwt(credential):
        return await authenticate_access_token(database, settings, credential)
    return await authenticate_api_key(database, credential)


class BearerAuth:
    def __init__(
        self, app: ASGIApp, database: Database, settings: GatewaySettings | None = None
    ) -> None:
        self.app = app
        self.database = database
        self.settings = settings or GatewaySettings()

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
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            message = "Malformed Authorization header: expected 'Bearer <API key or access token>'."
            await error_response(401, "UNAUTHENTICATED", message, CHALLENGE)(scope, receive, send)
            return
        try:
            principal = await authenticate(self.database, self.settings, credential.strip())
        except Unauthenticated as exc:
            await error_response(401, exc.code, exc.message, CHALLENGE)(scope, receive, send)
            return
        state["principal"] = principal
        await self.app(scope, receive, send)
