"""OAuth2 client-credentials tokens for a FHIR payer: fetched once, shared, refreshed before expiry.

``settings.options["token_url"]`` names the token endpoint; ``settings.credentials`` holds
``client_id`` and ``client_secret`` (the gateway resolved them from environment variables), and
``options["scope"]`` an optional scope. The client authenticates with HTTP Basic
(``client_secret_basic``), or in the form body when ``options["token_auth"] == "post"``.

A token is reused until ``expires_in`` minus :data:`EXPIRY_MARGIN_SECONDS` (tokens without
``expires_in`` live :data:`DEFAULT_LIFETIME_SECONDS`). Concurrent callers wait on one lock, so an
expired token is fetched once, not once per request. :meth:`TokenSource.invalidate` drops a token
the payer answered 401 to, only if it is still the current one, so a burst of 401s costs one fetch.
Secrets never appear in errors.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from payers.contract import (
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
    payer_deadline,
)

EXPIRY_MARGIN_SECONDS = 30.0
DEFAULT_LIFETIME_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    expires_at: float


class TokenSource:
    """Access tokens for one configured payer (one instance per adapter instance)."""

    def __init__(
        self,
        settings: PayerSettings,
        client: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._client = client
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    @property
    def enabled(self) -> bool:
        return bool(self._settings.options.get("token_url"))

    async def token(self) -> str:
        """A valid access token, fetching a new one only when none is valid."""
        current = self._token
        if current is not None and current.expires_at > self._clock():
            return current.value
        async with self._lock:
            current = self._token
            if current is None or current.expires_at <= self._clock():
                current = self._token = await self._fetch()
            return current.value

    def invalidate(self, value: str) -> None:
        """Forget ``value`` (the payer refused it) unless a newer token already replaced it."""
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _fetch(self) -> AccessToken:
        settings = self._settings
        payer = settings.id
        client_id = settings.credentials.get("client_id", "")
        secret = settings.credentials.get("client_secret", "")
        form = {"grant_type": "client_credentials"}
        if settings.options.get("scope"):
            form["scope"] = str(settings.options["scope"])
        auth: httpx.BasicAuth | None = httpx.BasicAuth(client_id, secret)
        if settings.options.get("token_auth") == "post":
            form.update(client_id=client_id, client_secret=secret)
            auth = None
        self.fetch_count += 1
        try:
            # ASGI transports ignore httpx's timeouts; under the gateway's deadline: no timer here.
            async with payer_deadline(settings.timeout_seconds):
                response = await self._client.post(
                    str(settings.options["token_url"]),
                    data=form,
                    auth=auth or httpx.USE_CLIENT_DEFAULT,
                    headers={"Accept": "application/json"},
                    timeout=settings.timeout_seconds,
                )
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise PayerTimeout(payer, "token endpoint did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise PayerUnavailable(
                payer, f"token endpoint unreachable: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise PayerUnavailable(payer, f"token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise PayerProtocolError(payer, "token endpoint answered a non-JSON body") from exc
        if response.status_code >= 400:
            error = body.get("error", "unknown") if isinstance(body, dict) else "unknown"
            raise PayerRejected(
                payer, f"token request refused (HTTP {response.status_code}, error={error})"
            )
        value = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise PayerProtocolError(payer, "token endpoint answered without an access_token")
        try:
            lifetime = float(body.get("expires_in", DEFAULT_LIFETIME_SECONDS))
        except (TypeError, ValueError):
            lifetime = DEFAULT_LIFETIME_SECONDS
        margin = min(EXPIRY_MARGIN_SECONDS, lifetime / 10)
        return AccessToken(value, self._clock() + lifetime - margin)
