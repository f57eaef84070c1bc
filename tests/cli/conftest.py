"""Run the real ``payer-gateway`` command in a subprocess, as its user would, on a database of the test's."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.storage.database import Database
from gateway.storage.migrate import upgrade

PG_URL_ENV = "PAYER_GATEWAY_TEST_DATABASE_URL"

#: Enough for `serve` and `worker` to get past their secrets (the data key is the run's, see conftest).
SERVE_SECRETS = {"PAYER_GATEWAY_JWT_SECRET": "j" * 40, "PAYER_GATEWAY_PSEUDONYM_SECRET": "p" * 40}


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def line(self) -> str:
        """The one line a failure prints (asserting that it is one line, and no traceback anywhere)."""
        assert "Traceback" not in self.stdout + self.stderr, self.stderr
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("payer-gateway"), lines[0]
        return lines[0]


RunCommand = Callable[..., Outcome]


@pytest.fixture
def run_command(tmp_path: Path) -> RunCommand:
    """``run_command(*args, database=url, env={...})``: the command's exit code and output. It runs in
    an empty folder with no PAYER_GATEWAY_* variables but the data key and those given."""

    def run(*args: str, database: str | None = None, env: dict[str, str] | None = None) -> Outcome:
        environ = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PAYER_GATEWAY_") or k == "PAYER_GATEWAY_DATA_KEYS"
        }
        if database is not None:
            environ["PAYER_GATEWAY_DATABASE_URL"] = database
        environ.update(env or {})
        done = subprocess.run(
            [sys.executable, "-m", "gateway.cli", *args],
            cwd=tmp_path,
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        return Outcome(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    """An SQLite file that exists but holds no tables (another program's, or never migrated)."""
    path = tmp_path / "empty.db"
    path.touch()
    return f"sqlite:///{path}"


@pytest.fixture
def migrated_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"

    async def migrate() -> None:
        database = Database(url)
        try:
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(migrate())
    return url


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, its URL carrying a password (the server trusts loopback,
    so the password is only there to be hidden), dropped afterwards."""
    base = os.environ.get(PG_URL_ENV)
    if not base:
        pytest.skip(f"{PG_URL_ENV} not set")
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(base).set(drivername="postgresql")
    admin = url.render_as_string(hide_password=False)
    name = f"pgw_cli_{uuid.uuid4().hex[:10]}"

    async def admin_sql(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name, password=url.password or "not-shown-pw").render_as_string(
            hide_password=False
        )
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
