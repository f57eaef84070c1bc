"""Error responses shaped like GraphQL errors, for refusals that happen before GraphQL runs."""

from __future__ import annotations

from starlette.responses import JSONResponse


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)
