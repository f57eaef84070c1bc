"""Every GraphQL request is made on behalf of a practice: resolve the bearer credential or refuse (401).

The GraphiQL page itself (a browser GET asking for HTML) loads without credentials; the queries it
sends carry the key in the headers editor like any other client.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.errors import Unauthenticated
from gateway.http.errors import error_response
from gateway.identity import authenticate_api_key
from gateway.storage.database import Database

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="payer-gateway"'}


def _is_ide_page(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return (
        scope["method"] == "GET"
        and b"text/html" in headers.get(b"accept", b"")
        and not scope.get("query_string")
    )


class BearerAuth:
    """Puts the caller's :class:`Principal` in ``scope["state"]["principal"]``."""

    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"} or (scope["type"] == "http" and _is_ide_page(scope)):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1").strip()
        scheme, _, credential = header.partition(" ")
        if not header:
            message = "Authentication required: send 'Authorization: Bearer <API key>'."
            await error_response(401, "UNAUTHENTICATED", message, _CHALLENGE)(scope, receive, send)
            return
        if scheme.lower() != "bearer" or not credential.strip():
            message = "Malformed Authorization header: expected 'Bearer <API key>'."
            await error_response(401, "UNAUTHENTICATED", message, _CHALLENGE)(scope, receive, send)
            return
        try:
            principal = await authenticate_api_key(self.database, credential.strip())
        except Unauthenticated as exc:
            await error_response(401, exc.code, exc.message, _CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
