"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), the sandbox world, gateways.

PostgreSQL tests run when PAYER_GATEWAY_TEST_DATABASE_URL is set; Redis tests when
PAYER_GATEWAY_TEST_CACHE_URL is set. Under CI=true a missing one fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from gateway.storage import load_metadata
from gateway.storage.database import Database
from gateway.storage.migrate import upgrade
from gateway.storage.sealed import DATA_KEYS_ENV, generate_key

PG_URL_ENV = "PAYER_GATEWAY_TEST_DATABASE_URL"
REDIS_URL_ENV = "PAYER_GATEWAY_TEST_CACHE_URL"

# One data key for the run, inherited by the workers and servers tests start as subprocesses.
os.environ.setdefault(DATA_KEYS_ENV, generate_key())


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject's addopts): two test processes per core, two to eight. A test spends
    most of its time waiting on sockets, subprocesses and deadlines (one process kept a core 43 %
    busy), so two per core fill the cores. Each process gets its own PostgreSQL database
    (``postgres_url``) and Redis key namespace; nothing else is shared."""
    return min(8, max(2, 2 * (os.cpu_count() or 1)))


@pytest.fixture(autouse=True)
def _no_collector_pauses_in_timed_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """``@pytest.mark.timed`` tests assert wall-clock bounds (a timeout, an open breaker answering at
    once). A full garbage collection late in a long run can pause the loop for most of a second, so
    they run, as ``timeit`` does, with the collector off after collecting once."""
    if request.node.get_closest_marker("timed") is None:
        yield
        return
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _required_in_ci(env: str, what: str) -> str | None:
    value = os.environ.get(env)
    if not value and os.environ.get("CI") == "true":
        pytest.fail(
            f"CI=true but {env} is not set: the {what} tests would be skipped", pytrace=False
        )
    return value


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    base = _required_in_ci(PG_URL_ENV, "PostgreSQL")
    if not base:
        pytest.skip(f"{PG_URL_ENV} not set")
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgresql+asyncpg", "postgresql"))
    name = f"pgw_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def admin_sql(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {PG_URL_ENV} is unreachable: {exc}", pytrace=False)
    yield url.set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gateway.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database (PostgreSQL: the session database, emptied before each test)."""
    db = Database(database_url)
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        await upgrade(db)
        names = ", ".join(table.name for table in load_metadata().sorted_tables)
        async with db.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {names} CASCADE"))
    else:
        await upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
def today():  # type: ignore[no-untyped-def]
    return datetime.now(UTC).date()


@pytest.fixture(scope="session")
def world(today):  # type: ignore[no-untyped-def]
    from payers.sandbox.world import build_world

    return build_world(today)
