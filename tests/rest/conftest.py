from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from starlette.applications import Starlette

from payers.contract import PayerSettings
from payers.rest.adapter import RestPayerAdapter
from payers.sandbox.rest_app import create_rest_app
from payers.sandbox.world import World, build_world

API_KEY = "lakeshore-test-key"


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(date(2025, 11, 27))


@pytest.fixture
def app(world: World) -> Starlette:
    return create_rest_app(world.books["lakeshore"], api_key=API_KEY)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        yield client


@pytest.fixture
def lakeshore_settings() -> PayerSettings:
    return PayerSettings(
        id="lakeshore",
        name="Lakeshore Health Plan",
        adapter="rest",
        base_url="http://lakeshore.test/",
        timeout_seconds=2.0,
        credentials={"api_key": API_KEY},
    )


@pytest.fixture
def adapter(http: httpx.AsyncClient, lakeshore_settings: PayerSettings) -> RestPayerAdapter:
    return RestPayerAdapter(lakeshore_settings, http)
