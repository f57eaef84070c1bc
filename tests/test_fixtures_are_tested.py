"""Every public sample file in tests/fixtures/x12 and tests/fixtures/fhir is named by a test module.

A fixture nobody names is a file nobody checks: its values could be misread and no test would
say so. Naming means the file name appears in a test module's text (this one excepted); a test
that reads a whole folder does not count, since it rarely checks named values of each file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FOLDERS = ("x12", "fhir")


def _fixtures() -> list[Path]:
    return sorted(
        p
        for folder in FOLDERS
        for p in (TESTS / "fixtures" / folder).iterdir()
        if p.is_file() and p.suffix != ".md" and not p.name.startswith("LICENSE")
    )


def _test_sources() -> str:
    this = Path(__file__).resolve()
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in TESTS.rglob("*.py")
        if p.resolve() != this and "fixtures" not in p.parts
    )


SOURCES = _test_sources()


def test_the_fixture_folders_hold_files():
    names = [p.name for p in _fixtures()]
    assert sum(n.endswith(".json") for n in names) >= 20
    assert sum(not n.endswith(".json") for n in names) >= 40


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_is_named_by_a_test_module(fixture: Path):
    assert fixture.name in SOURCES, f"no test module names {fixture.parent.name}/{fixture.name}"
