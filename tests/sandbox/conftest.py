from __future__ import annotations

from datetime import date

import pytest

from payers.sandbox.world import World, build_world

TODAY = date(2025, 11, 27)


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(TODAY)
