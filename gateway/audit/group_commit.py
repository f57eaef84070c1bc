"""Audit rows of concurrent requests written together, each request still waiting for its own commit.

Nothing is queued past the request: :meth:`GroupCommit.write` returns only once the rows are
committed (or raises), so a response that shows PHI never leaves before its audit row is durable,
and a crash can lose no event of a response already sent. While one transaction is being written,
the rows of requests that arrive meanwhile gather and go in the next one: under load many requests
share one transaction (SQLite takes one writer at a time, and a writer that finds the file locked
backs off for up to 100 ms), and an idle gateway writes at once. If a shared transaction fails, each
request's rows are tried again on their own, so one request's bad row never fails another's.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from typing import Any

from sqlalchemy import Insert, insert

from gateway.storage.audit_tables import AuditEvent
from gateway.storage.database import Database

Rows = list[dict[str, Any]]


class GroupCommit:
    """One writer per database and event loop; see the module docstring."""

    def __init__(self, database: Database, loop: asyncio.AbstractEventLoop) -> None:
        self.database = database
        self.loop = loop
        self._waiting: list[tuple[Rows, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, rows: Rows) -> None:
        """Insert ``rows`` in one transaction (possibly shared); returns once they are committed."""
        committed: asyncio.Future[None] = self.loop.create_future()
        self._waiting.append((rows, committed))
        if self._writer is None or self._writer.done():
            self._writer = self.loop.create_task(self._drain())
        await committed

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._insert([row for rows, _ in batch for row in rows])
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                for rows, committed in batch:  # alone, so only the request whose rows fail fails
                    try:
                        await self._insert(rows)
                    except Exception as own:
                        _settle(committed, own)
                    else:
                        _settle(committed, None)
            else:
                for _, committed in batch:
                    _settle(committed, None)

    async def _insert(self, rows: Rows) -> None:
        async with self.database.engine.begin() as connection:
            await connection.execute(_insert_events(), rows)


@functools.cache
def _insert_events() -> Insert:
    # One statement object for every write: SQLAlchemy memoizes its cache key, so it is not
    # worked out again per request.
    return insert(AuditEvent)


def _settle(committed: asyncio.Future[None], error: Exception | None) -> None:
    if committed.done():  # the request was cancelled meanwhile (its rows are written all the same)
        return
    if error is None:
        committed.set_result(None)
    else:
        committed.set_exception(error)


_WRITERS: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()


def group_commit(database: Database) -> GroupCommit:
    """The writer of ``database`` on the running event loop."""
    loop = asyncio.get_running_loop()
    writer = _WRITERS.get(database)
    if writer is None or writer.loop is not loop:
        writer = _WRITERS[database] = GroupCommit(database, loop)
    return writer
