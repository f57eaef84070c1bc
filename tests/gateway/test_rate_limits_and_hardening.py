"""Rate limits (429 + Retry-After per key, per user, per client address) and query hardening."""

from __future__ import annotations

import os
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.http.rate_limit import LocalBuckets, RedisWindows
from tests.gateway.conftest import start_gateway
from tests.gateway.people import add_person


async def test_each_key_and_user_has_its_own_budget(database: Any, world: Any) -> None:
    settings = GatewaySettings(
        database_url=database.url,
        rate_limit_per_minute=60,
        rate_limit_burst=3,
        anonymous_rate_limit_per_minute=2,
    )
    async for gateway in start_gateway(database, world, settings=settings):
        statuses = [(await gateway.post("{ me { actorKind } }")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = await gateway.post("{ me { actorKind } }")
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # Another key, and a user, are not slowed down by the first key's bursts.
        assert (
            await gateway.post("{ me { actorKind } }", key=gateway.other_key)
        ).status_code == 200
        user = await add_person(gateway, gateway.practice_id, "biller", "rl@a.example")
        assert [
            (await gateway.post("{ me { role } }", key=user.token)).status_code for _ in range(4)
        ][-1] == 429
        anonymous = [
            (await gateway.client.post("/graphql", json={"query": "{ me { role } }"})).status_code
            for _ in range(3)
        ]
        assert anonymous == [401, 401, 429]


async def test_token_bucket_refills_at_the_configured_rate() -> None:
    buckets = LocalBuckets()
    assert [await buckets.take("k", 60, 2) for _ in range(2)] == [0.0, 0.0]
    wait = await buckets.take("k", 60, 2)
    assert 0.9 < wait <= 1.0
    assert await buckets.take("other", 60, 2) == 0.0


@pytest.mark.redis
async def test_redis_windows_are_shared_by_every_replica() -> None:
    url = os.environ.get("PAYER_GATEWAY_TEST_CACHE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PAYER_GATEWAY_TEST_CACHE_URL is not set")
        pytest.skip("PAYER_GATEWAY_TEST_CACHE_URL not set")
    import uuid

    namespace = f"pgw-test-{uuid.uuid4().hex[:8]}"
    first, second = RedisWindows(url, namespace), RedisWindows(url, namespace)
    try:
        assert [
            await first.take("key:1", 3, 3),
            await second.take("key:1", 3, 3),
            await first.take("key:1", 3, 3),
        ] == [0.0] * 3
        assert 0 < await second.take("key:1", 3, 3) <= 60
    finally:
        await first.aclose()
        await second.aclose()


async def test_batches_are_refused_and_introspection_can_be_off(database: Any, world: Any) -> None:
    settings = GatewaySettings(database_url=database.url, introspection=False)
    async for gateway in start_gateway(database, world, settings=settings):
        batch = await gateway.client.post(
            "/graphql",
            json=[{"query": "{ payers { id } }"}] * 2,
            headers={"Authorization": f"Bearer {gateway.key}"},
        )
        assert batch.status_code == 400
        hidden = await gateway.post("{ __schema { types { name } } }")
        assert "introspection" in hidden.text.lower() and '"types"' not in hidden.text
        suggestion = await gateway.post("{ payers { nam } }")
        assert suggestion.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "Did you mean" not in suggestion.text


async def test_token_limit_is_on(gateway: Any) -> None:
    long_query = "{ " + " ".join("payers { id name protocol }" for _ in range(20)) + " }"
    assert (await gateway.post(long_query)).status_code == 200
    huge = "{ " + " ".join("payers { id name protocol capabilities }" for _ in range(700)) + " }"
    body = (await gateway.post(huge)).json()
    assert body.get("data") is None
    assert "token" in body["errors"][0]["message"].lower()
