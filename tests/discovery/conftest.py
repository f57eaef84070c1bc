"""A gateway over the four sandbox payers (REST x2, FHIR, X12), as tests/gateway builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.storage.database import Database
from tests.gateway.conftest import Gateway, start_gateway


@pytest.fixture
async def gateway(database: Database, world: Any) -> AsyncIterator[Gateway]:
    settings = GatewaySettings(
        database_url=database.url, anonymous_rate_limit_per_minute=100_000, discovery_per_minute=3
    )
    async for running in start_gateway(database, world, settings=settings):
        yield running
