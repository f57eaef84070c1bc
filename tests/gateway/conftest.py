"""A gateway over the sandbox payers, in process: every HTTP hop goes through httpx.ASGITransport."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.graphql.context import GatewayServices
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.database import Database
from payers.contract import PayerSettings
from payers.registry import parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes

OTHER_PRACTICE = ("Harbor Pediatrics", "1245319599", "987654321")


@dataclass
class Gateway:
    client: httpx.AsyncClient
    services: GatewayServices
    key: str
    practice_id: str
    patient_ids: dict[str, str]
    sandbox_apps: dict[str, Any]
    other_key: str = ""
    other_patient_id: str = ""
    other_practice_id: str = ""
    _sandbox_clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        response = await self.post(query, variables, key=key)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    def sandbox(self, payer_id: str) -> httpx.AsyncClient:
        """A client for a sandbox's control endpoints (faults, stats)."""
        if payer_id not in self._sandbox_clients:
            transport = httpx.ASGITransport(app=self.sandbox_apps[payer_id])
            self._sandbox_clients[payer_id] = httpx.AsyncClient(
                transport=transport, base_url=f"http://{payer_id}.sandbox"
            )
        return self._sandbox_clients[payer_id]

    async def faults(self, payer_id: str, **settings: Any) -> None:
        response = await self.sandbox(payer_id).put("/_control/faults", json=settings)
        assert response.status_code == 200, response.text


async def start_gateway(
    database: Database,
    world: Any,
    *,
    timeout_seconds: float = 2.0,
    settings: GatewaySettings | None = None,
    wrap_transport: Callable[[str, httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]
    | None = None,
    payer_options: dict[str, dict[str, Any]] | None = None,
) -> AsyncIterator[Gateway]:
    """``wrap_transport(payer_id, transport)`` may stand between the gateway and a sandbox payer;
    ``payer_options`` adds adapter options to a payer's configuration."""
    plan = plan_sandboxes(world)
    os.environ.update(plan.environ)
    payer_settings: list[PayerSettings] = parse_payers_config(
        payers_toml(world, {key: f"http://{key}.sandbox" for key in plan.apps}, timeout_seconds)
    )
    payer_settings = [
        replace(s, options={**s.options, **(payer_options or {}).get(s.id, {})})
        for s in payer_settings
    ]
    # Many logins come from one test client address: the anonymous limit is tested on its own.
    settings = settings or GatewaySettings(
        database_url=database.url, anonymous_rate_limit_per_minute=100_000
    )

    def transport_for(s: PayerSettings) -> httpx.AsyncBaseTransport:
        transport = httpx.ASGITransport(app=plan.apps[s.id])
        return wrap_transport(s.id, transport) if wrap_transport else transport

    services = build_services(settings, payer_settings, transport_for=transport_for)
    practice_id = await create_practice(database, *demo_practice(world))
    patient_ids = await seed_practice_patients(database, practice_id, world, set(plan.apps))
    key = await create_api_key(database, practice_id, "tests")
    other_practice = await create_practice(database, *OTHER_PRACTICE)
    other_key = await create_api_key(database, other_practice, "other")
    other_ids = await seed_practice_patients(database, other_practice, world, set(plan.apps))
    app = create_app(services)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
    )
    gateway = Gateway(
        client=client,
        services=services,
        key=key,
        practice_id=practice_id,
        patient_ids=patient_ids,
        sandbox_apps=plan.apps,
        other_key=other_key,
        other_patient_id=next(iter(other_ids.values())),
        other_practice_id=other_practice,
    )
    try:
        yield gateway
    finally:
        await client.aclose()
        for sandbox_client in gateway._sandbox_clients.values():
            await sandbox_client.aclose()
        await services.payers.aclose()
        await services.database.dispose()


@pytest.fixture
async def gateway(database: Database, world: Any) -> AsyncIterator[Gateway]:
    async for running in start_gateway(database, world):
        yield running


@pytest.fixture
async def people(gateway: Gateway) -> Any:
    """A signed-in user of every role in the gateway's practice, an admin of the other, an operator."""
    from tests.gateway.people import staff

    return await staff(gateway)
