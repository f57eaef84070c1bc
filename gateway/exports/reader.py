"""Rows of one export query in batches, straight from the driver: no ORM, no per-row Row objects.

An export reads millions of rows, and every Python object made per row or per cell costs time, so
the statement is compiled once and run on the driver itself: on PostgreSQL an asyncpg cursor in a
read-only transaction (a server-side cursor: the server holds the result, we hold one batch), on
SQLite a ``sqlite3`` connection of its own, read-only, stepped ``batch_rows`` at a time in a worker
thread (aiosqlite would hop threads for each call and SQLAlchemy would wrap each row). Values come
back as the SQL makes them (text for money and dates, see columns.py), one tuple per row.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select

from gateway.storage.database import Database


def compiled(database: Database, statement: Select[Any]) -> tuple[str, list[Any]]:
    """The statement's SQL in the driver's paramstyle and its parameters in order."""
    done = statement.compile(
        dialect=database.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    sqlite = database.engine.dialect.name == "sqlite"
    params = [_raw(done.params[name], sqlite) for name in done.positiontup or ()]
    return str(done), params


def _raw(value: Any, sqlite: bool) -> Any:
    # SQLAlchemy's bind processors are skipped here: SQLite keeps dates as ISO text.
    if sqlite and isinstance(value, date | datetime):
        return value.isoformat()
    return value


async def batches(
    database: Database, statement: Select[Any], batch_rows: int
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    sql, params = compiled(database, statement)
    if database.engine.dialect.name == "postgresql":
        async for rows in _postgres(database, sql, params, batch_rows):
            yield rows
    else:
        async for rows in _sqlite(database, sql, params, batch_rows):
            yield rows


async def _postgres(
    database: Database, sql: str, params: list[Any], batch_rows: int
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    async with database.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        async with raw.transaction(readonly=True, isolation="repeatable_read"):
            # Plan for the whole result (a cursor otherwise favours the first rows), and sort the
            # slice in memory rather than in temporary files: both for this transaction only.
            await raw.execute("SET LOCAL cursor_tuple_fraction = 1")
            await raw.execute("SET LOCAL work_mem = '64MB'")
            cursor = await raw.cursor(sql, *params)
            while rows := await cursor.fetch(batch_rows):
                yield rows


async def _sqlite(
    database: Database, sql: str, params: list[Any], batch_rows: int
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    path = database.engine.url.database
    if not path or path == ":memory:":
        raise ValueError("exports read an SQLite database from its file")
    connection = await asyncio.to_thread(_read_only, path)
    try:
        cursor = await asyncio.to_thread(connection.execute, sql, params)
        while rows := await asyncio.to_thread(cursor.fetchmany, batch_rows):
            yield rows
    finally:
        connection.close()


def _read_only(path: str) -> sqlite3.Connection:
    # One thread at a time uses it (each fetch is awaited before the next), hence no same-thread
    # check. Read-only: an export can never write, and WAL lets writers go on meanwhile.
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)
