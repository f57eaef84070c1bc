from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from payers.sandbox.faults import FaultSettings
from payers.sandbox.rest_app import create_rest_app
from payers.sandbox.world import World

KEY = "sandbox-key"


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://lakeshore.test",
        headers={"Authorization": f"Bearer {KEY}"},
    )


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(create_rest_app(world.books["lakeshore"], api_key=KEY)) as client:
        yield client


async def _payments(client: httpx.AsyncClient) -> int:
    return (await client.get("/v1/payments")).status_code


async def test_fault_settings_round_trip_and_reset(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_control/faults")).json() == FaultSettings().to_json()
    wanted = {"latency_ms": 5, "error_rate": 0.25, "operations": ["payments"], "seed": 7}
    put = await client.put("/_control/faults", json=wanted)
    assert put.status_code == 200
    current = (await client.get("/_control/faults")).json()
    assert {k: current[k] for k in wanted} == wanted and current["error_status"] == 503
    bad = await client.put("/_control/faults", json={"error_rate": 2})
    assert bad.status_code == 400 and "error_rate" in bad.json()["error"]["message"]
    assert (await client.put("/_control/faults", json={"nope": 1})).status_code == 400
    assert (await client.post("/_control/reset")).status_code == 200
    assert (await client.get("/_control/faults")).json()["error_rate"] == 0.0


def test_settings_from_json_rejects_wrong_types() -> None:
    with pytest.raises(ValueError, match="hang"):
        FaultSettings.from_json({"hang": "yes"})
    with pytest.raises(ValueError, match="latency_ms"):
        FaultSettings.from_json({"latency_ms": 1.5})
    assert FaultSettings.from_json({"operations": ["eligibility"]}).operations == frozenset(
        {"eligibility"}
    )


@pytest.mark.timed
async def test_latency_is_added(client: httpx.AsyncClient) -> None:
    await client.put("/_control/faults", json={"latency_ms": 150, "jitter_ms": 50})
    started = time.perf_counter()
    assert await _payments(client) == 200
    elapsed = time.perf_counter() - started
    assert 0.15 <= elapsed < 1.0
    stats = (await client.get("/_control/stats")).json()
    assert stats["faults_injected"] == {"latency": 1}


async def test_error_rate_is_deterministic_for_a_seed(world: World) -> None:
    settings = FaultSettings(error_rate=0.5, seed=42)
    outcomes = []
    for _ in range(2):
        async with _client(
            create_rest_app(world.books["lakeshore"], api_key=KEY, faults=settings)
        ) as c:
            outcomes.append([await _payments(c) for _ in range(20)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 503}
    assert 5 <= outcomes[0].count(503) <= 15


async def test_error_rate_one_fails_everything_but_control_routes(
    client: httpx.AsyncClient,
) -> None:
    await client.put("/_control/faults", json={"error_rate": 1.0, "error_status": 500})
    answers = [await _payments(client) for _ in range(3)]
    assert answers == [500, 500, 500]
    stats = await client.get("/_control/stats")
    assert stats.status_code == 200
    assert stats.json()["requests"] == {"payments": 3}
    assert stats.json()["faults_injected"] == {"error": 3}


async def test_faults_can_target_one_operation(client: httpx.AsyncClient) -> None:
    await client.put("/_control/faults", json={"error_rate": 1.0, "operations": ["claim_status"]})
    assert await _payments(client) == 200
    status = await client.get("/v1/claims/status", params={"controlNumber": "EFM1000214"})
    assert status.status_code == 503


async def test_hang_never_answers(client: httpx.AsyncClient) -> None:
    await client.put("/_control/faults", json={"hang": True})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.get("/v1/payments"), timeout=0.2)
    assert (await client.get("/_control/faults")).json()["hang"] is True


async def test_malformed_answers_are_truncated_json_with_200(client: httpx.AsyncClient) -> None:
    good = await client.get("/v1/payments")
    await client.put("/_control/faults", json={"malformed": True})
    bad = await client.get("/v1/payments")
    assert bad.status_code == 200
    assert bad.headers["content-type"] == "application/json"
    assert bad.content == good.content[: len(good.content) // 2]
    assert int(bad.headers["content-length"]) == len(bad.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad.content)


async def test_stats_count_operations_and_reset_clears_them(client: httpx.AsyncClient) -> None:
    await _payments(client)
    await client.get("/v1/claims/LK2528000002/status")
    await client.get("/v1/payments", headers={"Authorization": "Bearer wrong"})
    stats = (await client.get("/_control/stats")).json()
    assert stats == {
        "requests": {"payments": 2, "claim_status": 1},
        "claims_received": {},
        "faults_injected": {},
        "peak_in_flight": {"payments": 1, "claim_status": 1},
    }
    await client.post("/_control/reset")
    assert (await client.get("/_control/stats")).json()["requests"] == {}


def test_busy_settings_validate_the_reason() -> None:
    assert FaultSettings().to_json()["busy"] is False
    assert FaultSettings.from_json({"busy": True, "busy_reason": "80"}).busy_reason == "80"
    with pytest.raises(ValueError, match="busy_reason"):
        FaultSettings.from_json({"busy": True, "busy_reason": "75"})
    with pytest.raises(ValueError, match="busy_reason"):
        FaultSettings.from_json({"busy_reason": 42})
    with pytest.raises(ValueError, match="busy must be true or false"):
        FaultSettings.from_json({"busy": 1})


async def test_busy_rest_payer_says_try_later_inside_200_or_503(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await client.put("/_control/faults", json={"busy_reason": "99"})).status_code == 400
    await client.put("/_control/faults", json={"busy": True})
    oscar = world.people["oscar"]
    member = {
        "memberId": "LHP205517604",
        "firstName": oscar.first_name,
        "lastName": oscar.last_name,
        "birthDate": oscar.birth_date.isoformat(),
    }
    eligibility = await client.post("/v1/eligibility", json={"member": member})
    payments = await client.get("/v1/payments")
    assert (eligibility.status_code, payments.status_code) == (200, 503)
    for answer in (eligibility, payments):
        assert answer.headers["retry-after"] == "30"
        assert answer.json() == {
            "error": {
                "code": "TRY_LATER",
                "message": "The payer cannot respond right now; retry later.",
                "retryAfterSeconds": 30,
                "reasons": [
                    {
                        "codeSet": "AAA",
                        "code": "42",
                        "description": "Unable to Respond at Current Time",
                        "followUp": "R",
                    }
                ],
            }
        }
    unauthorized = await client.get("/v1/payments", headers={"Authorization": "Bearer wrong"})
    assert unauthorized.status_code == 401  # the key is checked before the payer is asked
    stats = (await client.get("/_control/stats")).json()
    assert stats["faults_injected"] == {"busy": 3}
    await client.put("/_control/faults", json={"busy": True, "operations": ["eligibility"]})
    assert await _payments(client) == 200
