"""Apply the Alembic migrations (``payer-gateway migrate``) on the async engine's connection."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext, MigrationInfo
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.database import MIGRATIONS_DIR, Database
from gateway.storage.sealed import is_sealed, reseal, unseal

#: Columns that hold sealed secrets (gateway/storage/sealed.py), read and written as raw text here.
SEALED_COLUMNS = {"users": ("totp_secret", "totp_pending_secret"), "webhooks": ("secret",)}


@dataclass(frozen=True, slots=True)
class AppliedRevision:
    """One migration a run applied: its revision id and the first line of its docstring."""

    revision: str
    message: str


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What :func:`upgrade` did: the revisions it applied in order, and the secrets it re-sealed."""

    applied: list[AppliedRevision] = field(default_factory=list)
    resealed: int = 0


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def current_revisions(database: Database) -> frozenset[str]:
    """The revisions the database is at (empty: it was never migrated, e.g. the wrong database)."""
    async with database.engine.connect() as connection:
        heads = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
    return frozenset(heads)


async def missing_revisions(database: Database) -> list[str]:
    """Revisions this version of the gateway needs and the database lacks, oldest first. A database
    at a revision this version does not know (migrated by a newer one) lacks none: newer schemas only
    add, and refusing them would stop an older replica mid-way through a rolling upgrade."""
    current = await current_revisions(database)
    script = ScriptDirectory.from_config(_alembic_config())
    try:
        present = {s.revision for r in current for s in script.iterate_revisions(r, "base")}
    except CommandError:  # a revision this version does not know
        return []
    needed = reversed(list(script.iterate_revisions("heads", "base")))
    return [s.revision for s in needed if s.revision not in present]


async def upgrade(database: Database, revision: str = "head") -> MigrationReport:
    """Migrate, then seal every secret under the first data key (plain ones from before sealing,
    and those sealed under an older key): rotating a key is "put it first, run migrate"."""
    applied: list[AppliedRevision] = []
    scripts = ScriptDirectory.from_config(_alembic_config())

    def record(*, step: MigrationInfo, **_: Any) -> None:
        if step.is_upgrade and step.is_migration and step.up_revision_id is not None:
            script = scripts.get_revision(step.up_revision_id)
            doc = (script.doc if script is not None else "") or ""
            applied.append(AppliedRevision(step.up_revision_id, doc.strip().split("\n", 1)[0]))

    resealed = 0
    async with _migrating(database) as connection:

        def run(sync: Connection) -> None:
            config = _alembic_config(sync)
            config.attributes["on_version_apply"] = record
            command.upgrade(config, revision)

        await connection.run_sync(run)
        if revision == "head":
            resealed = await connection.run_sync(reseal_sealed_columns)
    return MigrationReport(applied, resealed)


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
