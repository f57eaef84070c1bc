"""The identity secrets in GatewaySettings: required to serve, generated for throwaway processes."""

from __future__ import annotations

import dataclasses
import logging
import secrets

from gateway.config import GatewaySettings
from gateway.storage.sealed import DATA_KEYS_ENV, allow_ephemeral_key, data_key_problem

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32
_SECRETS = {
    "jwt_secret": "PAYER_GATEWAY_JWT_SECRET",
    "pseudonym_secret": "PAYER_GATEWAY_PSEUDONYM_SECRET",
}


def missing_secrets(settings: GatewaySettings) -> list[str]:
    """Environment variables to set before serving or running a worker: the identity secrets
    (absent or shorter than 32 characters) and the data keys that seal stored secrets."""
    missing = [
        env for name, env in _SECRETS.items() if len(getattr(settings, name)) < MIN_SECRET_LENGTH
    ]
    if data_key_problem() is not None:
        missing.append(DATA_KEYS_ENV)
    return missing


def with_ephemeral_secrets(settings: GatewaySettings) -> GatewaySettings:
    """Fill absent secrets with random ones: fine for tests and the demo, fatal for a real deployment
    (sessions die with the process and pseudonyms change), which is why ``serve`` refuses instead."""
    fill = {name: secrets.token_urlsafe(48) for name in _SECRETS if not getattr(settings, name)}
    allow_ephemeral_key()  # used only while PAYER_GATEWAY_DATA_KEYS is unset
    if fill:
        log.warning(
            "identity secrets generated for this process only", extra={"settings": sorted(fill)}
        )
    return dataclasses.replace(settings, **fill)  # type: ignore[arg-type]
