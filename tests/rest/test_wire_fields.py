"""REST answer readers that take shortcuts for speed read exactly what the slower way read."""

from __future__ import annotations

import pytest

from payers.model import CoverageLevel
from payers.rest import wire
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
