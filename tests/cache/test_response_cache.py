"""The whole-response cache: a repeated query is replayed without running it, and never across
practices or scopes; it is dropped with the payer entries it was built from."""

from __future__ import annotations

import re
from typing import Any

from gateway.identity import create_api_key
from tests.cache.fixtures import (
    CacheGateway,
    active_payers,
    covered_people,
    open_gateway,
    sandbox_requests,
)

SUMMARY = """
query Summary($id: ID!) {
  patient(id: $id) {
    lastName
    eligibility { payer { id } memberId active fetchedAt fromCache }
    claims(status: ALL) { payer { id } fromCache claims { controlNumber totalCharge } }
    payments { payer { id } payments { traceNumber amount } }
  }
}"""


async def _metric(gateway: CacheGateway, name: str, **labels: str) -> float:
    text = (await gateway.client.get("/metrics")).text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)\{(.*)\} (\S+)$", line)
        if match and match[1] == name and ",".join(sorted(match[2].split(","))) == wanted:
            return float(match[3])
    return 0.0


async def _post(gateway: CacheGateway, patient_id: str, key: str | None = None) -> Any:
    response = await gateway.post(SUMMARY, {"id": patient_id}, key=key)
    assert response.status_code == 200
    return response


async def test_a_repeated_query_is_replayed_without_running(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world, 2)[0]
        patient_id = gateway.patient_ids[person]
        first = await _post(gateway, patient_id)  # payers asked: not replayable (fromCache false)
        second = await _post(gateway, patient_id)  # every payer answer from the cache: stored
        assert first.headers["x-response-cache"] == second.headers["x-response-cache"] == "miss"
        lookups = await _metric(
            gateway, "pgw_cache_lookups_total", operation="eligibility", result="hit"
        )
        third = await _post(gateway, patient_id)
        assert third.headers["x-response-cache"] == "hit"
        assert third.content == second.content
        assert third.json()["data"]["patient"]["eligibility"][0]["fromCache"] is True
        # nothing ran: no resolver asked the payer-call cache again
        assert (
            await _metric(gateway, "pgw_cache_lookups_total", operation="eligibility", result="hit")
            == lookups
        )
        assert await _metric(gateway, "pgw_response_cache_total", result="hit") == 1.0
        for payer_id in active_payers(gateway, world, person):
            assert await sandbox_requests(gateway, payer_id, "eligibility") == 1


async def test_a_replay_never_crosses_practices_or_scopes(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        patient_id = gateway.patient_ids[person]
        for _ in range(3):
            mine = await _post(gateway, patient_id)
        assert mine.headers["x-response-cache"] == "hit"
        assert mine.json()["data"]["patient"]["lastName"] == world.people[person].last_name
        # the same request bytes from another practice: not my response
        theirs = await _post(gateway, patient_id, key=gateway.other_key)
        assert theirs.headers["x-response-cache"] == "miss"
        assert theirs.json()["data"]["patient"] is None
        again = await _post(gateway, patient_id, key=gateway.other_key)
        assert again.json()["data"]["patient"] is None
        # my practice, other scopes: a response of its own
        narrow = await create_api_key(
            gateway.database,
            gateway.practice_id,
            "narrow",  # type: ignore[arg-type]
            frozenset({"patients:read", "eligibility:read"}),
        )
        scoped = await _post(gateway, patient_id, key=narrow)
        assert scoped.headers["x-response-cache"] == "miss"


async def test_invalidating_payer_entries_drops_the_responses_built_on_them(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        for _ in range(3):
            response = await _post(gateway, patient_id)
        assert response.headers["x-response-cache"] == "hit"
        member = next(m for m in world.coverages_of(person) if m.payer_key == payer)
        await gateway.services.payers.invalidate(gateway.practice_id, payer, member.member_id)
        after = await _post(gateway, patient_id)
        assert after.headers["x-response-cache"] == "miss"
        group = next(
            g for g in after.json()["data"]["patient"]["claims"] if g["payer"]["id"] == payer
        )
        assert group["fromCache"] is False
        assert await sandbox_requests(gateway, payer, "claim_search") == 2


async def test_fresh_queries_errors_and_live_health_are_never_replayed(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace, retry_attempts=0
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        fresh = "query F($id: ID!) { patient(id: $id) { eligibility(fresh: true) { fetchedAt } } }"
        health = "query H($id: ID!) { payers { health { status } } patient(id: $id) { eligibility { fetchedAt } } }"
        for query in (fresh, health):
            for _ in range(3):
                response = await gateway.post(query, {"id": patient_id})
                assert response.headers["x-response-cache"] == "miss"
        assert (
            await sandbox_requests(gateway, payer, "eligibility") == 3 + 0
        )  # fresh x3; health query used the cache
        await gateway.faults(payer, error_rate=1.0)
        failing = (
            "query E($id: ID!) { patient(id: $id) { payments(fresh: true) { payer { id } } } }"
        )
        for _ in range(3):
            response = await gateway.post(failing, {"id": patient_id})
            assert response.headers["x-response-cache"] == "miss"
            assert response.json()["errors"][0]["extensions"]["code"] == "PAYER_UNAVAILABLE"


async def test_a_mutation_drops_the_practices_responses(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        patient_id = gateway.patient_ids[person]
        for _ in range(3):
            response = await _post(gateway, patient_id)
        assert response.headers["x-response-cache"] == "hit"
        mutation = """mutation { registerPatient(input: {firstName: "Nora", lastName: "Quill", birthDate: "1990-03-04"}) { __typename } }"""
        done = await gateway.post(mutation)
        assert done.status_code == 200 and done.headers["x-response-cache"] == "miss"
        assert (await _post(gateway, patient_id)).headers["x-response-cache"] == "miss"
