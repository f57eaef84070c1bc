"""/metrics in the Prometheus text format, /readyz over database and cache, a cache that fails open."""

from __future__ import annotations

import re

from tests.cache.fixtures import active_payers, covered_people, open_gateway

SUMMARY = """
query Summary($id: ID!) {
  patient(id: $id) { eligibility { payer { id } active } claims { payer { id } } }
}"""


def _samples(text: str) -> dict[str, float]:
    """Samples by name and labels, labels in sorted order (exposition order varies by version)."""
    samples = {}
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
            samples[match[1] + (_labels(**labels) if labels else "")] = float(match[3])
    return samples


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


async def test_metrics_count_requests_payer_calls_cache_and_breakers(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace, retry_attempts=0
    ) as gateway:
        person = covered_people(gateway, world)[0]
        payers = active_payers(gateway, world, person)
        payer = payers[0]
        for _ in range(2):
            await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
        await gateway.faults(payer, error_rate=1.0)
        await gateway.query(
            "query Fresh($id: ID!) { patient(id: $id) { eligibility(fresh: true) { active } } }",
            {"id": gateway.patient_ids[person]},
        )
        response = await gateway.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = _samples(response.text)
    assert samples["pgw_graphql_requests_total" + _labels(operation="Summary", outcome="ok")] == 2.0
    assert samples["pgw_graphql_requests_total" + _labels(operation="Fresh", outcome="ok")] == 1.0
    assert samples["pgw_graphql_request_seconds_count" + _labels(operation="Summary")] == 2.0
    assert samples[
        "pgw_cache_lookups_total" + _labels(operation="eligibility", result="miss")
    ] == len(payers)
    assert samples[
        "pgw_cache_lookups_total" + _labels(operation="eligibility", result="hit")
    ] == len(payers)
    assert samples[
        "pgw_cache_lookups_total" + _labels(operation="eligibility", result="bypass")
    ] == len(payers)
    assert (
        samples[
            "pgw_payer_calls_total" + _labels(payer=payer, operation="eligibility", outcome="ok")
        ]
        == 1.0
    )
    assert (
        samples[
            "pgw_payer_calls_total"
            + _labels(payer=payer, operation="eligibility", outcome="PAYER_UNAVAILABLE")
        ]
        == 1.0
    )
    assert (
        samples[
            "pgw_payer_call_seconds_count"
            + _labels(payer=payer, operation="eligibility", outcome="ok")
        ]
        == 1.0
    )
    assert (
        samples[
            "pgw_payer_call_seconds_bucket"
            + _labels(le="+Inf", operation="claim_search", outcome="ok", payer=payer)
        ]
        == 1.0
    )
    assert {
        name: value for name, value in samples.items() if name.startswith("pgw_payer_breaker_state")
    } == {f"pgw_payer_breaker_state{_labels(payer=p)}": 0.0 for p in gateway.sandbox_apps}
    assert not re.search(r"Summary.*(fresh|id=)", response.text)


async def test_client_operation_names_cannot_flood_the_metrics(database, world) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(database, world) as gateway:
        await gateway.post("query Weird_Name_1 { payers { id } }")
        await gateway.post("{ payers { id } }")
        metrics = gateway.services.payers.metrics
        assert metrics.operation_label("x" * 80) == "other"
        assert metrics.operation_label("drop table;") == "other"
        text = (await gateway.client.get("/metrics")).text
    assert 'operation="Weird_Name_1",outcome="ok"' in text
    assert 'operation="anonymous",outcome="ok"' in text


async def test_readyz_checks_database_and_cache(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(
        database, world, cache_url=cache_url, namespace=cache_namespace
    ) as gateway:
        response = await gateway.client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "cache": "ok"}


async def test_an_unreachable_cache_fails_readyz_but_not_queries(database, world) -> None:  # type: ignore[no-untyped-def]
    """Port 9 on loopback refuses connections: every cache operation fails, and each is counted."""
    async with open_gateway(
        database, world, cache_url="redis://127.0.0.1:9/15", cache_timeout_ms=200
    ) as gateway:
        ready = await gateway.client.get("/readyz")
        person = covered_people(gateway, world)[0]
        payer = active_payers(gateway, world, person)[0]
        for _ in range(2):
            body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
            assert "errors" not in body
        samples = _samples((await gateway.client.get("/metrics")).text)
        stats = (await gateway.sandbox(payer).get("/_control/stats")).json()["requests"]
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "ok", "cache": "unreachable"}
    assert stats["eligibility"] == 2  # no cache: each query asked the payer
    assert samples["pgw_cache_errors_total" + _labels(action="get")] >= 4
    assert samples["pgw_cache_errors_total" + _labels(action="lock")] >= 2
    assert samples["pgw_cache_errors_total" + _labels(action="set")] >= 2


async def test_healthz_needs_nothing(database, world) -> None:  # type: ignore[no-untyped-def]
    async with open_gateway(database, world) as gateway:
        response = await gateway.client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_labelled_children_are_looked_up_once_and_still_exported() -> None:
    """The hot path asks for the same children again and again: prometheus is asked once per tuple."""
    from gateway.observability.metrics import GatewayMetrics

    metrics = GatewayMetrics()
    asked: list[tuple[str, ...]] = []
    family = metrics.payer_calls.family
    original = family.labels

    def counting(*values: str) -> object:
        asked.append(values)
        return original(*values)

    family.labels = counting  # type: ignore[method-assign]
    for _ in range(3):
        metrics.payer_calls.labels("p01", "eligibility", "ok").inc()
    metrics.payer_calls.labels("p01", "eligibility", "PAYER_TIMEOUT").inc()
    assert asked == [("p01", "eligibility", "ok"), ("p01", "eligibility", "PAYER_TIMEOUT")]
    text = metrics.exposition().decode()
    assert 'pgw_payer_calls_total{operation="eligibility",outcome="ok",payer="p01"} 3.0' in text
