"""The database a command works on: reachable, migrated, and named without its password."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from gateway.cli.failures import DATABASE_URL_ENV, USAGE, CommandFailure
from gateway.storage.database import Database
from gateway.storage.migrate import current_revisions, missing_revisions

_BACKENDS = {"sqlite", "postgresql"}
_SECRET_KEY = re.compile(r"pass|secret|token|key", re.IGNORECASE)


def shown_url(url: str) -> str:
    """The URL as it may be printed: the password, also one passed as a query parameter, as ***."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    secret = {key: "***" for key in parsed.query if _SECRET_KEY.search(key)}
    shown = parsed.update_query_dict(secret).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")  # the query's placeholder, as the password's


def migrate_hint(url: str) -> str:
    return f"run `payer-gateway migrate` with {DATABASE_URL_ENV}={shown_url(url)}"


@asynccontextmanager
async def opened_database(url: str, *, migrated: bool = True) -> AsyncIterator[Database]:
    """The database at ``url``, checked reachable and (unless ``migrated`` is False, as for
    ``migrate`` itself) migrated to this version; each way it can fail is a CommandFailure."""
    try:
        backend = make_url(url).get_backend_name()
        database = Database(url) if backend in _BACKENDS else None
    except (ArgumentError, ImportError):  # unparseable, or a dialect whose driver is not installed
        database = None
    if database is None:
        raise CommandFailure(
            f"{DATABASE_URL_ENV} is not a database URL this gateway can use (e.g. "
            "sqlite:///payer-gateway.db or postgresql://user:password@host:5432/name)",
            USAGE,
        )
    try:
        if migrated:
            _require_sqlite_file(url)
        await _require_reachable(database, url)
        if migrated:
            await _require_migrated(database, url)
        yield database
    finally:
        await database.dispose()


def _require_sqlite_file(url: str) -> None:
    """SQLite creates a missing file on connect: a mistyped path would become an empty database."""
    parsed = make_url(url)
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path and path != ":memory:":
        if not Path(path).is_file():
            raise CommandFailure(
                f"no database file at {Path(path).resolve()}: check {DATABASE_URL_ENV}, or "
                f"{migrate_hint(url)} to create it"
            )


async def _require_reachable(database: Database, url: str) -> None:
    try:
        await database.ping()
    except TypeError as exc:  # a query option the driver does not take, e.g. libpq's sslmode
        raise CommandFailure(
            f"the driver refuses an option of {DATABASE_URL_ENV} ({str(exc)[:200]}): "
            "see the URL options of SQLAlchemy's sqlite or asyncpg dialect",
            USAGE,
        ) from None
    except (OSError, DBAPIError) as exc:
        # Messages from connecting carry no SQL and no data: the server's or the OS's reason.
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc.strerror or exc)
        reason = (reason.strip().splitlines() or [type(exc).__name__])[0][:200]
        if database.engine.dialect.name == "sqlite":
            raise CommandFailure(
                f"cannot open the SQLite file {make_url(url).database} ({reason}): is "
                f"{DATABASE_URL_ENV} right (its folder must exist and be writable)?"
            ) from None
        raise CommandFailure(
            f"cannot reach the database at {shown_url(url)} ({reason}): is it running, "
            f"and is {DATABASE_URL_ENV} right?"
        ) from None


async def _require_migrated(database: Database, url: str) -> None:
    if not await current_revisions(database):
        raise CommandFailure(
            f"the database at {shown_url(url)} has no gateway tables (wrong database, or not "
            f"migrated yet): {migrate_hint(url)}"
        )
    missing = await missing_revisions(database)
    if missing:
        raise CommandFailure(
            f"the database at {shown_url(url)} lacks {len(missing)} migration(s) this version "
            f"needs (from {missing[0]}): {migrate_hint(url)}"
        )
