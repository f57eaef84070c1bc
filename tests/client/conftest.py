"""A gateway with the demo's months of history, served by uvicorn on a loopback port in a thread.

The client under test is synchronous, as in a notebook, and reaches the gateway over real HTTP. The
history is made the real way (gateway/demo_history.py: desk, outbox, sandbox payers, puller), once
per module: it takes tens of seconds.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.demo_history import HistorySeeded, clock_start, seed_history
from gateway.http.app import build_services, create_app
from gateway.identity import CLAIMS_READ, ELIGIBILITY_READ, PAYMENTS_READ, create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from payers.registry import parse_payers_config
from payers.sandbox.clock import ClockSettings
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import build_world
from tests.history.eligibility_rows import cards, store_check

pytest.importorskip("payer_gateway_client", reason="pip install -e './client[pandas,polars]'")


def history_in_schema() -> bool:
    """The history connections (issue 13's History part, gateway/history) are in the schema
    (schema.graphql is kept equal to the printed schema by tests/test_schema_sync.py)."""
    printed = Path(__file__).resolve().parents[2] / "schema.graphql"
    return "claimHistory(" in printed.read_text(encoding="utf-8")


#: Per key, so a test that runs one key into its limit holds up no other.
RATE_PER_MINUTE, RATE_BURST = 120, 30
RUN_IN_GATEWAY = "PAYER_GATEWAY_CLAIMS_RUN_IN_GATEWAY"


@dataclass
class HistoryGateway:
    url: str
    database_url: str
    practice_id: str
    analyst_key: str  # claims:read + payments:read, no phi:read: what an analyst's notebook holds
    claims_only_key: str  # claims:read without payments:read
    spare_key: str  # for running into the rate limit
    eligibility_key: str  # eligibility:read only
    seeded: HistorySeeded
    _stop: Any = field(default=None, repr=False)

    def ledger(self, statement: Any) -> Any:
        """Run one read on the gateway's database (a fresh engine in a fresh loop)."""

        async def read() -> Any:
            database = Database(self.database_url)
            try:
                async with database.session() as session:
                    return (await session.execute(statement)).all()
            finally:
                await database.dispose()

        return asyncio.run(read())


#: Eligibility checks stored for the practice: (state, active, error code), one card each.
ELIGIBILITY_CHECKS = (
    ("succeeded", True, None),
    ("succeeded", True, None),
    ("succeeded", False, None),
    ("failed", False, "MEMBER_NOT_FOUND"),
)


async def _eligibility_checks(database: Database, practice_id: str) -> None:
    """Checks as a batch run stores them (tests/history/eligibility_rows.py), an hour apart."""
    now = datetime.now(UTC)
    for n, (card, (state, active, code)) in enumerate(
        zip(await cards(database, practice_id), ELIGIBILITY_CHECKS, strict=False)
    ):
        await store_check(
            database, card, now - timedelta(hours=n), state=state, active=active, error_code=code
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _prepare(database_url: str) -> tuple[Any, Any, dict[str, str], HistorySeeded]:
    today = datetime.now(UTC).date()
    world = build_world(today)
    plan = plan_sandboxes(world, clock=replace(ClockSettings.demo(), start_on=clock_start(today)))
    os.environ.update(plan.environ)
    payer_settings = parse_payers_config(
        payers_toml(world, {key: f"http://{key}.sandbox" for key in plan.apps}, 10.0)
    )
    settings = GatewaySettings(
        database_url=database_url,
        rate_limit_per_minute=RATE_PER_MINUTE,
        rate_limit_burst=RATE_BURST,
    )
    # No background claim loops: what the tests compare with the ledger must hold still.
    previous = os.environ.get(RUN_IN_GATEWAY)
    os.environ[RUN_IN_GATEWAY] = "false"
    try:
        services = build_services(
            settings,
            payer_settings,
            transport_for=lambda s: httpx.ASGITransport(app=plan.apps[s.id]),
        )
    finally:
        if previous is None:
            os.environ.pop(RUN_IN_GATEWAY, None)
        else:
            os.environ[RUN_IN_GATEWAY] = previous
    database = services.database
    await upgrade(database)
    practice_id = await create_practice(database, *demo_practice(world))
    await seed_practice_patients(database, practice_id, world, set(plan.apps))
    clients = {
        key: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{key}.sandbox"
        )
        for key, app in plan.apps.items()
    }
    try:
        assert services.claims is not None
        seeded = await seed_history(
            database, services.payers, services.claims, world, practice_id, clients
        )
    finally:
        for client in clients.values():
            await client.aclose()
    analyst = frozenset({CLAIMS_READ, PAYMENTS_READ})
    await _eligibility_checks(database, practice_id)
    keys = {
        "practice_id": practice_id,
        "analyst": await create_api_key(database, practice_id, "notebook", analyst),
        "claims_only": await create_api_key(
            database, practice_id, "claims", frozenset({CLAIMS_READ})
        ),
        "spare": await create_api_key(database, practice_id, "spare", analyst),
        "eligibility": await create_api_key(
            database, practice_id, "eligibility", frozenset({ELIGIBILITY_READ})
        ),
    }
    return services, create_app(services), keys, seeded


@pytest.fixture(scope="module")
def history_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryGateway]:
    database_url = f"sqlite:///{Path(tmp_path_factory.mktemp('history')) / 'gateway.db'}"
    port = _free_port()
    ready: dict[str, Any] = {}
    started = threading.Event()

    def run() -> None:
        async def main() -> None:
            try:
                _services, app, keys, seeded = await _prepare(database_url)
                config = uvicorn.Config(
                    app,
                    host="127.0.0.1",
                    port=port,
                    log_config=None,
                    access_log=False,
                    lifespan="on",
                )
                server = uvicorn.Server(config)
                ready.update(server=server, keys=keys, seeded=seeded)
                serve = asyncio.create_task(server.serve())
                while not server.started and not serve.done():
                    await asyncio.sleep(0.05)
                started.set()
                await serve  # the app's lifespan closes the services
            except BaseException as exc:
                ready["error"] = exc
                started.set()

        asyncio.run(main())

    thread = threading.Thread(target=run, name="history-gateway", daemon=True)
    thread.start()
    assert started.wait(300), "the history gateway did not start within 5 minutes"
    if "error" in ready:
        raise ready["error"]
    keys = ready["keys"]
    try:
        yield HistoryGateway(
            url=f"http://127.0.0.1:{port}",
            database_url=database_url,
            practice_id=keys["practice_id"],
            analyst_key=keys["analyst"],
            claims_only_key=keys["claims_only"],
            spare_key=keys["spare"],
            eligibility_key=keys["eligibility"],
            seeded=ready["seeded"],
        )
    finally:
        ready["server"].should_exit = True
        thread.join(30)
