"""The last line: nothing that escapes a route or a middleware answers ``500 text/plain`` or logs data.

:class:`ErrorBoundary` is the outermost middleware of the app. An exception that reaches it is
logged with its type and the code location it came from (never its message or a traceback: both can
carry SQL, secrets or patient data) and answered ``500 application/json`` with ``INTERNAL_ERROR`` and
the request id. If the response had already started, the connection is left for the server to close
(a half-sent body must not be made to look complete). Starlette's routing refusals (404, 405) are
answered as JSON with a code too (:func:`http_error`).
"""

from __future__ import annotations

import logging
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.errors import ErrorResponse, code_for_status
from gateway.logs import error_origin

log = logging.getLogger(__name__)

INTERNAL_MESSAGE = "Unexpected error. Quote the request id when reporting it."
#: WebSocket close code for an internal error (RFC 6455 1011).
WS_INTERNAL_ERROR = 1011


class ErrorBoundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] in {"http.response.start", "websocket.accept"}
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            state = scope.setdefault("state", {})
            request_id = state.setdefault("request_id", uuid.uuid4().hex)
            log.error(
                "unhandled error",
                extra={
                    "error_type": type(exc).__name__,
                    "where": error_origin(exc),
                    "request_id": request_id,
                    "path": scope.get("path"),
                },
            )
            if scope["type"] == "websocket":
                await _close_quietly(send)
            elif not started:
                response = ErrorResponse(
                    500, "INTERNAL_ERROR", INTERNAL_MESSAGE, {"X-Request-ID": request_id}
                )
                await response(scope, receive, send)


async def http_error(request: Request, exc: Exception) -> ErrorResponse:
    """Starlette's own refusals (no route: 404, wrong method: 405) as JSON errors with a code."""
    assert isinstance(exc, HTTPException)
    return ErrorResponse(
        exc.status_code, code_for_status(exc.status_code), str(exc.detail), dict(exc.headers or {})
    )


async def _close_quietly(send: Send) -> None:
    try:
        await send({"type": "websocket.close", "code": WS_INTERNAL_ERROR})
    except Exception:  # noqa: S110  # already closed: nothing more to tell the client
        pass
