"""The REST payer API's JSON, encoded and parsed with orjson where that gives what ``json`` gives.

orjson is several times cheaper than the stdlib per call, but it differs on a few inputs; for those
the stdlib decides, so a payer's answer means exactly what it meant before:

- an integer beyond 64 bits: orjson reads it as a float (losing digits), ``json`` as an exact int.
  Any run of 19 or more digits (a 64-bit integer's length), in a string or not, sends the body to
  ``json``; shorter runs are integers both read alike.
- ``NaN``/``Infinity``, numbers too large for a float, lone surrogates, UTF-16/32 bodies: orjson
  refuses them, ``json`` accepts them (or refuses them with its own message).

Money never rides on this: the REST API sends amounts as decimal strings (payers/rest/fields.py
refuses a number there), read with ``Decimal`` after parsing.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

#: Every ASCII digit to "0", every other byte to " ": a run of 19 digits (possibly an integer orjson
#: cannot hold exactly) is then a plain substring search; a regex costs ten times more on digit-rich
#: answers (it restarts at every digit).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19


def answer_json(body: bytes) -> Any:
    """``json.loads(body)``, computed by orjson when it gives the same value.

    Raises ``ValueError`` (``JSONDecodeError`` or ``UnicodeDecodeError``) as ``json.loads`` does."""
    if _LONG_RUN not in body.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # perhaps JSON that only the stdlib reads (NaN, 1e400, UTF-16): it decides
    return json.loads(body)


def request_json(body: Any) -> bytes:
    """``body`` as compact UTF-8 JSON; the stdlib encodes what orjson refuses (an int past 64 bits)."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
