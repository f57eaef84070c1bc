"""Who is on a graphql-transport-ws connection, decided at ``connection_init`` and checked again before
every event.

The credential comes as the handshake's ``Authorization`` header (checked by
:class:`~gateway.http.auth.BearerAuth`) or, since a browser cannot set headers on a WebSocket, as
``{"Authorization": "Bearer ..."}`` in the ``connection_init`` payload.

Close codes (the reason is always ``UNAUTHENTICATED: <why>``, at most 123 bytes):

- **4401** at ``connection_init``: no credential, or a bad one. The connection is never acknowledged
  (a refused handshake would look like a network error to clients, which could not read the reason).
- **4401** later, when the credential stops being valid: the access token expired, its session ended
  (logout, password change, refresh-token reuse), the user was disabled or their practice no longer
  approved, the API key was revoked or expired. The credential is read again from the database (never
  from the principal cache) before every ``next`` message, so the event that finds it ended is not
  sent; and the socket is closed at the credential's expiry even when no event comes.

graphql-ws clients do not retry a 4401: reconnect with a fresh access token (``refreshSession``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)

from gateway.errors import Unauthenticated
from gateway.graphql.context import GatewayServices, RequestContext
from gateway.http.auth import MALFORMED, REFUSED_CREDENTIAL, authenticate_fresh, bearer_credential
from gateway.identity import Principal

CLOSE_UNAUTHENTICATED = 4401
#: WebSocket close reasons are limited to 123 bytes (RFC 6455, 5.5: control frames carry <= 125).
MAX_REASON_BYTES = 123
ANONYMOUS = (
    "send 'Authorization: Bearer <API key or access token>' as a header or in the "
    "connection_init payload"
)
EXPIRED = "The credential has expired."


@dataclass(frozen=True, slots=True)
class LiveCredential:
    """The credential that opened a connection, and when it expires (None: never)."""

    credential: str
    expires_at: datetime | None


async def connection_principal(
    services: GatewayServices, state: dict[str, Any], header: str | None, payload: dict[str, Any]
) -> tuple[Principal, LiveCredential]:
    """The caller of a connection; ``Unauthenticated`` (with a plain reason) when there is none."""
    refused = state.get(REFUSED_CREDENTIAL)
    if refused:
        raise Unauthenticated(refused)
    credential = header or payload.get("Authorization", payload.get("authorization"))
    if credential is None:
        raise Unauthenticated(ANONYMOUS)
    if not isinstance(credential, str):
        raise Unauthenticated(MALFORMED)
    secret = bearer_credential(credential)
    principal, expires_at = await authenticate_fresh(services.database, services.settings, secret)
    return principal, LiveCredential(secret, expires_at)


def close_reason(error: Unauthenticated) -> str:
    """``UNAUTHENTICATED: <message>``, cut to what a close frame can carry."""
    reason = f"{error.code}: {error.message}".encode()
    return reason[:MAX_REASON_BYTES].decode(errors="ignore")


class AuthenticatedTransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws that acknowledges only connections with a principal, and ends them when
    their credential ends."""

    live: LiveCredential | None = None
    ended: bool = False
    expiry_task: asyncio.Task[None] | None = None

    @property
    def services(self) -> GatewayServices:
        return self.view.services  # type: ignore[attr-defined,no-any-return]

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload", {})
        if (
            self.connection_init_received
            or self.connection_timed_out
            or not isinstance(payload, dict)
        ):  # strawberry's own refusals (4429 a second init, 4400 a bad payload)
            await super().handle_connection_init(message)
            return
        request = self.context.request
        state = request.scope.get("state", {})
        header = request.headers.get("authorization") or None
        try:
            principal, live = await connection_principal(
                self.services, state, header, payload or {}
            )
        except Unauthenticated as exc:
            self.connection_init_received = True
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=CLOSE_UNAUTHENTICATED, reason=close_reason(exc))
            return
        self.context.principal, self.live = principal, live
        await super().handle_connection_init(message)
        if self.connection_acknowledged and live.expires_at is not None:
            self.expiry_task = asyncio.create_task(self._close_at(live.expires_at))
            self.expiry_task.add_done_callback(self._task_done)

    async def send_message(self, message: Message) -> None:
        """The one way out for every message: a ``next`` goes only while the credential is valid."""
        if self.ended:
            return
        if message["type"] == "next" and self.live is not None:
            try:
                await authenticate_fresh(
                    self.services.database, self.services.settings, self.live.credential
                )
            except Unauthenticated as exc:
                await self.end(exc)
                return
        await super().send_message(message)

    async def end(self, error: Unauthenticated) -> None:
        """Close with 4401 and stop every operation: nothing more is sent on this connection."""
        if self.ended:
            return
        self.ended = True
        with contextlib.suppress(Exception):  # the client may have gone already; it is over anyway
            await self.websocket.close(code=CLOSE_UNAUTHENTICATED, reason=close_reason(error))
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)  # cancels the tasks (this one, too)

    async def _close_at(self, expires_at: datetime) -> None:
        await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()))
        assert self.live is not None
        try:
            await authenticate_fresh(
                self.services.database, self.services.settings, self.live.credential
            )
        except Unauthenticated as exc:
            await self.end(exc)  # says why: expired, or ended some other way meanwhile
            return
        await self.end(Unauthenticated(EXPIRED))  # a clock a hair behind the token's own

    async def shutdown(self) -> None:
        if self.expiry_task is not None:
            self.expiry_task.cancel()
        await super().shutdown()
