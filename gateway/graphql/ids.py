"""Ids as callers send them. A malformed id is refused; a well-formed unknown one simply does not resolve."""

from __future__ import annotations

import uuid

from gateway.errors import InvalidInput


def parse_id(value: str, kind: str, field: str = "id") -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidInput(f"{value!r} is not a valid {kind} id.", field=field) from exc
