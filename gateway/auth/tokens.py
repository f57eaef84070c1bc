"""Signed tokens (PyJWT, HS256): short-lived access tokens and the login challenge between the two
login steps. Refresh tokens are not JWTs: they are random secrets checked against their session row."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from gateway.errors import Unauthenticated

ISSUER = "payer-gateway"
ACCESS = "access"
LOGIN_CHALLENGE = "login"
REFRESH_PREFIX = "pgr_"
CHALLENGE_MINUTES = 5
_ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "sub", "typ", "iss", "aud"]


def encode(
    secret: str, kind: str, subject: str, lifetime: timedelta, **claims: Any
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + lifetime
    payload = {
        "iss": ISSUER,
        "aud": kind,
        "typ": kind,
        "sub": subject,
        "iat": now,
        "exp": expires,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm=_ALGORITHM), expires


def decode(secret: str, kind: str, token: str) -> dict[str, Any]:
    """The claims of a valid token of this kind, or :class:`Unauthenticated`."""
    what = "access token" if kind == ACCESS else "login challenge"
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=kind,
            issuer=ISSUER,
            options={"require": _REQUIRED},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated(f"The {what} has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(f"The {what} is not valid.") from exc
    if claims.get("typ") != kind:
        raise Unauthenticated(f"The {what} is not valid.")
    return claims


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("eyJ")


def new_refresh_token(session_id: str) -> tuple[str, str]:
    """(token, its secret part); the session stores a digest of the secret."""
    secret = secrets.token_urlsafe(32)
    return f"{REFRESH_PREFIX}{session_id}.{secret}", secret


def split_refresh_token(token: str) -> tuple[str, str] | None:
    if not token.startswith(REFRESH_PREFIX):
        return None
    session_id, _, secret = token[len(REFRESH_PREFIX) :].partition(".")
    try:
        return str(uuid.UUID(session_id)), secret
    except ValueError:
        return None
