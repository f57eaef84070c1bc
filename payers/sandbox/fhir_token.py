"""The FHIR sandbox payer's OAuth2 token endpoint (client credentials grant, RFC 6749 section 4.4).

The client authenticates with HTTP Basic (``client_secret_basic``) or with ``client_id`` and
``client_secret`` in the form (``client_secret_post``). Tokens are random, live ``lifetime``
seconds by ``clock`` and are forgotten when they expire; :meth:`TokenIssuer.revoke_all` lets tests
play a payer that drops its tokens early.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenIssuer:
    """Issues and checks the access tokens of one sandbox server."""

    def __init__(
        self, client_id: str, client_secret: str, lifetime: int, clock: Callable[[], float]
    ) -> None:
        self._client = (client_id, client_secret)
        self.lifetime = lifetime
        self._clock = clock
        self._tokens: dict[str, float] = {}  # token -> expiry on ``clock``
        self.issued = 0

    def valid(self, token: str) -> bool:
        """True while ``token`` was issued here and has not expired."""
        expiry = self._tokens.get(token)
        if expiry is None:
            return False
        if expiry <= self._clock():
            del self._tokens[token]
            return False
        return True

    def revoke_all(self) -> None:
        self._tokens.clear()

    async def endpoint(self, request: Request) -> Response:
        """``POST /oauth/token``."""
        form = {
            k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()
        }
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type")
        given = _basic(request.headers.get("authorization", "")) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        if not (
            hmac.compare_digest(given[0].encode(), self._client[0].encode())
            and hmac.compare_digest(given[1].encode(), self._client[1].encode())
        ):
            response = _error(401, "invalid_client")
            response.headers["WWW-Authenticate"] = 'Basic realm="sandbox-payer"'
            return response
        token = secrets.token_urlsafe(32)
        self._tokens[token] = self._clock() + self.lifetime
        self.issued += 1
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime}
        if form.get("scope"):
            body["scope"] = form["scope"]
        return JSONResponse(body, headers=_NO_STORE)


def _basic(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers=_NO_STORE)
