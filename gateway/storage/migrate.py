"""Apply the Alembic migrations (``payer-gateway migrate``) on the async engine's connection."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from gateway.storage.database import MIGRATIONS_DIR, Database


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(database: Database, revision: str = "head") -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


async def downgrade(database: Database, revision: str = "base") -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), revision))
