"""``payer-gateway demo``: sandbox payers, a demo practice with patients, and the gateway, in one process.

The sandboxes listen on loopback ports of their own and the gateway reaches them over real HTTP, exactly
as it would reach real payers.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from gateway.config import GatewaySettings
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.migrate import upgrade
from payers.registry import parse_payers_config
from payers.sandbox.fleet import serving
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import World, build_world

#: The world's family practice bills the sandbox payers' claims, so the demo practice is that practice.
DEMO_PROVIDER_KEY = "mfm"


def demo_practice(world: World) -> tuple[str, str, str]:
    """Name, NPI and tax id of the practice the demo acts for."""
    provider = world.providers[DEMO_PROVIDER_KEY]
    return provider.name, provider.npi, (provider.tax_id or "").replace("-", "")

EXAMPLE_QUERY = """query Summary($id: ID!) {
  patient(id: $id) {
    firstName lastName
    coverages { payer { name protocol } memberId priority }
    eligibility(serviceTypes: ["30", "98"]) {
      payer { name } active plan { name groupNumber }
      benefits { kind network coverageLevel serviceTypes { code description } amount percent remaining }
    }
    claims(status: OPEN) { payer { name } claims { controlNumber totalCharge status { state category { code description } } } }
    payments { payer { name } payments { traceNumber amount paymentDate claims { paid adjustments { group { code } reason { code description } amount explanation } } } }
  }
}"""


def _showcase_person(world: World) -> str:
    """The person covered by the most payers: the one whose summary shows the fan-out best."""
    return max(world.people, key=lambda key: (len(world.coverages_of(key)), key))


async def prepare(database_path: str, world: World, base_urls: dict[str, str]) -> tuple[GatewaySettings, str, str]:
    """Fresh SQLite database, migrated and seeded; returns settings, the demo API key and a patient id."""
    Path(database_path).unlink(missing_ok=True)
    settings = GatewaySettings(database_url=f"sqlite:///{Path(database_path).resolve()}")
    services = build_services(settings, parse_payers_config(payers_toml(world, base_urls)))
    try:
        await upgrade(services.database)
        practice_id = await create_practice(services.database, *demo_practice(world))
        patients = await seed_practice_patients(services.database, practice_id, world, set(base_urls))
        key = await create_api_key(services.database, practice_id, "demo")
    finally:
        await services.payers.aclose()
        await services.database.dispose()
    return settings, key, patients[_showcase_person(world)]


async def run_demo(host: str, port: int, database_path: str) -> None:
    world = build_world(datetime.now(UTC).date())
    plan = plan_sandboxes(world)
    os.environ.update(plan.environ)
    async with serving(plan.apps) as running:
        base_urls = {key: r.base_url for key, r in running.items()}
        settings, key, patient_id = await prepare(database_path, world, base_urls)
        services = build_services(settings, parse_payers_config(payers_toml(world, base_urls)))
        server = uvicorn.Server(
            uvicorn.Config(create_app(services), host=host, port=port, log_config=None, access_log=False)
        )
        serve = asyncio.create_task(server.serve())
        while not server.started and not serve.done():
            await asyncio.sleep(0.05)
        if serve.done():
            serve.result()
            return
        _print_banner(host, port, key, patient_id, base_urls)
        await serve


def _print_banner(host: str, port: int, key: str, patient_id: str, base_urls: dict[str, str]) -> None:
    url = f"http://{host}:{port}/graphql"
    payers = "\n".join(f"  {k:<10} {v}" for k, v in base_urls.items())
    print(
        f"""
Payer Gateway demo is running.

GraphiQL:  {url}
API key:   {key}
           (GraphiQL: open "Headers" and paste {{"Authorization": "Bearer {key}"}})

Sandbox payers on loopback:
{payers}

Example (works as printed):
  curl -s {url} -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\
    -d '{{"query": "{{ payers {{ id name protocol capabilities }} patients(first: 5) {{ edges {{ node {{ id firstName lastName }} }} }} }}"}}'

Patient summary query (variables: {{"id": "{patient_id}"}}):
{EXAMPLE_QUERY}

Press Ctrl+C to stop.""",
        flush=True,
    )
