"""Credential attempts are counted one by one, where they happen: in the mutation, not per request.

Each execution of a mutation that checks a credential or a secret (login, completeLogin with a TOTP or
recovery code, refreshSession, acceptInvitation, registerPractice, changePassword) first takes one
attempt from two budgets: the client address's (``anonymous_rate_limit_per_minute``) and its
target's (the email, the challenge's user, the refresh token's session, the invitation, the signed-in
user: ``credential_attempts_per_minute``). They go through the limiter of http/rate_limit.py, so with
Redis every replica shares them. Ten aliased logins, a batch of ten operations, or ten mutations over
a WebSocket are ten attempts. Over either budget the mutation does no work at all (no password
hashing, no lockout count) and answers its own payload with one ``RATE_LIMITED`` error. Lockout
(gateway/auth/login.py) counts each failed password or code the same way, one per execution.

Targets are keyed by a digest: emails and tokens never sit in Redis in clear.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField

from gateway.auth import tokens
from gateway.errors import Unauthenticated
from gateway.graphql.types.common import FieldError
from gateway.identity import digest

RATE_LIMITED = "RATE_LIMITED"

#: The target of one attempt, from the resolver's arguments (and the caller, for signed-in ones).
Target = Callable[[Info, dict[str, Any]], str]


class CredentialAttempt(FieldExtension):
    """Takes one attempt per execution of the field; over budget, answers the payload refused."""

    def __init__(self, kind: str, target: Target) -> None:
        self.kind = kind
        self.target = target
        self.refused: Callable[[list[FieldError]], Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        self.refused = _refused_payload(field)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        wait = await spend_attempt(info, self.kind, self.target(info, kwargs))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            assert self.refused is not None
            return self.refused(
                [
                    FieldError(
                        code=RATE_LIMITED,
                        field=[],
                        message=f"Too many attempts; retry in {seconds} s.",
                    )
                ]
            )
        return await next_(source, info, **kwargs)


async def spend_attempt(info: Info, kind: str, target: str) -> float:
    """0 when the attempt may go ahead, else the seconds to wait (both budgets are charged)."""
    context = info.context
    settings = context.services.settings
    limiter = context.limiter
    assert limiter is not None, "the app gives every request context its rate limiter"
    per_address = settings.anonymous_rate_limit_per_minute
    per_target = settings.credential_attempts_per_minute
    waits = [
        await limiter.take(
            f"attempts:ip:{context.client_address or 'unknown'}",
            per_address,
            max(1, min(per_address, 10)),
        ),
        await limiter.take(f"attempts:{kind}:{digest(target)}", per_target, per_target),
    ]
    return max(waits)


def _refused_payload(field: StrawberryField) -> Callable[[list[FieldError]], Any]:
    """A maker of the field's payload with every field empty but ``errors`` (checked at schema build)."""
    payload_type = field.type
    if isinstance(payload_type, StrawberryOptional):
        payload_type = payload_type.of_type
    definition = get_object_definition(payload_type, strict=True)
    empty: dict[str, Any] = {}
    for member in definition.fields:
        if member.python_name == "errors":
            continue
        if isinstance(member.type, StrawberryOptional):
            empty[member.python_name] = None
        elif member.type is bool:
            empty[member.python_name] = False
        else:
            raise TypeError(
                f"{field.python_name}: {definition.name}.{member.python_name} must be optional "
                "for a refused attempt to leave it empty"
            )
    return lambda errors: payload_type(**empty, errors=errors)  # type: ignore[operator,call-arg]


# Targets of the credential mutations.


def email_of(info: Info, kwargs: dict[str, Any]) -> str:
    return str(kwargs["input"].email).strip().lower()


def admin_email_of(info: Info, kwargs: dict[str, Any]) -> str:
    return str(kwargs["input"].admin.email).strip().lower()


def challenge_user_of(info: Info, kwargs: dict[str, Any]) -> str:
    """The user a login challenge was issued to: every challenge of one user shares the budget."""
    challenge = str(kwargs["input"].challenge)
    try:
        claims = tokens.decode(
            info.context.services.settings.jwt_secret, tokens.LOGIN_CHALLENGE, challenge
        )
    except Unauthenticated:
        return f"challenge:{challenge}"
    return f"user:{claims['sub']}"


def refresh_session_of(info: Info, kwargs: dict[str, Any]) -> str:
    token = str(kwargs["refresh_token"])
    parts = tokens.split_refresh_token(token)
    return f"session:{parts[0]}" if parts else f"token:{token}"


def invitation_of(info: Info, kwargs: dict[str, Any]) -> str:
    return str(kwargs["input"].token).strip()


def signed_in_user(info: Info, kwargs: dict[str, Any]) -> str:
    principal = info.context.principal
    return principal.actor_id if principal is not None else "anonymous"
