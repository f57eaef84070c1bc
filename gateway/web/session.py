"""The portal's browser session: one sealed, HttpOnly, SameSite=Strict cookie and nothing else.

The cookie holds the API's access and refresh tokens, the CSRF token and the time of the last request,
sealed with Fernet (AES-CBC + HMAC) under a key derived from the gateway's JWT secret, so the browser
can neither read nor change them and any replica can open them (no session store to share). Script in
the page cannot read the cookie (HttpOnly), other sites cannot make the browser send it (SameSite=Strict)
and it is Secure whenever the request came over https.

Ending a session does not rely on the cookie: logout ends the API session, so a copied cookie's tokens
stop working at once. Idle timeout: a signed-in session that sent nothing for ``portal_idle_seconds``
loses its tokens on its next request (which goes to login).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from gateway.config import GatewaySettings

COOKIE = "pgw_portal"
#: A sealed session older than this is not opened at all, whatever it says (the API's own session
#: ends sooner; this bounds how long a copied cookie is worth trying).
MAX_COOKIE_AGE_SECONDS = 24 * 3600


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class PortalSession:
    """What the portal remembers about one browser between requests."""

    csrf: str = field(default_factory=new_token)
    seen: float = field(default_factory=time.time)
    access: str | None = None
    access_expires: float = 0.0
    refresh: str | None = None
    user_id: str | None = None
    challenge: str | None = None  # login step two is pending
    enrolment: str | None = None  # stash id of the authenticator QR to scan
    recovery: str | None = None  # stash id of the recovery codes to show (once, after enrolment)
    next: str | None = None  # where login goes when it is done (a local path)
    idle_expired: bool = False  # not stored: this request found the session idle too long

    @property
    def signed_in(self) -> bool:
        return self.access is not None and self.refresh is not None

    def sign_out(self) -> None:
        """Forget the tokens and any login in progress; a new CSRF token (the old one was the session's)."""
        self.access, self.refresh, self.access_expires = None, None, 0.0
        self.challenge = self.enrolment = self.recovery = None
        self.csrf = new_token()


class SessionSeal:
    """Seals and opens :class:`PortalSession` values (and other small portal secrets) under one key."""

    def __init__(self, settings: GatewaySettings) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"payer-gateway-portal", info=b"session"
        ).derive(settings.jwt_secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self.idle_seconds = settings.portal_idle_seconds
        self.behind_proxy = settings.behind_proxy

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()

    def open(self, sealed: str, max_age: float = MAX_COOKIE_AGE_SECONDS) -> dict[str, Any] | None:
        try:
            value = json.loads(self._fernet.decrypt(sealed.encode(), ttl=int(max_age)))
        except (InvalidToken, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def load(self, request: Request) -> PortalSession:
        """The request's session: a fresh anonymous one when there is no usable cookie."""
        opened = self.open(request.cookies.get(COOKIE, ""))
        try:
            session = PortalSession(**opened) if opened else PortalSession()
        except TypeError:  # sealed by another version of the portal
            session = PortalSession()
        session.idle_expired = False
        if session.signed_in and time.time() - session.seen > self.idle_seconds:
            # Idle too long: the tokens go, the CSRF token and the user id stay for this request so
            # a form posted now can still be checked and kept for after login (see stash.py).
            session.access, session.refresh, session.access_expires = None, None, 0.0
            session.idle_expired = True
        session.seen = time.time()
        return session

    def store(self, request: Request, response: Response, session: PortalSession) -> None:
        """Send the session back (re-sealed: the last-seen time moves on with every request)."""
        stored = asdict(session)
        stored.pop("idle_expired")
        response.set_cookie(
            COOKIE,
            self.seal(stored),
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.is_https(request),
        )

    def is_https(self, request: Request) -> bool:
        if self.behind_proxy:
            forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
            if forwarded:
                return forwarded == "https"
        return request.url.scheme == "https"
