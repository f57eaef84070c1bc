"""Worklist fixtures: a gateway over the sandbox payers with the demo practice's patients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.storage.database import Database
from tests.gateway.conftest import Gateway, start_gateway


@pytest.fixture
async def gateway(database: Database, world: Any) -> AsyncIterator[Gateway]:
    async for running in start_gateway(database, world):
        yield running


@pytest.fixture
async def people(gateway: Gateway) -> Any:
    """A signed-in user of every role in the gateway's practice."""
    from tests.gateway.people import staff

    return await staff(gateway)
