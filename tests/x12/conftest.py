"""Shared helpers for the X12 tests: corpus files are read byte for byte (CRLF and all)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"


@pytest.fixture
def corpus() -> Callable[[str], str]:
    """Reader of a corpus file's exact text (no newline translation)."""

    def read(name: str) -> str:
        return (FIXTURES / name).read_bytes().decode("ascii")

    return read


@pytest.fixture
def payer_id() -> str:
    return "acme-x12"
