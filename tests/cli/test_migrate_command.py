"""``payer-gateway migrate`` says which database it migrated (password hidden) and what it applied;
the other commands refuse a database that lacks migrations, naming the command that fixes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gateway.storage.database import MIGRATIONS_DIR, Database
from gateway.storage.migrate import upgrade
from tests.cli.conftest import RunCommand
from tests.cli.test_command_failures import PRACTICE


def _all_revisions() -> list[str]:
    """Every revision id in the migrations folder, from the files themselves."""
    revisions = []
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision = "):
                revisions.append(line.split("=", 1)[1].strip().strip('"'))
    return revisions


def _chain() -> dict[str, tuple[str, ...]]:
    """revision -> the revisions it revises (two for a merge revision), from the files."""
    revises: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        revision, down = None, ()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("revision = "):
                revision = line.split("=", 1)[1].strip().strip('"')
            elif line.startswith("down_revision = "):
                value = line.split("=", 1)[1].strip().strip("()")
                down = tuple(v.strip().strip('"') for v in value.split(",") if v.strip() != "None")
        assert revision is not None
        revises[revision] = down
    return revises


#: The one revision nothing revises, and the one it revises (a plain revision, not a merge).
HEAD = next(r for r in _chain() if all(r not in downs for downs in _chain().values()))
(BEFORE_HEAD,) = _chain()[HEAD]


def _applied(stdout: str) -> list[str]:
    return [
        line.split()[1].rstrip(":") for line in stdout.splitlines() if line.startswith("applied ")
    ]


def test_migrate_lists_each_revision_it_applied_then_nothing(
    run_command: RunCommand, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    first = run_command("migrate", database=url)
    assert first.code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"database: {url}"
    assert sorted(_applied(first.stdout)) == sorted(_all_revisions())
    assert "applied 0001: practices, api keys, patients, coverages" in lines
    assert lines[-1] == f"database is at the latest migration ({HEAD})"

    again = run_command("migrate", database=url)
    assert again.code == 0 and _applied(again.stdout) == []
    assert again.stdout.splitlines()[-1] == (
        f"nothing to apply: database was already at the latest migration ({HEAD})"
    )


def test_a_database_behind_is_refused_until_migrate_applies_the_rest(
    run_command: RunCommand, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'older.db'}"

    async def migrate_to_an_older_version() -> None:
        database = Database(url)
        try:
            await upgrade(database, BEFORE_HEAD)
        finally:
            await database.dispose()

    asyncio.run(migrate_to_an_older_version())
    refused = run_command(*PRACTICE, database=url)
    assert refused.code == 1
    assert f"lacks 1 migration(s) this version needs (from {HEAD})" in refused.line
    assert f"run `payer-gateway migrate` with PAYER_GATEWAY_DATABASE_URL={url}" in refused.line

    migrated = run_command("migrate", database=url)
    assert _applied(migrated.stdout) == [HEAD]
    assert run_command(*PRACTICE, database=url).code == 0


def test_on_postgresql_the_password_is_never_shown(
    run_command: RunCommand, empty_postgres: str
) -> None:
    password = empty_postgres.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    shown = empty_postgres.replace(f":{password}@", ":***@")

    refused = run_command(*PRACTICE, database=empty_postgres)
    assert refused.code == 1 and f"the database at {shown} has no gateway tables" in refused.line

    migrated = run_command("migrate", database=empty_postgres)
    assert migrated.code == 0, migrated.stderr
    assert migrated.stdout.splitlines()[0] == f"database: {shown}"
    assert sorted(_applied(migrated.stdout)) == sorted(_all_revisions())

    created = run_command(*PRACTICE, database=empty_postgres)
    assert created.code == 0, created.stderr
    again = run_command(*PRACTICE, database=empty_postgres)
    assert again.code == 2 and "already exists" in again.line
    for outcome in (refused, migrated, created, again):
        assert password not in outcome.stdout + outcome.stderr
