"""Property-based: generated queries (hypothesis-graphql) never get a 5xx, a traceback or SQL, and never
another practice's data. Practice B's ids are among the ids the generator may use."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from gateway.graphql.schema import build_schema
from tests.gateway.conftest import start_gateway
from tests.gateway.people import staff

LEAKS = ("Traceback", "sqlalchemy", "SELECT ", "INSERT INTO", "asyncpg", "sqlite3", 'File "')


@pytest.fixture
def running(database_url: str, world: Any) -> Any:
    """A gateway on its own event loop: hypothesis drives it from a plain (synchronous) test."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the fuzz run needs no second database")
    from gateway.storage.database import Database
    from gateway.storage.migrate import upgrade

    runner = asyncio.Runner()
    database = Database(database_url)
    runner.run(upgrade(database))
    gateway_iter = start_gateway(database, world)
    gateway = runner.run(gateway_iter.__anext__())
    people = runner.run(staff(gateway))
    try:
        yield runner, gateway, people
    finally:
        runner.run(gateway_iter.aclose())
        runner.run(database.dispose())
        runner.close()


def test_generated_queries_never_crash_leak_or_cross_practices(running: Any) -> None:
    runner, gateway, people = running
    theirs = [gateway.other_patient_id, people.other_admin.id, gateway.other_practice_id]
    ids = st.sampled_from(
        [*theirs, *list(gateway.patient_ids.values())[:3], str(uuid.uuid4()), "not-an-id"]
    )
    id_nodes = ids.map(lambda value: graphql.StringValueNode(value=value))
    # Date and Money arguments (estimate, discoverCoverage's birth date): valid values and junk.
    date_nodes = st.sampled_from(
        ["2026-12-07", "1980-04-02", "2999-01-01", "2026-02-30", "yesterday", ""]
    ).map(lambda value: graphql.StringValueNode(value=value))
    amount_nodes = st.sampled_from(["145.00", "-1", "1e9", "NaN", "abc"]).map(
        lambda value: graphql.StringValueNode(value=value)
    )
    schema = build_schema().as_str()
    seen: list[int] = []

    @settings(
        max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(
        query=queries(
            schema,
            custom_scalars={
                "ID": id_nodes,
                "Date": date_nodes,
                "Money": amount_nodes,
                "Decimal": amount_nodes,
            },
            allow_x00=False,
        )
    )
    def check(query: str) -> None:
        response = runner.run(gateway.post(query, key=people.admin.token))
        seen.append(response.status_code)
        assert response.status_code < 500, (query, response.text)
        text = response.text
        for leak in LEAKS:
            assert leak not in text, (query, text)
        for other in theirs[:2]:
            assert other not in text, (query, text)
        body = json.loads(text)
        assert "data" in body or "errors" in body

    check()
    assert len(seen) >= 100
