"""Rows of the export's queries as Arrow record batches, made in C by the ADBC drivers.

An export reads millions of rows; a Python object per row or per cell is what made it slow (the
``sqlite3`` and asyncpg rows, then the garbage collector scanning them). Apache Arrow's ADBC
drivers (``adbc-driver-postgresql``, ``adbc-driver-sqlite``) hand back record batches instead, which
columns.py converts in Arrow compute. One connection serves the whole export, in one read-only
snapshot, so the five tables agree with each other:

- PostgreSQL: ``BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY``. The driver streams a query only
  when it has no bound parameters (it runs it as ``COPY (...) TO STDOUT (FORMAT binary)``; with
  parameters it would hold the whole result in memory), so the statement is compiled with its
  values inlined as SQL literals. They are ours, never raw input: the practice id comes from the
  principal, dates are ``date`` objects, payer ids matched ``_PAYER_ID`` (request.py), and
  SQLAlchemy escapes them as literals all the same.
- SQLite: read-only (``mode=ro``), in one read transaction. The driver infers each column's type
  from the first batch, so every query starts with a typed first row (tables.py) that is dropped
  here: without it a column that is NULL throughout the first batch becomes int64 and the next
  batch holding text fails.

ADBC calls block, so each one runs in a worker thread (the drivers and Arrow release the GIL).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
from sqlalchemy import CompoundSelect, Select
from sqlalchemy.engine import URL

from gateway.storage.database import Database

T = TypeVar("T")

#: Bytes per row the PostgreSQL driver is told to aim for (its batches are sized in bytes).
_PG_BYTES_PER_ROW = 256


class BatchReader:
    """One export's connection: ``batches`` of each table's statement, one statement at a time."""

    def __init__(self, database: Database, connection: Any) -> None:
        self._database = database
        self._connection = connection
        self._postgres = database.engine.dialect.name == "postgresql"
        self._busy: asyncio.Future[Any] | None = None

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        # Shielded: a cancelled export must not close the connection under a running call.
        self._busy = asyncio.ensure_future(asyncio.to_thread(function, *args))
        result = await asyncio.shield(self._busy)
        self._busy = None
        return result

    async def settle(self) -> None:
        if self._busy is not None:
            await asyncio.wait([self._busy])
            self._busy = None

    async def batches(
        self, statement: Select[Any] | CompoundSelect[Any], batch_rows: int
    ) -> AsyncIterator[pa.RecordBatch]:
        cursor = self._connection.cursor()
        try:
            if self._postgres:
                options = {
                    "adbc.postgresql.batch_size_hint_bytes": str(batch_rows * _PG_BYTES_PER_ROW)
                }
                sql = _inlined(self._database, statement)
                await self._call(_execute, cursor, options, sql, None)
            else:
                options = {"adbc.sqlite.query.batch_rows": str(batch_rows)}
                sql, params = _compiled(self._database, statement)
                await self._call(_execute, cursor, options, sql, params)
            reader = await self._call(cursor.fetch_record_batch)
            first = not self._postgres  # SQLite's typed first row (see the module docstring)
            while (batch := await self._call(_next, reader)) is not None:
                if first:
                    batch, first = batch.slice(1), False
                if batch.num_rows:
                    yield batch
        finally:
            await self.settle()
            await asyncio.to_thread(cursor.close)  # may wait on the server: not on the event loop


def _execute(cursor: Any, options: dict[str, str], sql: str, params: list[Any] | None) -> None:
    cursor.adbc_statement.set_options(**options)
    cursor.execute(sql, params)


def _next(reader: pa.RecordBatchReader) -> pa.RecordBatch | None:
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


def _inlined(database: Database, statement: Select[Any] | CompoundSelect[Any]) -> str:
    done = statement.compile(
        dialect=database.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    return str(done)


def _compiled(
    database: Database, statement: Select[Any] | CompoundSelect[Any]
) -> tuple[str, list[Any]]:
    """The statement's SQL with ``?`` placeholders and its parameters in order (dates as ISO text,
    as SQLite keeps them)."""
    done = statement.compile(
        dialect=database.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = [done.params[name] for name in done.positiontup or ()]
    return str(done), [v.isoformat() if hasattr(v, "isoformat") else v for v in params]


@asynccontextmanager
async def open_reader(database: Database) -> AsyncIterator[BatchReader]:
    """A read-only snapshot of the database for one export, closed on the way out."""
    if database.engine.dialect.name == "postgresql":
        connection = await asyncio.to_thread(_postgres, database.engine.url)
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        settings: tuple[str, ...] = ("SET LOCAL work_mem = '64MB'",)  # sorts in memory, not files
    else:
        connection = await asyncio.to_thread(_sqlite, database.engine.url.database)
        begin, settings = "BEGIN", ()
    reader = BatchReader(database, connection)
    try:
        for sql in (begin, *settings):
            await reader._call(_run, connection, sql)
        yield reader
    finally:
        await reader.settle()
        await asyncio.to_thread(_close, connection)


def _run(connection: Any, sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _close(connection: Any) -> None:
    try:
        _run(connection, "ROLLBACK")  # read only: nothing to keep
    finally:
        connection.close()


def _postgres(url: URL) -> Any:
    import adbc_driver_postgresql.dbapi

    # libpq's URI: asyncpg's driver name dropped; its ``ssl`` option is libpq's ``sslmode``.
    query = dict(url.query)
    if "ssl" in query:
        query["sslmode"] = query.pop("ssl")
    libpq = url.set(drivername="postgresql", query=query)
    return adbc_driver_postgresql.dbapi.connect(
        libpq.render_as_string(hide_password=False), autocommit=True
    )


def _sqlite(path: str | None) -> Any:
    import adbc_driver_sqlite.dbapi

    if not path or path == ":memory:":
        raise ValueError("exports read an SQLite database from its file")
    # Read-only: an export can never write, and WAL lets writers go on meanwhile.
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    return adbc_driver_sqlite.dbapi.connect(uri, autocommit=True)
