"""Bounded retries for idempotent reads only; the health each payer shows."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest

from gateway.errors import PayerCallFailed
from payers.codesets import lookup
from payers.contract import Capability
from payers.model import ClaimLine, ClaimSubmission, MemberQuery
from tests.cache.fixtures import (
    active_payers,
    covered_people,
    member_query,
    open_gateway,
    sandbox_requests,
)

pytestmark = pytest.mark.timed  # wall-clock bounds: see tests/conftest.py

ELIGIBILITY = """
query E($id: ID!) { patient(id: $id) { eligibility(fresh: true) { payer { id } memberId } } }"""


async def test_a_read_that_fails_once_is_retried_and_answers(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace, retry_attempts=2
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(
            payer, error_rate=0.5, seed=1
        )  # seed 1: the first request fails, the second not
        body = await gateway.query(ELIGIBILITY, {"id": gateway.patient_ids[person]})
        assert "errors" not in body
        assert await sandbox_requests(gateway, payer, "eligibility") == 2
        metrics = (await gateway.client.get("/metrics")).text
        retries = [
            line for line in metrics.splitlines() if line.startswith("pgw_payer_retries_total{")
        ]
        assert (
            len(retries) == 1 and f'payer="{payer}"' in retries[0] and retries[0].endswith(" 1.0")
        )


async def test_retries_are_bounded_and_within_the_payer_timeout(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        retry_attempts=2,
        timeout_seconds=1.0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(payer, error_rate=1.0)
        started = time.perf_counter()
        body = await gateway.query(ELIGIBILITY, {"id": gateway.patient_ids[person]})
        assert time.perf_counter() - started < 1.0
        assert body["errors"][0]["extensions"]["code"] == "PAYER_UNAVAILABLE"
        assert await sandbox_requests(gateway, payer, "eligibility") == 3  # one try + two retries


async def test_claim_submission_is_never_retried(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace, retry_attempts=3
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        provider = next(iter(world.providers.values()))
        day = world.today - timedelta(days=1)
        claim = ClaimSubmission(
            member=member_query(world, person, payer),
            billing_provider_npi=provider.npi,
            billing_provider_tax_id="84-7301296",
            billing_provider_name=provider.name,
            rendering_provider_npi=None,
            place_of_service="11",
            frequency_code="1",
            diagnoses=("J069",),
            lines=(
                ClaimLine(
                    1,
                    lookup("procedure", "99213"),
                    Decimal("150.00"),
                    diagnosis_pointers=(1,),
                    service_date=day,
                ),
            ),
            total_charge=Decimal("150.00"),
        )
        await gateway.faults(payer, error_rate=1.0)
        with pytest.raises(PayerCallFailed) as failed:
            await gateway.services.payers.call(
                gateway.practice_id, payer, Capability.CLAIM_SUBMISSION, claim, "PGW-RETRY-1"
            )
        assert failed.value.code == "PAYER_UNAVAILABLE"
        assert await sandbox_requests(gateway, payer, "claim_submission") == 1


async def test_a_member_not_found_is_not_retried(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace, retry_attempts=3
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        member = member_query(world, person, payer)
        nobody = MemberQuery("ZZ000000000", member.first_name, member.last_name, member.birth_date)
        with pytest.raises(PayerCallFailed) as failed:
            await gateway.services.payers.call(
                gateway.practice_id, payer, Capability.ELIGIBILITY, nobody, ("30",), world.today
            )
        assert failed.value.code == "MEMBER_NOT_FOUND"
        assert await sandbox_requests(gateway, payer, "eligibility") == 1
        assert (await gateway.query("{ payers { id health { status lastError } } }"))["data"][
            "payers"
        ]  # healthy
        health = gateway.services.payers.health_of(payer)
        assert (
            health is not None
            and health.last_error is None
            and health.breaker.state.value == "closed"
        )


async def test_health_shows_each_payers_latency_and_state(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        slow = active_payers(gateway, world, person)[0]
        await gateway.faults(slow, latency_ms=120)
        before = await gateway.query(
            "{ payers { id health { status breaker latencyP50 lastError } } }"
        )
        assert {p["id"]: p["health"] for p in before["data"]["payers"]}[slow] == {
            "status": "UP",
            "breaker": "CLOSED",
            "latencyP50": None,
            "lastError": None,
        }
        for _ in range(3):
            await gateway.query(ELIGIBILITY, {"id": gateway.patient_ids[person]})
        after = await gateway.query(
            "{ payers { id health { status breaker latencyP50 lastError } } }"
        )
        health = {p["id"]: p["health"] for p in after["data"]["payers"]}
        assert health[slow]["status"] == "UP" and health[slow]["breaker"] == "CLOSED"
        assert 120 <= health[slow]["latencyP50"] < 1000
        untouched = set(gateway.sandbox_apps) - set(active_payers(gateway, world, person))
        assert all(health[p]["latencyP50"] is None for p in untouched)
