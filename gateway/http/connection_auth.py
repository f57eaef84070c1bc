"""Who is on a graphql-transport-ws connection, decided at ``connection_init``, before any subscription.

The credential comes as the handshake's ``Authorization`` header (checked by
:class:`~gateway.http.auth.BearerAuth`) or, since a browser cannot set headers on a WebSocket, as
``{"Authorization": "Bearer ..."}`` in the ``connection_init`` payload. A connection without a
valid one is closed with code 4401 and the reason ``UNAUTHENTICATED: <why>`` instead of being
acknowledged: clients see the reason (a refused handshake looks like a network error to them), and
graphql-ws clients do not retry a 4401.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from gateway.errors import Unauthenticated
from gateway.graphql.context import GatewayServices, RequestContext
from gateway.http.auth import MALFORMED, REFUSED_CREDENTIAL, authenticate, bearer_credential
from gateway.identity import Principal

CLOSE_UNAUTHENTICATED = 4401
#: WebSocket close reasons are limited to 123 bytes (RFC 6455, 5.5: control frames carry <= 125).
MAX_REASON_BYTES = 123
ANONYMOUS = (
    "send 'Authorization: Bearer <API key or access token>' as a header or in the "
    "connection_init payload"
)


async def connection_principal(
    services: GatewayServices, state: dict[str, Any], payload: dict[str, Any]
) -> Principal:
    """The caller of a connection; ``Unauthenticated`` (with a plain reason) when there is none."""
    refused = state.get(REFUSED_CREDENTIAL)
    if refused:
        raise Unauthenticated(refused)
    principal = state.get("principal")
    if isinstance(principal, Principal):
        return principal
    header = payload.get("Authorization", payload.get("authorization"))
    if header is None:
        raise Unauthenticated(ANONYMOUS)
    if not isinstance(header, str):
        raise Unauthenticated(MALFORMED)
    return await authenticate(services.database, services.settings, bearer_credential(header))


def close_reason(error: Unauthenticated) -> str:
    """``UNAUTHENTICATED: <message>``, cut to what a close frame can carry."""
    reason = f"{error.code}: {error.message}".encode()
    return reason[:MAX_REASON_BYTES].decode(errors="ignore")


class AuthenticatedTransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws that acknowledges only connections with a principal."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if (
            self.connection_init_received
            or self.connection_timed_out
            or not isinstance(payload, dict)
        ):  # strawberry's own refusals (4429 a second init, 4400 a bad payload)
            await super().handle_connection_init(message)
            return
        state = self.context.request.scope.get("state", {})
        try:
            principal = await connection_principal(self.view.services, state, payload or {})  # type: ignore[attr-defined]
        except Unauthenticated as exc:
            self.connection_init_received = True
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=CLOSE_UNAUTHENTICATED, reason=close_reason(exc))
            return
        self.context.principal = principal
        await super().handle_connection_init(message)
