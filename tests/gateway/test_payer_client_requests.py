"""The payer client's requests (gateway/payer_client.py ``PayerHTTPClient.build_request``, which
reuses the headers it prepared for an earlier call alike) are the requests httpx's own client
builds: same method, URL, headers in order, body and timeouts, on the first call and on repeats."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from httpx._client import USE_CLIENT_DEFAULT

from gateway.payer_client import PayerHTTPClient, payer_client
from payers.deadline import payer_deadline

JSON = b'{"member": "LHP205517604"}'

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "https://payer.example/eligibility", {"headers": {"Authorization": "Bearer k"}}),
    ("GET", "https://payer.example:8443/claims?since=2025-01-01", {"headers": {}}),
    (
        "GET",
        "https://payer.example/eligibility",
        {"headers": httpx.Headers({"Authorization": "Bearer k", "Accept": "application/json"})},
    ),
    (
        "POST",
        "https://payer.example/eligibility",
        {"headers": httpx.Headers({"Content-Type": "application/json"}), "content": JSON},
    ),
    (
        "POST",
        "https://payer.example/eligibility",
        {"headers": httpx.Headers({"Content-Type": "application/json"}), "content": JSON + b"  "},
    ),
    (
        "POST",
        "https://payer.example/eligibility",
        {"headers": {"Content-Type": "application/json"}, "content": JSON},
    ),
    (
        "POST",
        "https://payer.example/eligibility",
        {"headers": {"Content-Type": "application/json"}, "content": JSON + b" "},
    ),
    ("POST", "https://payer.example/empty", {"headers": {}}),
    ("PUT", "https://payer.example/empty", {"headers": {}, "content": b""}),
    ("PATCH", "https://payer.example/claims/1", {"headers": {"X-A": "1"}, "content": b"x"}),
    ("DELETE", "https://payer.example/claims/1", {"headers": {}}),
    ("get", "https://payer.example/lower", {"headers": {"Accept": "application/fhir+json"}}),
    ("GET", "https://payer.example/own-host", {"headers": {"Host": "other.example"}}),
    (
        "POST",
        "https://payer.example/own-length",
        {"headers": {"Content-Length": "99"}, "content": JSON},
    ),
    ("GET", "https://payer.example/timeout", {"headers": {}, "timeout": 3.0}),
    (
        "GET",
        "https://payer.example/timeout",
        {"headers": {}, "timeout": httpx.Timeout(2.0, connect=1.0)},
    ),
    ("GET", "https://payer.example/params", {"headers": {}, "params": {"a": "1"}}),
    (
        "GET",
        "https://payer.example/Coverage?x=1",
        {"headers": {}, "params": {"patient": "p 1", "_count": "10"}},
    ),
    ("GET", "https://payer.example/Coverage?x=1", {"headers": {}, "params": {}}),
    ("GET", "https://payer.example/Coverage", {"headers": {}, "params": [("a", "1"), ("a", "2")]}),
    ("POST", "https://payer.example/form", {"headers": {}, "data": {"a": "1"}}),
    ("POST", "https://payer.example/json", {"headers": {}, "json": {"a": 1}}),
]


def _built(request: httpx.Request) -> tuple[object, ...]:
    return (
        request.method,
        str(request.url),
        request.headers.raw,
        request.read(),
        type(request.stream),
        request.extensions,
    )


@pytest.mark.parametrize(("method", "url", "kwargs"), CALLS)
async def test_a_request_is_built_as_httpx_builds_it(
    method: str, url: str, kwargs: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(timeout=10.0) as reference, payer_client(10.0) as http:
        expected = _built(reference.build_request(method, httpx.URL(url), **kwargs))
        for _ in range(3):  # built, then from the headers remembered
            assert _built(http.build_request(method, httpx.URL(url), **kwargs)) == expected
            assert _built(http.build_request(method, url, **kwargs)) == expected


async def test_a_change_to_the_client_s_headers_is_seen_and_a_request_s_edit_stays_its_own() -> (
    None
):
    async with payer_client(10.0) as http:
        assert isinstance(http, PayerHTTPClient)
        first = http.build_request("GET", "https://payer.example/a", headers={"X-A": "1"})
        first.headers["X-Mine"] = "only here"
        http.headers["User-Agent"] = "payer-gateway"
        second = http.build_request("GET", "https://payer.example/a", headers={"X-A": "1"})
        assert second.headers["User-Agent"] == "payer-gateway"
        assert "X-Mine" not in second.headers
        third = http.build_request("GET", "https://payer.example/a", headers={"X-A": "1"})
        assert third.headers.raw == second.headers.raw and third.headers is not second.headers


async def test_calls_in_turn_on_one_client_each_get_their_own_headers() -> None:
    calls = [
        *CALLS,
        (
            "GET",
            "https://other.example:444/eligibility",
            {"headers": {"Authorization": "Bearer k"}},
        ),
    ]
    async with httpx.AsyncClient(timeout=10.0) as reference, payer_client(10.0) as http:
        expected = [_built(reference.build_request(m, u, **kw)) for m, u, kw in calls]
        for _ in range(2):
            assert [_built(http.build_request(m, u, **kw)) for m, u, kw in calls] == expected


async def test_a_client_with_a_base_url_builds_as_httpx_does() -> None:
    base = "https://payer.example/fhir/R4"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("Coverage", {"params": {"patient": "p1"}}),
        ("/Patient/7", {}),
        ("https://other.example/token", {"content": b"grant_type=x"}),
    ]
    async with (
        httpx.AsyncClient(base_url=base, timeout=10.0) as reference,
        PayerHTTPClient(base_url=base, timeout=10.0) as http,
    ):
        for path, kwargs in calls * 2:
            expected = _built(reference.build_request("GET", path, headers={"A": "1"}, **kwargs))
            assert _built(http.build_request("GET", path, headers={"A": "1"}, **kwargs)) == expected


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (USE_CLIENT_DEFAULT, {"connect": None, "read": None, "write": None, "pool": None}),
        (3.0, {"connect": None, "read": None, "write": None, "pool": None}),
        (
            httpx.Timeout(2.0, connect=0.5),
            {"connect": 0.5, "read": None, "write": None, "pool": None},
        ),
    ],
)
async def test_inside_a_deadline_a_repeated_request_drops_the_same_timeouts(
    timeout: Any, expected: dict[str, float | None]
) -> None:
    """The remembered-headers path trims timeouts to the call's deadline as httpx's path does."""
    async with payer_client(10.0) as http:
        assert isinstance(http, PayerHTTPClient)
        outside = http.build_request("GET", "https://payer.example/a", headers={}, timeout=timeout)
        async with payer_deadline(1.0):
            built = [
                http.build_request("GET", "https://payer.example/a", headers={}, timeout=timeout)
                for _ in range(3)  # the first outside built it; these reuse its headers
            ]
        assert len(http._header_sets) == 1
        assert [request.extensions["timeout"] for request in built] == [expected] * 3
        again = http.build_request("GET", "https://payer.example/a", headers={}, timeout=timeout)
    assert again.extensions["timeout"] == outside.extensions["timeout"]  # not trimmed outside
    assert None not in outside.extensions["timeout"].values()
