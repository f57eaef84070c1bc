"""Signed keyset cursors for the history connections.

A cursor holds the last row's sort key (a date, or an instant, and an id), never an offset, so rows
inserted while a caller pages cannot shift what comes next. It is signed (HMAC-SHA256) over the
connection, the caller's practice and the filter's fingerprint: a cursor that was altered, made for
another filter or handed to another practice is refused, not guessed at.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, date, datetime


class CursorInvalid(ValueError):
    """The cursor was not made by this API for this query."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _mac(secret: str, scope: str, payload: bytes) -> bytes:
    key = hashlib.sha256(("history-cursor:" + secret).encode("utf-8")).digest()
    return hmac.new(key, scope.encode("utf-8") + b"\n" + payload, hashlib.sha256).digest()[:16]


def _sealed(secret: str, scope: str, key: str, row_id: str) -> str:
    payload = json.dumps([key, row_id], separators=(",", ":")).encode("utf-8")
    return _b64(payload) + "." + _b64(_mac(secret, scope, payload))


def _opened(secret: str, scope: str, cursor: str) -> tuple[str, str]:
    body, _, signature = cursor.partition(".")
    payload = _unb64(body)
    if not hmac.compare_digest(_unb64(signature), _mac(secret, scope, payload)):
        raise CursorInvalid("signature")
    key, row_id = json.loads(payload)
    return str(key), str(row_id)


def encode_cursor(secret: str, scope: str, sort_date: date, row_id: str) -> str:
    """``scope``: connection, practice and filter fingerprint the cursor is good for."""
    return _sealed(secret, scope, sort_date.isoformat(), row_id)


def decode_cursor(secret: str, scope: str, cursor: str) -> tuple[date, str]:
    """The sort key a cursor holds; :class:`CursorInvalid` unless it is ours, for this scope."""
    try:
        day, row_id = _opened(secret, scope, cursor)
        return date.fromisoformat(day), row_id
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise CursorInvalid("malformed") from exc


def encode_instant_cursor(secret: str, scope: str, sort_at: datetime, row_id: str) -> str:
    """As :func:`encode_cursor`, for connections ordered by an aware instant (kept to the
    microsecond, in UTC, so the next page starts exactly after it)."""
    return _sealed(secret, scope, sort_at.astimezone(UTC).isoformat(), row_id)


def decode_instant_cursor(secret: str, scope: str, cursor: str) -> tuple[datetime, str]:
    try:
        text, row_id = _opened(secret, scope, cursor)
        moment = datetime.fromisoformat(text)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise CursorInvalid("malformed") from exc
    if moment.tzinfo is None:
        raise CursorInvalid("malformed")
    return moment.astimezone(UTC), row_id
