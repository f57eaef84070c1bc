"""The payer-call cache seen through the GraphQL API: hits, TTL, tenancy, equivalent arguments,
single flight, fresh bypass, stale-if-error and invalidation, on memory and on Redis."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.cache.fixtures import (
    CacheGateway,
    active_payers,
    covered_people,
    member_query,
    open_gateway,
    sandbox_requests,
)

ELIGIBILITY = """
query Eligibility($id: ID!, $types: [String!], $fresh: Boolean) {
  patient(id: $id) {
    eligibility(serviceTypes: $types, fresh: $fresh) { payer { id } memberId active fetchedAt fromCache stale }
  }
}"""

CLAIMS = """
query Claims($id: ID!, $fresh: Boolean) {
  patient(id: $id) { claims(status: ALL, fresh: $fresh) { payer { id } fromCache claims { controlNumber } } }
}"""


async def eligibility(
    gateway: CacheGateway, patient_id: str, **variables: Any
) -> list[dict[str, Any]]:
    body = await gateway.query(ELIGIBILITY, {"id": patient_id, **variables})
    assert "errors" not in body, body.get("errors")
    return list(body["data"]["patient"]["eligibility"])


async def test_second_ask_is_a_hit_and_the_payer_is_asked_once(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world, 2)[0]
        payers = active_payers(gateway, world, person)
        first = await eligibility(gateway, gateway.patient_ids[person])
        second = await eligibility(gateway, gateway.patient_ids[person])
        assert [a["fromCache"] for a in first] == [False] * len(payers)
        assert [a["fromCache"] for a in second] == [True] * len(payers)
        assert [a["fetchedAt"] for a in second] == [a["fetchedAt"] for a in first]
        assert sorted(a["payer"]["id"] for a in second) == payers
        for payer_id in payers:
            assert await sandbox_requests(gateway, payer_id, "eligibility") == 1


async def test_an_entry_expires_after_its_operation_ttl(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        cache_ttl={"eligibility": 1},
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await eligibility(gateway, gateway.patient_ids[person])
        assert (await eligibility(gateway, gateway.patient_ids[person]))[0]["fromCache"] is True
        await asyncio.sleep(1.1)
        again = await eligibility(gateway, gateway.patient_ids[person])
        assert again[0]["fromCache"] is False
        assert await sandbox_requests(gateway, payer, "eligibility") == 2
        # claim search keeps its own (default, 300 s) TTL
        await gateway.query(CLAIMS, {"id": gateway.patient_ids[person]})
        await gateway.query(CLAIMS, {"id": gateway.patient_ids[person]})
        assert await sandbox_requests(gateway, payer, "claim_search") == 1


async def test_two_practices_never_share_an_entry(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        mine = await eligibility(gateway, gateway.patient_ids[person])
        # The other practice has the same person with the same card: the payer call is identical.
        body = await gateway.query(
            ELIGIBILITY, {"id": gateway.other_patient_ids[person]}, key=gateway.other_key
        )
        theirs = body["data"]["patient"]["eligibility"]
        assert theirs[0]["fromCache"] is False
        assert theirs[0]["fetchedAt"] != mine[0]["fetchedAt"]
        assert await sandbox_requests(gateway, payer, "eligibility") == 2
        # and my patient id means nothing to the other practice, cached or not
        body = await gateway.query(
            ELIGIBILITY, {"id": gateway.patient_ids[person]}, key=gateway.other_key
        )
        assert body["data"]["patient"] is None


async def test_equivalent_arguments_hit_one_entry(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        await eligibility(gateway, patient_id, types=["98", "30"])
        same = await eligibility(gateway, patient_id, types=[" 30", "98", "98"])
        assert same[0]["fromCache"] is True
        assert await sandbox_requests(gateway, payer, "eligibility") == 1
        other = await eligibility(gateway, patient_id, types=["30", "98", "88"])
        assert other[0]["fromCache"] is False
        assert await sandbox_requests(gateway, payer, "eligibility") == 2


async def test_concurrent_identical_misses_make_one_payer_call(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payers = active_payers(gateway, world, person)
        for payer_id in payers:
            await gateway.faults(payer_id, latency_ms=300)
        answers = await asyncio.gather(
            *(eligibility(gateway, gateway.patient_ids[person]) for _ in range(12))
        )
        assert all(len(a) == len(payers) for a in answers)
        assert len({a[0]["fetchedAt"] for a in answers}) == 1
        for payer_id in payers:
            assert await sandbox_requests(gateway, payer_id, "eligibility") == 1


async def test_single_flight_across_gateway_processes_on_a_shared_cache(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    """Two gateways (as two replicas would) on one cache: Redis makes them share one payer call."""
    from gateway.http.app import build_services
    from payers.contract import Capability

    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await gateway.faults(payer, latency_ms=300)
        replica = build_services(
            gateway.services.settings,
            [p.settings for p in gateway.services.payers.all()],
            transport_for=lambda s: __import__("httpx").ASGITransport(
                app=gateway.sandbox_apps[s.id]
            ),
        )
        query = member_query(world, person, payer)
        try:
            answers = await asyncio.gather(
                gateway.services.payers.call(
                    gateway.practice_id, payer, Capability.ELIGIBILITY, query, ("30",), world.today
                ),
                replica.payers.call(
                    gateway.practice_id, payer, Capability.ELIGIBILITY, query, ("30",), world.today
                ),
            )
        finally:
            await replica.payers.aclose()
            await replica.database.dispose()
        assert all(a.value.active for a in answers)
        shared = cache_url.startswith("redis")
        assert await sandbox_requests(gateway, payer, "eligibility") == (1 if shared else 2)


async def test_fresh_bypasses_the_cache_and_refreshes_it(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        first = await eligibility(gateway, patient_id)
        forced = await eligibility(gateway, patient_id, fresh=True)
        assert forced[0]["fromCache"] is False
        assert forced[0]["fetchedAt"] > first[0]["fetchedAt"]
        assert await sandbox_requests(gateway, payer, "eligibility") == 2
        cached = await eligibility(gateway, patient_id)
        assert cached[0]["fromCache"] is True
        assert cached[0]["fetchedAt"] == forced[0]["fetchedAt"]
        assert await sandbox_requests(gateway, payer, "eligibility") == 2


async def test_a_down_payer_is_answered_stale_within_the_grace_period(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        cache_ttl={"eligibility": 1},
        cache_stale_grace_seconds=60,
        retry_attempts=0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        patient_id = gateway.patient_ids[person]
        first = await eligibility(gateway, patient_id)
        await asyncio.sleep(1.1)
        await gateway.faults(payer, error_rate=1.0)
        body = await gateway.query(ELIGIBILITY, {"id": patient_id})
        assert "errors" not in body
        answer = next(
            a for a in body["data"]["patient"]["eligibility"] if a["payer"]["id"] == payer
        )
        assert (answer["stale"], answer["fromCache"]) == (True, True)
        assert (
            answer["fetchedAt"] == next(a for a in first if a["payer"]["id"] == payer)["fetchedAt"]
        )
        assert (
            await sandbox_requests(gateway, payer, "eligibility") == 2
        )  # it was asked, and failed


async def test_past_the_grace_period_the_failure_shows(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database,
        world,
        cache_url=cache_url,
        namespace=cache_namespace,
        cache_ttl={"eligibility": 1},
        cache_stale_grace_seconds=1,
        retry_attempts=0,
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        await eligibility(gateway, gateway.patient_ids[person])
        await asyncio.sleep(2.1)
        await gateway.faults(payer, error_rate=1.0)
        body = await gateway.query(ELIGIBILITY, {"id": gateway.patient_ids[person]})
        codes = {e["extensions"]["payer"]: e["extensions"]["code"] for e in body["errors"]}
        assert codes == {payer: "PAYER_UNAVAILABLE"}


async def test_a_member_not_found_is_never_answered_stale(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    """Only "the payer is unwell" failures fall back to a stale entry; the payer's own no is shown."""
    from gateway.cache.payer_calls import STALE_OK

    assert "MEMBER_NOT_FOUND" not in STALE_OK and "PAYER_REJECTED" not in STALE_OK
    assert {"PAYER_UNAVAILABLE", "PAYER_TIMEOUT"} <= STALE_OK


async def test_invalidation_drops_one_members_claim_answers(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        first, second = covered_people(gateway, world)[:2]
        payer = active_payers(gateway, world, first)[0]
        for person in (first, second):
            await gateway.query(CLAIMS, {"id": gateway.patient_ids[person]})
        await gateway.query(CLAIMS, {"id": gateway.other_patient_ids[first]}, key=gateway.other_key)
        member = next(m for m in world.coverages_of(first) if m.payer_key == payer)
        dropped = await gateway.services.payers.invalidate(
            gateway.practice_id, payer, member.member_id.lower()
        )
        assert dropped >= 1
        again = await gateway.query(CLAIMS, {"id": gateway.patient_ids[first]})
        assert (
            next(g for g in again["data"]["patient"]["claims"] if g["payer"]["id"] == payer)[
                "fromCache"
            ]
            is False
        )
        other = await gateway.query(CLAIMS, {"id": gateway.patient_ids[second]})
        assert all(g["fromCache"] for g in other["data"]["patient"]["claims"])
        # the other practice's entry about the same member is its own, and stays
        theirs = await gateway.query(
            CLAIMS, {"id": gateway.other_patient_ids[first]}, key=gateway.other_key
        )
        assert all(g["fromCache"] for g in theirs["data"]["patient"]["claims"])
        assert await sandbox_requests(gateway, payer, "claim_search") >= 3


RAW = """
query Raw($id: ID!) {
  patient(id: $id) { eligibility { payer { id } fromCache rawExchange { protocol request response fetchedAt } } }
}"""


async def test_the_raw_exchange_survives_the_cache(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        person = covered_people(gateway, world, 2)[0]
        patient_id = gateway.patient_ids[person]
        asked = await gateway.query(RAW, {"id": patient_id})
        cached = await gateway.query(RAW, {"id": patient_id})
        assert "errors" not in asked and "errors" not in cached, cached.get("errors")
        first = asked["data"]["patient"]["eligibility"]
        second = cached["data"]["patient"]["eligibility"]
        assert len(first) >= 2 and not any(a["fromCache"] for a in first)
        assert all(a["fromCache"] for a in second)
        by_payer = {a["payer"]["id"]: a["rawExchange"] for a in first}
        for answer in second:
            raw = answer["rawExchange"]
            assert raw["protocol"] == world.books[answer["payer"]["id"]].protocol
            assert raw["request"] and raw["response"]
            assert raw == by_payer[answer["payer"]["id"]]  # the very exchange, pickled and back
