"""The in-memory cache backend (gateway/cache/backends.py): bound, eviction order, TTL."""

from __future__ import annotations

import asyncio

from gateway.cache.backends import MemoryBackend


async def test_the_least_recently_used_entry_goes_first() -> None:
    backend = MemoryBackend(max_entries=2)
    await backend.set("a", 1, ttl=60)
    await backend.set("b", 2, ttl=60)
    assert await backend.get("a") == 1  # used: "b" is now the least recently used
    await backend.set("c", 3, ttl=60)
    assert [await backend.get(k) for k in "abc"] == [1, None, 3]
    await backend.set("c", 30, ttl=60)  # replaced in place: nothing evicted
    assert [await backend.get(k) for k in "ac"] == [1, 30]


async def test_an_entry_is_gone_after_its_ttl_and_no_ttl_keeps_it() -> None:
    backend = MemoryBackend(max_entries=10)
    value = {"answer": object()}  # kept as is, not a copy
    await backend.set("short", value, ttl=0.05)
    await backend.set("kept", "v", ttl=0)
    assert await backend.get("short") is value
    await asyncio.sleep(0.08)
    assert await backend.get("short") is None
    assert await backend.get("kept") == "v"


async def test_delete_tags_and_clear() -> None:
    backend = MemoryBackend(max_entries=10)
    for key in "xyz":
        await backend.set(key, key, ttl=60)
    await backend.add_to_tags(["t"], "x", ttl=60)
    await backend.add_to_tags(["t"], "y", ttl=60)
    assert sorted(await backend.pop_tags(["t"])) == ["x", "y"]
    assert [await backend.get(k) for k in "xyz"] == [None, None, "z"]
    await backend.delete(["z", "never-set"])
    assert await backend.get("z") is None
    await backend.set("w", 1, ttl=60)
    await backend.close()
    assert await backend.get("w") is None
