"""A service line's code is described from the list its qualifier names, never as HCPCS by default."""

from __future__ import annotations

import pytest

from payers.codesets.service_codes import service_code


@pytest.mark.parametrize(
    ("qualifier", "code", "system", "description"),
    [
        ("HC", "99213", "procedure", "Established patient office visit"),
        ("NU", "0450", "revenue-code", "Emergency room (general)"),
        ("NU", "450", "revenue-code", "Emergency room (general)"),  # 3-digit 4010 habit, code kept
        ("NU", "0999", "revenue-code", "revenue code 0999"),
        ("AD", "D0120", "cdt", "ADA dental procedure code D0120"),
        ("N4", "00071015523", "ndc", "National Drug Code 00071015523"),
        ("ZZ", "X1", "mutually-defined", "mutually defined code X1"),
        ("hc", "99213", "procedure", "Established patient office visit"),
    ],
)
def test_the_qualifier_names_the_list(qualifier, code, system, description) -> None:
    found = service_code(qualifier, code)
    assert (found.system, found.code) == (system, code)
    assert found.description.startswith(description)


def test_an_unknown_qualifier_keeps_the_code_and_says_so() -> None:
    found = service_code("Q9", "12345")
    assert (found.system, found.code) == ("service-code", "12345")
    assert "Q9" in found.description and "not a known qualifier" in found.description
