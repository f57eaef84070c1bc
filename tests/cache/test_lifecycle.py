"""The app closes everything it opened (payer HTTP clients, cache, limiter, status bus, database),
even when what runs inside its lifespan fails: a connection left open outlives its event loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cache.fixtures import open_gateway

SUMMARY = """
query S($id: ID!) { patient(id: $id) { eligibility { payer { id } active } claims(status: ALL) { fromCache } } }"""


def _our_local_ports() -> set[int]:
    """The local TCP ports of this process's sockets (Linux /proc): other processes share the Redis
    test database (a parallel run, CI), so only this process's connections are counted."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _redis_clients(cache_url: str) -> int:
    import redis

    client = redis.Redis.from_url(cache_url)
    database = str(client.connection_pool.connection_kwargs.get("db", 0))
    try:
        ours = _our_local_ports()
        # every connection of this process to the test database but this one
        return (
            sum(
                1
                for c in client.client_list()
                if c.get("db") == database and int(c["addr"].rsplit(":", 1)[1]) in ours
            )
            - 1
        )
    finally:
        client.close()


async def test_a_failing_body_still_closes_every_connection_the_app_opened(
    database, world, cache_url, cache_namespace
) -> None:  # type: ignore[no-untyped-def]
    on_redis = cache_url.startswith("redis")
    before = _redis_clients(cache_url) if on_redis else 0
    with pytest.raises(RuntimeError, match="the caller's code failed"):
        async with open_gateway(
            database, world, cache_url=cache_url, namespace=cache_namespace
        ) as gateway:
            patient_id = next(iter(gateway.patient_ids.values()))
            body = await gateway.query(SUMMARY, {"id": patient_id})
            assert "errors" not in body, body.get("errors")
            clients = list(gateway.services.payers._clients)
            if on_redis:  # the cache and the status bus are connected
                assert _redis_clients(cache_url) > before
            raise RuntimeError("the caller's code failed")
    assert clients and all(client.is_closed for client in clients)
    if on_redis:
        assert _redis_clients(cache_url) == before
