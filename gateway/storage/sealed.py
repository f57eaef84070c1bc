"""Secrets the gateway must read back (TOTP seeds, webhook signing keys), sealed at rest.

Unlike passwords and tokens, these cannot be stored as digests: login computes codes from the TOTP
seed and deliveries are signed with the webhook key. They are sealed with Fernet (AES-128-CBC and
HMAC-SHA256, from ``cryptography``) under keys from ``PAYER_GATEWAY_DATA_KEYS``: a comma-separated
list of Fernet keys, the first seals and every one opens, so a key is rotated by putting the new one
first and running ``payer-gateway migrate`` (which re-seals every value under it). A copy of the
database alone then yields no one's second factor and no signing key.

Without the variable, ``serve`` and ``worker`` refuse to start; tests and the demo call
:func:`allow_ephemeral_key`, which seals under a key that dies with the process.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

DATA_KEYS_ENV = "PAYER_GATEWAY_DATA_KEYS"
SEALED_PREFIX = "f1:"  # the scheme, so a later one can be told apart and unsealed values refused
SEALED_LENGTH = 512  # a 100-character webhook key seals to about 230 characters

_NO_KEY_OPENS = (
    f"a sealed secret opens with none of the keys in {DATA_KEYS_ENV} (a key was dropped?)"
)
_ephemeral: list[str] = []  # at most one key, made on first need once allowed


class DataKeyError(RuntimeError):
    """No usable data key, or a sealed value no configured key opens (the message says which)."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def data_key_problem(raw: str | None = None) -> str | None:
    """Why ``PAYER_GATEWAY_DATA_KEYS`` (or ``raw``) cannot seal, or None when it can."""
    raw = os.environ.get(DATA_KEYS_ENV, "") if raw is None else raw
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        return f"{DATA_KEYS_ENV} is not set"
    try:
        _ring(tuple(keys))
    except ValueError:
        return f"{DATA_KEYS_ENV} must hold Fernet keys (32 url-safe base64-encoded bytes each)"
    return None


def allow_ephemeral_key() -> None:
    """Tests and the demo: without configured keys, seal under a key that lives as long as the process."""
    if not _ephemeral:
        _ephemeral.append(generate_key())


def keyring(first_only: bool = False) -> MultiFernet:
    """The configured keys (``first_only``: the sealing key alone, to tell what needs re-sealing)."""
    raw = os.environ.get(DATA_KEYS_ENV, "")
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    if not keys and _ephemeral:
        keys = tuple(_ephemeral)
    if not keys:
        raise DataKeyError(f"{DATA_KEYS_ENV} is not set: secrets cannot be sealed or opened")
    try:
        return _ring(keys[:1] if first_only else keys)
    except ValueError as exc:
        raise DataKeyError(data_key_problem(raw) or str(exc)) from None


@functools.lru_cache(maxsize=8)
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def seal(value: str) -> str:
    return SEALED_PREFIX + keyring().encrypt(value.encode()).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def unseal(stored: str) -> str:
    if not is_sealed(stored):
        raise DataKeyError("a secret is stored unsealed: run `payer-gateway migrate`")
    try:
        return keyring().decrypt(stored[len(SEALED_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DataKeyError(_NO_KEY_OPENS) from None


def reseal(stored: str) -> str:
    """``stored`` sealed under the first key (plain values from before sealing are sealed; values
    already sealed under it come back unchanged)."""
    if not is_sealed(stored):
        return seal(stored)
    token = stored[len(SEALED_PREFIX) :].encode()
    with contextlib.suppress(InvalidToken):
        keyring(first_only=True).decrypt(token)
        return stored  # already under the first key: left as it is, so migrate rewrites nothing
    try:
        return SEALED_PREFIX + keyring().rotate(token).decode()
    except InvalidToken:
        raise DataKeyError(_NO_KEY_OPENS) from None


class SealedString(TypeDecorator[str]):
    """A string column whose values are sealed on the way in and opened on the way out."""

    impl = String(SEALED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else seal(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else unseal(str(value))
