"""Error responses shaped like GraphQL errors, for refusals that happen before GraphQL runs.

Every one carries ``extensions.code`` and ``extensions.requestId`` (the X-Request-ID of the request,
read from the ASGI scope when the response is sent, so no call site has to pass it).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send


class ErrorResponse(JSONResponse):
    """A JSON ``{"data": null, "errors": [...]}`` answer; the request id is added when it is sent."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self.code = code
        self.message = message
        super().__init__(self._payload(None), status_code=status, headers=headers)

    def _payload(self, request_id: str | None) -> dict[str, Any]:
        extensions: dict[str, Any] = {"code": self.code}
        if request_id:
            extensions["requestId"] = request_id
        return {"data": None, "errors": [{"message": self.message, "extensions": extensions}]}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = scope.get("state", {}).get("request_id")
        if request_id:
            self.body = self.render(self._payload(request_id))
            self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> ErrorResponse:
    return ErrorResponse(status, code, message, headers)


#: The code of a refusal that only has an HTTP status (strawberry's and Starlette's own).
_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def code_for_status(status: int) -> str:
    return _STATUS_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "BAD_REQUEST")
