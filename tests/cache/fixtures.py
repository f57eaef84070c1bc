"""Gateways over the sandbox payers with a chosen cache (memory or Redis) and payer settings.

``cache_url`` runs a test on both backends: Redis from PAYER_GATEWAY_TEST_CACHE_URL, in the database
that URL names (15 when it names none, so a bare URL never lands in database 0), keys under a namespace of the test's own that is deleted by prefix afterwards (never FLUSHDB).
Under CI=true a missing or unreachable Redis fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.demo import demo_practice
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.seeding import seed_practice_patients
from gateway.storage.database import Database
from payers.registry import parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes
from tests.gateway.conftest import OTHER_PRACTICE, Gateway

REDIS_URL_ENV = "PAYER_GATEWAY_TEST_CACHE_URL"
REDIS_TEST_DB = 15


@dataclasses.dataclass
class CacheGateway(Gateway):
    """A gateway whose other practice has the same people (so their payer calls are identical)."""

    other_patient_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    database: Database | None = None


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get(REDIS_URL_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"CI=true but {REDIS_URL_ENV} is not set: the Redis tests would be skipped",
                pytrace=False,
            )
        pytest.skip(f"{REDIS_URL_ENV} not set")
    parts = urlsplit(url)
    database = parts.path.strip("/") or str(REDIS_TEST_DB)  # two runs on two databases never meet
    url = urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL_ENV} is unreachable: {exc}", pytrace=False)
    finally:
        client.close()
    return url


@pytest.fixture(params=["memory", "redis"])
def cache_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue("redis_url"))


@pytest.fixture
def cache_namespace(cache_url: str) -> Any:
    namespace = f"pgw-test-{uuid.uuid4().hex[:12]}"
    yield namespace
    if cache_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(cache_url)
        try:
            keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@contextlib.asynccontextmanager
async def open_gateway(
    database: Database,
    world: Any,
    *,
    cache_url: str = "memory://",
    namespace: str = "pgw-test",
    timeout_seconds: float = 2.0,
    cache_ttl: Mapping[str, int] | None = None,
    base_urls: Mapping[str, str] | None = None,
    sandbox_apps: Mapping[str, Any] | None = None,
    **settings: Any,
) -> AsyncIterator[CacheGateway]:
    """A gateway in process; payers through ASGITransport, or over loopback when ``base_urls`` is given."""
    if sandbox_apps is None:
        plan = plan_sandboxes(world)
        os.environ.update(plan.environ)
        sandbox_apps = plan.apps
    urls = base_urls or {key: f"http://{key}.sandbox" for key in sandbox_apps}
    payer_settings = parse_payers_config(payers_toml(world, urls, timeout_seconds))
    if cache_ttl:
        payer_settings = [
            dataclasses.replace(p, cache_ttl={**p.cache_ttl, **cache_ttl}) for p in payer_settings
        ]
    gateway_settings = GatewaySettings(
        database_url=database.url, cache_url=cache_url, cache_namespace=namespace, **settings
    )
    apps = dict(sandbox_apps)
    transport_for = None if base_urls else (lambda s: httpx.ASGITransport(app=apps[s.id]))
    services = build_services(gateway_settings, payer_settings, transport_for=transport_for)
    practice_id = await create_practice(database, *demo_practice(world))
    patient_ids = await seed_practice_patients(database, practice_id, world, set(apps))
    key = await create_api_key(database, practice_id, "tests")
    other_practice = await create_practice(database, *OTHER_PRACTICE)
    other_key = await create_api_key(database, other_practice, "other")
    other_ids = await seed_practice_patients(database, other_practice, world, set(apps))
    app = create_app(services)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
    )
    gateway = CacheGateway(
        client=client,
        services=services,
        key=key,
        practice_id=practice_id,
        patient_ids=patient_ids,
        sandbox_apps=apps,
        other_key=other_key,
        other_patient_id=next(iter(other_ids.values())),
        other_patient_ids=other_ids,
        database=database,
    )
    try:
        # The app's own lifespan, as uvicorn runs it: it closes everything the app opened.
        async with app.router.lifespan_context(app):
            yield gateway
    finally:
        await client.aclose()
        for sandbox_client in gateway._sandbox_clients.values():
            await sandbox_client.aclose()


async def sandbox_requests(gateway: Gateway, payer_id: str, operation: str) -> int:
    """How many requests of one operation a sandbox payer has received (its /_control/stats)."""
    stats = (await gateway.sandbox(payer_id).get("/_control/stats")).json()
    return int(stats["requests"].get(operation, 0))


def covered_people(gateway: Gateway, world: Any, at_least: int = 1) -> list[str]:
    """People with an active coverage at ``at_least`` of the running sandbox payers."""
    running = set(gateway.sandbox_apps)
    return [
        key
        for key in world.people
        if len(
            {m.payer_key for m in world.coverages_of(key) if m.payer_key in running and m.active}
        )
        >= at_least
    ]


def active_payers(gateway: Gateway, world: Any, person: str) -> list[str]:
    running = set(gateway.sandbox_apps)
    return sorted(
        {m.payer_key for m in world.coverages_of(person) if m.payer_key in running and m.active}
    )


def member_query(world: Any, person: str, payer: str) -> Any:
    """The MemberQuery the gateway sends ``payer`` for ``person`` (as their coverage row holds it)."""
    from payers.model import MemberQuery

    member = next(m for m in world.coverages_of(person) if m.payer_key == payer)
    p = member.person
    return MemberQuery(member.member_id, p.first_name, p.last_name, p.birth_date)
