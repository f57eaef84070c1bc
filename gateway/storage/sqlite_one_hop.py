"""SQLite statements in one trip to aiosqlite's thread instead of three or four.

SQLAlchemy's aiosqlite adapter drives aiosqlite's async cursor: it creates the cursor, executes,
fetches the rows and closes the cursor, and each of those is a trip to the connection's thread and
back (a queue put, a thread wake-up and a ``call_soon_threadsafe`` wake-up of the loop). A read on the
request path paid four of them and an INSERT three. Here a cursor runs the whole statement (execute,
fetch every row, close) as one function on that thread and keeps what the caller reads afterwards
(rows, description, rowcount, lastrowid), as SQLAlchemy's own adapter does with its buffered rows.

Errors go through the adapter's own ``_handle_exception``, so SQLAlchemy raises the same DBAPI
exceptions. Server-side cursors (``stream_results``) keep SQLAlchemy's own class. This uses
aiosqlite's ``Connection._execute`` (the queue SQLAlchemy's adapter also uses directly) and the
adapter's ``_execute_mutex``; ``tests/storage/test_sqlite_one_hop.py`` holds both to the results and
errors of SQLAlchemy's own cursor.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import await_

_Outcome = tuple[Any, list[Any], int, int | None]


def _run_statement(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """On aiosqlite's thread: the whole statement, its rows read and its cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement is one trip to the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor is made here: that was a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:  # type: ignore[override]
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass  # every row is read at once anyway

    async def _async_soft_close(self) -> None:
        pass  # the statement's cursor is already closed on the thread

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        return self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            await_(self._run_async(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run_async(self, operation: Any, parameters: Any, many: bool) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            description, rows, rowcount, lastrowid = await connection._execute(
                _run_statement, connection._conn, operation, parameters, many
            )
        self._description = description
        self._rows = collections.deque(rows)
        self._rowcount = rowcount
        self._lastrowid = lastrowid

    def nextset(self) -> None:
        return None  # sqlite3 has no further result sets

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection with :class:`OneHopCursor` as its buffered cursor."""

    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]


def use_one_hop_cursors(dbapi_connection: Any, _record: Any = None) -> None:
    """A ``connect`` event listener: the new connection's buffered cursors are one-hop cursors."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneHopConnection
