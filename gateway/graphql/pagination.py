"""Opaque keyset cursors: stable under inserts, and they reveal nothing a caller could not see."""

from __future__ import annotations

import base64
import binascii
import json

from gateway.errors import InvalidInput


def encode_cursor(*key: str) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidInput(
            "The cursor is not valid; use a cursor returned by this API.", field="after"
        ) from exc
    if not isinstance(key, list) or len(key) != size or not all(isinstance(p, str) for p in key):
        raise InvalidInput(
            "The cursor is not valid; use a cursor returned by this API.", field="after"
        )
    return key
