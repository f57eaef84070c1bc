"""What the gateway refused, as exceptions carrying its machine codes::

    GatewayError                  base: ``code`` (extensions.code), ``message``, ``errors``, ``request_id``
    ├── AuthenticationRefused     UNAUTHENTICATED: no, unknown, expired or revoked API key (HTTP 401)
    ├── ScopeForbidden            FORBIDDEN: the key lacks a scope a field needs (``paths``)
    ├── RateLimited               RATE_LIMITED, EXPORT_RATE_LIMITED, EXPORTS_BUSY (429): ``retry_after``
    ├── InvalidRequest            GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT (``variable``), bad bodies
    ├── PayerFailed               a payer's part failed: PAYER_UNAVAILABLE, PAYER_TIMEOUT, ... (``payer``)
    └── TransportFailed           the gateway could not be reached or did not answer (no code from it)

The gateway's words are kept as it sent them; it never puts PHI or internals in an error.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """The gateway answered with errors (or not at all). ``errors`` are its GraphQL error objects."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        errors: list[dict[str, Any]] | None = None,
        status: int | None = None,
        request_id: str | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.message = message
        self.code = code
        self.errors = errors or []
        self.status = status
        self.request_id = request_id
        #: What the query did answer besides the errors (GraphQL answers partly), if anything.
        self.data = data

    @property
    def paths(self) -> list[list[str | int]]:
        """Where in the answer each error is (empty for a refusal of the whole request)."""
        return [e["path"] for e in self.errors if e.get("path")]


class AuthenticationRefused(GatewayError):
    """UNAUTHENTICATED: the API key is missing, unknown, expired or revoked."""


class ScopeForbidden(GatewayError):
    """FORBIDDEN: the key may not read some of what was asked (see ``paths``)."""


class RateLimited(GatewayError):
    """RATE_LIMITED: too many requests; wait ``retry_after`` seconds (the Retry-After header)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **rest: Any) -> None:
        super().__init__(message, **rest)
        self.retry_after = retry_after


class InvalidRequest(GatewayError):
    """The document or its variables do not fit the schema (``variable`` names a bad variable)."""

    @property
    def variable(self) -> str | None:
        for error in self.errors:
            variable = (error.get("extensions") or {}).get("variable")
            if variable:
                return str(variable)
        return None


class PayerFailed(GatewayError):
    """A payer's part of the answer failed (``payer`` names it); the rest is in ``data``."""

    @property
    def payer(self) -> str | None:
        for error in self.errors:
            payer = (error.get("extensions") or {}).get("payer")
            if payer:
                return str(payer)
        return None


class TransportFailed(GatewayError):
    """No usable answer from the gateway: unreachable, timed out, or not a gateway's JSON."""


#: The exception for each code the gateway sends (anything else is a plain GatewayError).
_BY_CODE: dict[str, type[GatewayError]] = {
    "UNAUTHENTICATED": AuthenticationRefused,
    "FORBIDDEN": ScopeForbidden,
    "RATE_LIMITED": RateLimited,
    "EXPORT_RATE_LIMITED": RateLimited,
    "EXPORTS_BUSY": RateLimited,
    "BAD_EXPORT_REQUEST": InvalidRequest,
    "EXPORT_RANGE_TOO_LONG": InvalidRequest,
    "EXPORT_TOO_MANY_PAYERS": InvalidRequest,
    "GRAPHQL_VALIDATION_FAILED": InvalidRequest,
    "GRAPHQL_PARSE_FAILED": InvalidRequest,
    "BAD_USER_INPUT": InvalidRequest,
    "BAD_REQUEST_BODY": InvalidRequest,
    "INVALID_JSON": InvalidRequest,
    "INVALID_ENCODING": InvalidRequest,
    "JSON_TOO_DEEP": InvalidRequest,
    "NUMBER_TOO_LARGE": InvalidRequest,
    "UNSUPPORTED_MEDIA_TYPE": InvalidRequest,
    "REQUEST_TOO_LARGE": InvalidRequest,
    "PAYER_ERROR": PayerFailed,
    "PAYER_UNAVAILABLE": PayerFailed,
    "PAYER_TIMEOUT": PayerFailed,
    "PAYER_REJECTED": PayerFailed,
    "MEMBER_NOT_FOUND": PayerFailed,
    "PAYER_PROTOCOL_ERROR": PayerFailed,
}


def error_for(
    errors: list[dict[str, Any]],
    *,
    status: int | None = None,
    headers: Any = None,
    data: Any = None,
) -> GatewayError:
    """The exception for a gateway answer's ``errors`` (the first error decides its kind)."""
    first = errors[0] if errors else {}
    extensions = first.get("extensions") or {}
    code = str(extensions.get("code") or ("RATE_LIMITED" if status == 429 else "GATEWAY_ERROR"))
    message = str(first.get("message") or "the gateway refused the request")
    request_id = extensions.get("requestId") or (headers.get("x-request-id") if headers else None)
    kind = _BY_CODE.get(code, GatewayError)
    rest: dict[str, Any] = dict(
        code=code, errors=errors, status=status, request_id=request_id, data=data
    )
    if kind is RateLimited:
        retry = headers.get("retry-after") if headers else None
        return RateLimited(message, retry_after=_seconds(retry), **rest)
    return kind(message, **rest)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
