"""What the hot-path savings must not change: audit per request under concurrency, key revocation,
cookie-free payer clients, the validation cache, memoized code lookups."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event, select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.audit.group_commit import group_commit
from gateway.auth.principal_cache import PrincipalCache
from gateway.graphql.schema import build_schema
from gateway.graphql.validation_cache import SchemaValidationCache
from gateway.identity import Principal, digest
from gateway.payer_client import payer_client
from gateway.storage.audit_tables import AuditEvent
from gateway.storage.database import Database
from gateway.storage.tables import ApiKey, new_id
from payers.codesets import lookup
from tests.gateway.conftest import Gateway

NAMES = "{ patients(first: 2) { edges { node { firstName lastName } } } }"


async def test_concurrent_requests_each_get_their_own_audit_rows(gateway: Gateway) -> None:
    responses = await asyncio.gather(*(gateway.post(NAMES) for _ in range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    async with gateway.services.database.session() as session:
        rows = list(await session.scalars(select(AuditEvent)))
    by_request: dict[str, int] = {}
    for row in rows:
        by_request[row.request_id] = by_request.get(row.request_id, 0) + 1
    assert sorted(by_request) == sorted(r.headers["x-request-id"] for r in responses)
    assert set(by_request.values()) == {2}  # two patients read per request


def _row(request_id: str, kind: str | None = "phi.read") -> dict[str, Any]:
    return {
        "id": new_id(),
        "occurred_at": datetime.now(UTC),
        "kind": kind,
        "practice_id": None,
        "actor_id": None,
        "actor_kind": None,
        "patient_id": None,
        "fields": ["Patient.firstName"],
        "operation": None,
        "request_id": request_id,
        "client_address": None,
        "detail": {},
    }


async def test_writes_waiting_together_share_one_transaction_and_fail_only_alone(
    database: Database,
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"):
            statements.append(statement)

    writer = group_commit(database)
    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        await asyncio.gather(*(writer.write([_row(f"r{i}")]) for i in range(8)))
        shared = len(statements)
        results = await asyncio.gather(
            writer.write([_row("good-1")]),
            writer.write([_row("bad", kind=None)]),  # kind is NOT NULL
            writer.write([_row("good-2")]),
            return_exceptions=True,
        )
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert shared == 1
    assert results[0] is None and results[2] is None and isinstance(results[1], Exception)
    async with database.session() as session:
        written = sorted(await session.scalars(select(AuditEvent.request_id)))
    assert written == sorted([f"r{i}" for i in range(8)] + ["good-1", "good-2"])


async def test_a_key_revoked_in_the_database_is_refused_within_the_cache_bound(
    gateway: Gateway,
) -> None:
    assert (await gateway.post("{ payers { id } }")).status_code == 200  # now remembered
    async with gateway.services.database.transaction() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.key_hash == digest(gateway.key))
            .values(revoked_at=ApiKey.created_at)
        )
    seconds = gateway.services.settings.principal_cache_seconds
    assert 0 < seconds <= 5
    # The key was remembered before the update, so that entry has ended by ``bound``: a request
    # that starts later must be refused, however long the requests take on a loaded machine.
    bound = time.monotonic() + seconds
    while True:
        started = time.monotonic()
        status = (await gateway.post("{ payers { id } }")).status_code
        if status == 401:
            break
        assert status == 200
        assert started < bound, f"let in {started - bound:.2f} s after the cache bound"
        await asyncio.sleep(0.25)


def test_principal_cache_entries_end_at_the_bound_the_key_expiry_or_a_revocation() -> None:
    principal = Principal("practice-1", "key-1", "api_key", frozenset({"claims:read"}))
    cache = PrincipalCache(seconds=5)
    cache.put("a", principal)
    cache.put("b", principal, expires_at=datetime.now(UTC) + timedelta(milliseconds=50))
    cache.put("c", principal, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert cache.get("a") is principal and cache.get("b") is principal and cache.get("c") is None
    time.sleep(0.06)
    assert cache.get("b") is None
    cache.forget_actor("key-1")
    assert cache.get("a") is None
    off = PrincipalCache(seconds=0)
    off.put("a", principal)
    assert off.get("a") is None
    small = PrincipalCache(seconds=5, max_entries=2)
    for name in "xyz":
        small.put(name, principal)
    assert [small.get(n) is not None for n in "xyz"] == [False, True, True]


async def test_payer_clients_neither_keep_nor_send_cookies() -> None:
    async def echo(request: Request) -> JSONResponse:
        response = JSONResponse({"cookie": request.headers.get("cookie")})
        response.set_cookie("session", "practice-a")
        return response

    app = Starlette(routes=[Route("/", echo)])
    async with payer_client(5.0, httpx.ASGITransport(app=app)) as client:
        first = (await client.get("http://payer.test/")).json()
        second = (await client.get("http://payer.test/")).json()
        assert first == second == {"cookie": None}
        assert dict(client.cookies) == {}


def _validation_cache(schema: Any) -> Any:
    extension = next(
        made
        for factory in schema.extensions
        if callable(factory) and isinstance(made := factory(), SchemaValidationCache)
    )
    return extension.cached_validate_document


async def test_a_repeated_document_is_validated_once() -> None:
    schema = build_schema()
    query = "{ payers { id name } }"
    await schema.execute(query)
    before = _validation_cache(schema).cache_info()
    await schema.execute(query)
    after = _validation_cache(schema).cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)


async def test_a_schema_is_freed_with_its_validation_cache() -> None:
    """strawberry's own ValidationCache is module-wide and kept every schema it validated for alive."""
    schema = build_schema()
    result = await schema.execute("{ __typename }")
    assert result.errors is None
    assert _validation_cache(schema).cache_info().currsize == 1
    freed = weakref.ref(schema._schema)
    del schema
    gc.collect()
    assert freed() is None


def test_code_lookups_are_shared_and_unknown_codes_still_kept() -> None:
    assert lookup("carc", "45") is lookup("carc", "45")
    assert lookup("carc", "45").description.startswith("Charge exceeds")
    unknown = lookup("carc", "ZZ9")
    assert unknown.code == "ZZ9" and "not in the gateway's table" in unknown.description
    assert lookup("icd10cm", "e119").code == "E11.9"
