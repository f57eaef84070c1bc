"""A strict JSON reader for request bodies: every way a body can be malformed is a :class:`BodyRefused`.

Python's ``json.loads`` raises many things besides ``JSONDecodeError`` on hostile input: a
``UnicodeDecodeError`` (bytes that are not UTF-8), a ``RecursionError`` (100,000 nested brackets),
a ``ValueError`` (an integer longer than ``sys.get_int_max_str_digits()``), and it accepts what JSON
is not (``NaN``, ``Infinity``, ``1e999`` read as infinity, unpaired surrogates). Each of those becomes
one refusal with a stable code, so no caller can turn a body into a 500.
"""

from __future__ import annotations

import json
import math
from typing import Any

#: Deeper JSON is refused: GraphQL variables need a handful of levels, and everything that walks
#: the value later (variable coercion, cache keys, json.dumps) recurses.
MAX_DEPTH = 32
#: Longer number literals are refused: Int is 32-bit and money travels as a decimal string.
MAX_NUMBER_CHARS = 40

INVALID_ENCODING = "INVALID_ENCODING"
INVALID_JSON = "INVALID_JSON"
JSON_TOO_DEEP = "JSON_TOO_DEEP"
NUMBER_TOO_LARGE = "NUMBER_TOO_LARGE"


class BodyRefused(Exception):
    """A request body the gateway will not read: ``code`` for machines, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def loads(data: bytes | str) -> Any:
    """The JSON value of ``data`` (UTF-8), or :class:`BodyRefused` saying what is wrong with it."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyRefused(
                INVALID_ENCODING, f"The request body is not valid UTF-8 (at byte {exc.start})."
            ) from None
    try:
        value = json.loads(
            data, parse_int=_integer, parse_float=_fraction, parse_constant=_not_json
        )
    except RecursionError:
        raise BodyRefused(JSON_TOO_DEEP, _too_deep()) from None
    except json.JSONDecodeError as exc:
        raise BodyRefused(
            INVALID_JSON,
            f"The request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
        ) from None
    _check_shape(value)
    return value


def _integer(literal: str) -> int:
    _check_length(literal)
    return int(literal)


def _fraction(literal: str) -> float:
    _check_length(literal)
    number = float(literal)
    if not math.isfinite(number):
        raise BodyRefused(NUMBER_TOO_LARGE, f"The number {literal} is too large.")
    return number


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_CHARS:
        raise BodyRefused(
            NUMBER_TOO_LARGE,
            f"A number in the request body has {len(literal)} characters; "
            f"at most {MAX_NUMBER_CHARS} are accepted.",
        )


def _not_json(literal: str) -> Any:
    raise BodyRefused(
        INVALID_JSON, f"The request body is not valid JSON: {literal} is not a number."
    )


def _too_deep() -> str:
    return f"The request body nests arrays or objects more than {MAX_DEPTH} levels deep."


def _check_shape(value: Any) -> None:
    """Refuse values nested deeper than MAX_DEPTH, or text no UTF-8 encoder can write back."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise BodyRefused(JSON_TOO_DEEP, _too_deep())
            if isinstance(item, dict):
                for key, member in item.items():
                    _check_text(key)
                    pending.append((member, depth + 1))
            else:
                pending.extend((member, depth + 1) for member in item)


def _check_text(text: str) -> None:
    # "\ud800" escapes decode to lone surrogates, which the database drivers and logs cannot encode.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BodyRefused(
                INVALID_ENCODING, "The request body contains an unpaired UTF-16 surrogate escape."
            ) from None
