"""REST answer readers that take shortcuts for speed read exactly what the slower way read."""

from __future__ import annotations

from collections import UserDict
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from payers.codesets import lookup
from payers.model import CoverageLevel
from payers.rest import fields, wire
from payers.rest.fields import WireError, strings

BENEFIT = {"type": "DEDUCTIBLE", "code": "C", "serviceTypes": ["30"], "amount": "1500.00"}


@pytest.mark.parametrize("level", list(CoverageLevel))
def test_every_coverage_level_is_read_in_any_case(level: CoverageLevel) -> None:
    for spelled in (level.value.upper(), level.value):
        assert wire.benefit({**BENEFIT, "level": spelled}).coverage_level is level


def test_no_level_and_unknown_levels() -> None:
    assert wire.benefit(BENEFIT).coverage_level is None
    assert wire.benefit({**BENEFIT, "level": ""}).coverage_level is None
    with pytest.raises(WireError, match="'level' has an unknown value 'COUPLE'"):
        wire.benefit({**BENEFIT, "level": "COUPLE"})


def test_string_lists() -> None:
    assert strings({"m": []}, "m") == () == strings({}, "m") == strings({"m": None}, "m")
    assert strings({"m": ["a", "b"]}, "m") == ("a", "b")
    for bad in (["a", 1], [None]):
        with pytest.raises(WireError, match="'m' must be a list of strings"):
            strings({"m": bad}, "m")
    with pytest.raises(WireError, match="'m' must be a list"):
        strings({"m": "a"}, "m")


# Each reader reads a plain dict itself and leaves every other object to ``get``: both ways must
# agree on what they accept and on how they word a refusal.
READERS = {
    "text": fields.text,
    "opt_text": fields.opt_text,
    "items": fields.items,
    "strings": fields.strings,
    "opt_decimal": fields.opt_decimal,
    "decimal": fields.decimal,
    "opt_day": fields.opt_day,
    "day": fields.day,
    "opt_code": lambda data, name: fields.opt_code(data, name, "time-period"),
    "codes": lambda data, name: fields.codes(data, name, "service-type"),
}
VALUES = [None, "", "x", "23", "1500.00", "-0.00", "1e3", "2026-02-30", "2026-12-06", 1, 1.5, True,
          [], ["30"], ["30", 1], {}]  # fmt: skip


def outcome(read: Any, data: Any) -> tuple[str, Any]:
    try:
        return "value", read(data, "f")
    except WireError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_plain_dicts_and_other_mappings_read_alike(reader: str, value: Any) -> None:
    read = READERS[reader]
    plain = outcome(read, {"f": value})
    assert plain == outcome(read, MappingProxyType({"f": value}))
    assert plain == outcome(read, UserDict({"f": value}))
    if plain[0] == "value" and isinstance(plain[1], Decimal):
        assert plain[1] == Decimal(value)  # exact: the payer's digits, not a float's


@pytest.mark.parametrize("reader", READERS)
def test_non_objects_are_refused_naming_the_field(reader: str) -> None:
    for data in (None, "text", ["f"], 3):
        assert outcome(READERS[reader], data) == (
            "refused",
            f"expected an object holding 'f', got {type(data).__name__}",
        )


def test_code_lists_are_looked_up_in_order_and_refused_whole() -> None:
    found = fields.codes({"st": ["30", "98", "30"]}, "st", "service-type")
    assert [c.code for c in found] == ["30", "98", "30"]
    assert found == tuple(lookup("service-type", code) for code in ("30", "98", "30"))
    assert fields.codes({"st": ["ZZ9"]}, "st", "service-type")[0].description.endswith(
        "(not in the gateway's table)"
    )
    with pytest.raises(WireError, match="'st' must be a list of strings"):
        fields.codes({"st": ["30", 98]}, "st", "service-type")
