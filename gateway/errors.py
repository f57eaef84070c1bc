"""Errors the gateway means to show a caller. Anything else is masked (see graphql/masking.py).

Each carries a stable ``code`` and GraphQL ``extensions`` (graphql-core copies an exception's
``extensions`` dict into the error it reports)::

    GatewayError                 base: code + message, safe to show
    ├── Unauthenticated          UNAUTHENTICATED: no, unknown, expired or revoked credentials (HTTP 401)
    ├── Forbidden                FORBIDDEN: authenticated but not allowed
    ├── InvalidInput             BAD_USER_INPUT: an argument is malformed (e.g. an id that is no id)
    ├── NotFound                 NOT_FOUND
    └── PayerCallFailed          the adapter's code (PAYER_UNAVAILABLE, PAYER_TIMEOUT, ...) + extensions.payer
"""

from __future__ import annotations

from typing import Any

from payers.contract import PayerError, PayerRejected


class GatewayError(Exception):
    code = "GATEWAY_ERROR"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extra}


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class InvalidInput(GatewayError):
    code = "BAD_USER_INPUT"


class NotFound(GatewayError):
    code = "NOT_FOUND"


class PayerCallFailed(GatewayError):
    """One payer's part of a query failed; the rest of the query still answers."""

    def __init__(self, error: PayerError, operation: str) -> None:
        self.code = error.code
        extra: dict[str, Any] = {"payer": error.payer_id, "operation": operation}
        if isinstance(error, PayerRejected) and error.reasons:
            extra["payerCodes"] = [
                {"code": r.code.code, "description": r.code.description, "followUp": r.follow_up}
                for r in error.reasons
            ]
        extra["retryable"] = error.retryable
        super().__init__(f"{error.payer_id}: {error.message}", **extra)
