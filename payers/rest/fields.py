"""Typed readers for payer JSON fields; each names the field it found wrong in a WireError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from payers.codesets import lookup
from payers.model import Code


class WireError(ValueError):
    """The payer's JSON does not have the documented shape."""


# --- field readers -----------------------------------------------------------------------------


# Each reader below starts with ``data.get(name) if type(data) is dict else get(data, name)``: a
# payer answer parsed from JSON is made of plain dicts, and reading ~20 fields per benefit or claim
# line through one more call each was a measurable share of a payer call's CPU. ``get`` still decides
# (and words the refusal) for anything else.


def get(data: Any, name: str) -> Any:
    if type(data) is dict:  # what json.loads makes: skip the slower abstract Mapping check
        return data.get(name)
    if not isinstance(data, Mapping):
        raise WireError(f"expected an object holding {name!r}, got {type(data).__name__}")
    return data.get(name)


def text(data: Any, name: str) -> str:
    value = data.get(name) if type(data) is dict else get(data, name)
    if not isinstance(value, str):
        raise WireError(f"{name!r} must be a string")
    return value


def opt_text(data: Any, name: str) -> str | None:
    value = data.get(name) if type(data) is dict else get(data, name)
    if value is not None and not isinstance(value, str):
        raise WireError(f"{name!r} must be a string or null")
    return value


def items(data: Any, name: str) -> Sequence[Any]:
    value = data.get(name) if type(data) is dict else get(data, name)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise WireError(f"{name!r} must be a list")
    return value


def strings(data: Any, name: str) -> tuple[str, ...]:
    values = items(data, name)
    if not values:  # the usual case (no messages, no modifiers): no generator to set up
        return ()
    if not all(isinstance(v, str) for v in values):
        raise WireError(f"{name!r} must be a list of strings")
    return tuple(values)


def opt_decimal(data: Any, name: str) -> Decimal | None:
    value = data.get(name) if type(data) is dict else get(data, name)
    if value is None:
        return None
    if not isinstance(value, str):  # money travels as a string; a float here would lose cents
        raise WireError(f"{name!r} must be a decimal string")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise WireError(f"{name!r} is not a decimal: {value!r}") from exc


def decimal(data: Any, name: str) -> Decimal:
    value = opt_decimal(data, name)
    if value is None:
        raise WireError(f"{name!r} is required")
    return value


def opt_day(data: Any, name: str) -> date | None:
    value = data.get(name) if type(data) is dict else get(data, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name!r} must be a string or null")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise WireError(f"{name!r} is not an ISO date: {value!r}") from exc


def day(data: Any, name: str) -> date:
    value = opt_day(data, name)
    if value is None:
        raise WireError(f"{name!r} is required")
    return value


def opt_code(data: Any, name: str, system: str) -> Code | None:
    value = data.get(name) if type(data) is dict else get(data, name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name!r} must be a string or null")
    return lookup(system, value)


def enum_value(table: Mapping[str, Any], value: str | None, name: str, default: Any = None) -> Any:
    if value is None:
        return default
    if value not in table:
        if default is not None:
            return default
        raise WireError(f"{name!r} has an unknown value {value!r}")
    return table[value]


def codes(data: Any, name: str, system: str) -> tuple[Code, ...]:
    """A list of code strings, each looked up in ``system``."""
    values = strings(data, name)
    return _looked_up(system, values) if values else ()


@lru_cache(maxsize=4096)
def _looked_up(system: str, values: tuple[str, ...]) -> tuple[Code, ...]:
    # Bounded memo: answers repeat the same few lists (service types, remark codes) call after call.
    return tuple(lookup(system, value) for value in values)
