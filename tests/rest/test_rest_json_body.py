"""The REST adapter's JSON codec gives exactly what the stdlib ``json`` gives (payers/rest/json_body.py)."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest

from payers.rest.fields import WireError, decimal
from payers.rest.json_body import answer_json, request_json


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (1 == 1.0 == True would hide a change)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


BODIES = [
    b'{"amount": "0.1", "paid": "0.2", "lineNumber": 1, "ratio": 0.1}',
    b'{"n": 18446744073709551615, "m": -9223372036854775808}',  # the edges of 64 bits
    b'{"n": 12345678901234567890123}',  # past 64 bits: orjson would read a float
    b'{"n": -9223372036854775809}',  # just below int64: orjson would read a float
    b'{"id": "1234567890123456789012"}',  # long digits inside a string
    b"[1e400, -1e400]",  # too large for a float: json reads infinities
    b'{"x": NaN, "y": Infinity, "z": -Infinity}',
    b'{"s": "\\ud800"}',  # a lone surrogate
    b'{"a": 1, "a": 2}',  # the last duplicate wins
    b'{"name": "Jos\xc3\xa9", "e": "\\u00e9"}',
    b'{"f": 1.0, "g": -0.0, "h": 1E2, "i": 5e-324, "j": 0.30000000000000004}',
    '{"utf16": "yes"}'.encode("utf-16"),
    b'  {"spaced" : [ ] }  ',
]


@pytest.mark.parametrize("body", BODIES)
def test_answers_parse_as_the_stdlib_parses_them(body: bytes) -> None:
    assert _same(answer_json(body), json.loads(body))


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1} x', b"\xff\xfe\xfa", b"[01]", b"{'a': 1}"])
def test_bad_answers_raise_value_error_as_the_stdlib_does(body: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(body)
    with pytest.raises(ValueError):
        answer_json(body)


def test_money_read_from_an_answer_stays_an_exact_decimal() -> None:
    data = answer_json(
        b'{"a": "0.1", "b": "0.2", "big": "123456789012345678901234567890.01", "neg": "-0.00"}'
    )
    assert decimal(data, "a") + decimal(data, "b") == Decimal("0.3")
    assert decimal(data, "big") == Decimal("123456789012345678901234567890.01")
    assert str(decimal(data, "neg")) == "-0.00"  # the payer's digits, sign and scale kept
    with pytest.raises(WireError, match="decimal string"):  # a number for money: refused as before
        decimal(answer_json(b'{"a": 0.1}'), "a")


def test_requests_encode_to_the_same_json_value() -> None:
    body = {
        "member": {"memberId": "M1", "firstName": "José", "groupNumber": None},
        "lines": [{"lineNumber": 1, "charge": "150.00", "diagnosisPointers": [1, 2]}],
        "flag": True,
        "big": 2**70,  # past 64 bits: orjson refuses it, the stdlib writes it
    }
    sent = request_json(body)
    assert json.loads(sent) == body
    assert b" " not in sent and "José".encode() in sent  # compact UTF-8, as the exchange keeps it
    with pytest.raises(TypeError):  # a Decimal was never sendable as is (amounts go as strings)
        request_json({"charge": Decimal("1.00")})
