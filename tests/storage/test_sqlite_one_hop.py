"""The one-hop SQLite cursor (gateway/storage/sqlite_one_hop.py) against SQLAlchemy's own.

Every statement kind the gateway uses gives the same rows, row counts, last row ids and errors on an
engine with one-hop cursors as on a plain aiosqlite engine, and costs one trip to aiosqlite's thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.storage.database import Database
from gateway.storage.sqlite_one_hop import OneHopConnection, use_one_hop_cursors


def _engines(tmp_path: Path) -> tuple[AsyncEngine, AsyncEngine]:
    plain = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}")
    one_hop = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'one_hop.db'}")
    event.listen(one_hop.sync_engine, "connect", use_one_hop_cursors)
    return plain, one_hop


async def _script(engine: AsyncEngine) -> list[Any]:
    """What a caller sees of each kind of statement, errors included."""
    seen: list[Any] = []
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, amount TEXT)")
        )
        one = await connection.execute(
            text("INSERT INTO t (name, amount) VALUES (:n, :a)"), {"n": "first", "a": "12.50"}
        )
        seen.append(("insert", one.rowcount, one.lastrowid))
        many = await connection.execute(
            text("INSERT INTO t (name, amount) VALUES (:n, :a)"),
            [{"n": f"n{i}", "a": f"{i}.05"} for i in range(5)],
        )
        seen.append(("executemany", many.rowcount))
        returned = await connection.execute(
            text("INSERT INTO t (name, amount) VALUES ('ret', '1.00') RETURNING id, name")
        )
        seen.append(("returning", returned.all()))
        rows = await connection.execute(text("SELECT id, name, amount FROM t ORDER BY id"))
        seen.append(("select", list(rows.keys()), rows.all()))
        empty = await connection.execute(text("SELECT id FROM t WHERE name = 'nobody'"))
        seen.append(("empty", list(empty.keys()), empty.all()))
        first = await connection.execute(text("SELECT name FROM t ORDER BY id"))
        seen.append(("first", first.first()))
        scalar = await connection.scalar(text("SELECT count(*) FROM t"))
        seen.append(("scalar", scalar))
        updated = await connection.execute(text("UPDATE t SET amount = '0' WHERE id > 3"))
        seen.append(("update", updated.rowcount))
    for statement, error in [
        ("INSERT INTO t (name) VALUES ('first')", exc.IntegrityError),
        ("SELEC nothing", exc.OperationalError),
        ("SELECT * FROM no_such_table", exc.OperationalError),
    ]:
        async with engine.begin() as connection:
            with pytest.raises(error) as raised:
                await connection.execute(text(statement))
            seen.append(("error", type(raised.value).__name__, str(raised.value.orig)))
    async with engine.connect() as connection:  # the failed transactions left nothing behind
        seen.append(("after", await connection.scalar(text("SELECT count(*) FROM t"))))
    await engine.dispose()
    return seen


async def test_every_statement_kind_answers_as_sqlalchemys_own_cursor(tmp_path: Path) -> None:
    plain, one_hop = _engines(tmp_path)
    expected = await _script(plain)
    assert await _script(one_hop) == expected
    assert ("insert", 1, 1) in expected and ("executemany", 5) in expected


async def test_a_statement_is_one_trip_to_the_connection_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    plain, one_hop = _engines(tmp_path)
    counts = []
    for engine in (plain, one_hop):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))  # the connection is made and set up
            trips.clear()
            rows = (await connection.execute(text("SELECT 1, 'a'"))).all()
            counts.append(len(trips))
            assert rows == [(1, "a")]
        await engine.dispose()
    assert counts[1] == 1
    assert counts[0] >= 3  # SQLAlchemy's own: cursor, execute, fetchall (and a close)


async def test_the_gateways_sqlite_engine_uses_one_hop_cursors(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert type(raw.dbapi_connection) is OneHopConnection
            assert (await connection.execute(text("SELECT 2"))).scalar() == 2
    finally:
        await database.dispose()
