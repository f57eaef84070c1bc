"""Errors the gateway means to show a caller. Anything else is masked (see graphql/masking.py).

Each carries a stable ``code`` and GraphQL ``extensions`` (graphql-core copies an exception's
``extensions`` dict into the error it reports)::

    GatewayError                 base: code + message, safe to show
    ├── Unauthenticated          UNAUTHENTICATED: no, unknown, expired or revoked credentials (HTTP 401)
    ├── Forbidden                FORBIDDEN: authenticated but not allowed
    ├── InvalidInput             BAD_USER_INPUT: an argument is malformed (e.g. an id that is no id)
    ├── NotFound                 NOT_FOUND
    └── PayerCallFailed          the adapter's code (PAYER_UNAVAILABLE, PAYER_TIMEOUT, ...) +
                                 extensions.payer; the gateway's words (the payer's: phi:read only)
"""

from __future__ import annotations

from typing import Any

from payers.codesets import SYSTEMS, lookup
from payers.contract import (
    MemberNotFound,
    PayerError,
    PayerProtocolError,
    PayerRejected,
    PayerRejection,
    PayerTimeout,
    PayerUnavailable,
)
from payers.model import Code


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
    """One payer's part of a query failed; the rest of the query still answers.

    What every caller sees is worded here from the error's code and the payer's coded reasons (our
    code tables' descriptions): an adapter's message quotes the payer's own words, which may name the
    member (id, name, birth date), so it is kept apart as :attr:`payer_message` and shown only to
    callers holding ``phi:read`` (see gateway/graphql/payer_errors.py).
    """

    def __init__(
        self, error: PayerError, operation: str, *, public: str | None = None, called: bool = True
    ) -> None:
        self.code = error.code
        #: False when the gateway did not call the payer at all (its circuit breaker is open).
        self.called = called
        self.payer_message = error.message
        self.reasons = error.reasons  # PayerRejected's and PayerUnavailable's (AAA 42/80) alike
        extra: dict[str, Any] = {"payer": error.payer_id, "operation": operation}
        if self.reasons:
            extra["payerCodes"] = [public_reason(r) for r in self.reasons]
        extra["retryable"] = error.retryable
        words = public or public_words(error)
        super().__init__(f"{error.payer_id}: {words}", **extra)

    @classmethod
    def worded_by_gateway(
        cls, error: PayerError, operation: str, *, called: bool = True
    ) -> PayerCallFailed:
        """A failure the gateway itself decided (payer not configured, breaker open, our deadline):
        its message is ours and carries no payer text, so every caller may read it."""
        return cls(error, operation, public=error.message, called=called)


#: A caller's view of each adapter error code, in the gateway's words (see payers/contract.py).
_WORDS = {
    PayerError: "the payer call failed",
    PayerUnavailable: "the payer cannot answer now; try again later",
    PayerTimeout: "the payer did not answer in time; try again later",
    PayerRejected: "the payer refused the request",
    MemberNotFound: (
        "the payer found no member matching the request; check the member id, name and birth "
        "date against the insurance card"
    ),
    PayerProtocolError: "the payer's answer could not be read",
}


def code_words(code: str) -> str | None:
    """The gateway's words for an adapter error code as stored (a batch check's ``error_code``);
    None for a code the contract does not define."""
    return next((words for cls, words in _WORDS.items() if cls.code == code), None)


def public_words(error: PayerError) -> str:
    """What any caller may be told of ``error``: the words of its nearest contract class (an adapter's
    own subclass reads as its parent), and the payer's reasons as our code tables describe them."""
    words = next(_WORDS[cls] for cls in type(error).__mro__ if cls in _WORDS)
    if error.reasons:
        words = f"{words} ({'; '.join(public_code_words(r.code) for r in error.reasons)})"
    return words


def table_description(code: Code) -> str | None:
    """Our code table's description of ``code``; None for a code system we do not carry (then
    the description is the payer's own text)."""
    if code.system not in SYSTEMS:
        return None
    return lookup(code.system, code.code).description


def public_code_words(code: Code) -> str:
    """``code`` and, where our tables have it, their description (never the payer's text)."""
    return " ".join(filter(None, (code.code, table_description(code))))


def public_reason(reason: PayerRejection) -> dict[str, Any]:
    return {
        "code": reason.code.code,
        "system": reason.code.system,
        "description": table_description(reason.code),
    }


def private_reason(reason: PayerRejection) -> dict[str, Any]:
    """A reason as the payer stated it (its descriptions and follow-up text): ``phi:read`` only."""
    return {
        "code": reason.code.code,
        "system": reason.code.system,
        "description": reason.code.description,
        "followUp": reason.follow_up,
    }
