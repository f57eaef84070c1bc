"""Engine and sessions. SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) works the same."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from gateway.storage.sqlite_one_hop import use_one_hop_cursors

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def normalize_url(url: str) -> str:
    """Accept plain ``sqlite:///`` / ``postgresql://`` URLs and pick the async driver."""
    parsed = make_url(url)
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    url = normalize_url(url)
    # hide_parameters: SQL errors must never carry patient data into logs. A pre-ping (one more round
    # trip per checkout) guards against a server that dropped the connection; an SQLite file cannot.
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    pool: dict[str, Any] = {}
    if (
        sqlite
        and parsed.database not in (None, "", ":memory:")
        and parsed.query.get("mode") != "memory"
    ):
        # The same 15 connections at most as SQLAlchemy's default (5 kept + 10 overflow), all kept:
        # an overflow connection is closed on return, and on aiosqlite each one is a new thread,
        # a file open and three PRAGMAs, which under concurrent requests was paid over and over.
        pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 0}
    engine = create_async_engine(url, hide_parameters=True, pool_pre_ping=not sqlite, **pool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "connect", use_one_hop_cursors)
        _skip_idle_rollbacks(engine.dialect)
    return engine


def _skip_idle_rollbacks(dialect: Any) -> None:
    """No ROLLBACK round trip to aiosqlite's thread when the connection has no transaction open.

    SQLAlchemy rolls back every connection it is done with, reads included; through aiosqlite that
    is one more hop to the connection's thread per read. sqlite3 opens a transaction only before a
    write, and its ``rollback()`` does nothing outside one, so asking ``in_transaction`` first (an
    attribute read, no hop) changes nothing but the cost.
    """
    rollback = dialect.do_rollback

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            idle = not dbapi_connection.driver_connection.in_transaction
        except ValueError:  # aiosqlite's connection already closed: let the driver decide
            idle = False
        if not idle:
            rollback(dbapi_connection)

    dialect.do_rollback = do_rollback


#: Connections an SQLite file's pool keeps (and its limit): SQLAlchemy's default 5 + 10 overflow.
SQLITE_POOL_SIZE = 15


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


#: How long a writer waits for its turn before leaving it to SQLite's busy handler (its timeout).
TURN_WAIT_SECONDS = 5.0


@dataclass(eq=False)
class _WriteTurn:
    """A first-come-first-served turn to write, and the task that holds it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holder: asyncio.Task[Any] | None = None


class Database:
    """The engine plus a session factory; one per process."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite = self.engine.dialect.name == "sqlite"
        self._write_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _WriteTurn] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.write_turn(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write_turn(self) -> AsyncIterator[None]:
        """Wait for this process's turn to write, on SQLite (a no-op on PostgreSQL).

        SQLite lets one connection write at a time; the others wait in its busy handler, which
        sleeps up to 100 ms between tries, so under steady writes (a batch's lanes and its results
        writer) a waiting writer, an interactive check's audit row say, can lose hundreds of ms
        sleeping. Waiting in the event loop, first come first served, costs no sleep. A task that
        already holds the turn (a transaction opened inside another) goes on, and a turn not had
        within the busy timeout is skipped, so a transaction that waits on another task's write
        ends up in SQLite's busy handler as before instead of waiting forever.
        """
        if not self._sqlite:
            yield
            return
        loop = asyncio.get_running_loop()
        turn = self._write_turns.get(loop)
        if turn is None:
            turn = self._write_turns[loop] = _WriteTurn()
        task = asyncio.current_task()
        if task is not None and turn.holder is task:
            yield  # a transaction inside our own: the turn is ours already
            return
        try:
            await asyncio.wait_for(turn.lock.acquire(), TURN_WAIT_SECONDS)
        except TimeoutError:
            yield  # SQLite's busy handler decides, as without turns
            return
        turn.holder = task
        try:
            yield
        finally:
            turn.holder = None
            turn.lock.release()

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
