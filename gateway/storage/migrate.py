"""Apply the Alembic migrations (``payer-gateway migrate``) on the async engine's connection."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.database import MIGRATIONS_DIR, Database
from gateway.storage.sealed import is_sealed, reseal, unseal

#: Columns that hold sealed secrets (gateway/storage/sealed.py), read and written as raw text here.
SEALED_COLUMNS = {"users": ("totp_secret", "totp_pending_secret"), "webhooks": ("secret",)}


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    """Migrate, then seal every secret under the first data key (plain ones from before sealing,
    and those sealed under an older key): rotating a key is "put it first, run migrate"."""
    async with _migrating(database) as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))
        if revision == "head":
            await connection.run_sync(reseal_sealed_columns)


def reseal_sealed_columns(connection: Connection) -> int:
    """Seal (or re-seal under the first key) every stored secret; the number rewritten."""
    return _rewrite(connection, reseal)


def open_sealed_columns(connection: Connection) -> int:
    """Store every sealed secret opened again (a downgrade to before sealing needs them plain)."""
    return _rewrite(connection, lambda stored: unseal(stored) if is_sealed(stored) else stored)


def _rewrite(connection: Connection, change: Callable[[str], str]) -> int:
    rewritten = 0
    for name, columns in SEALED_COLUMNS.items():
        rows = table(name, column("id"), *(column(c) for c in columns))
        for row in connection.execute(select(rows)).mappings():
            values = {c: change(row[c]) for c in columns if row[c] is not None}
            values = {c: v for c, v in values.items() if v != row[c]}
            if values:
                connection.execute(update(rows).where(rows.c.id == row["id"]).values(values))
                rewritten += 1
    return rewritten


async def downgrade(database: Database, revision: str = "base") -> None:
    async with _migrating(database) as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), revision))


@contextlib.asynccontextmanager
async def _migrating(database: Database) -> AsyncIterator[AsyncConnection]:
    """One transaction for the whole run. On SQLite, foreign keys are off meanwhile and checked at the
    end, as SQLite's ALTER TABLE guide prescribes: a column change rebuilds the table, and dropping
    the old copy of a table other rows refer to would fail with them on. (The pragma has no effect
    inside a transaction, hence before it; no DML has run yet on this connection.)"""
    async with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                yield connection
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"migration left {len(broken)} broken references")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
