"""TOTP seeds and webhook signing keys are sealed at rest, opened only through the models, re-sealed
by `migrate` after a key rotation, and opened again by a downgrade to before sealing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from gateway.auth.accounts import create_user
from gateway.practices import create_practice
from gateway.storage.claims_tables import Webhook
from gateway.storage.database import Database
from gateway.storage.identity_tables import LoginSession, User
from gateway.storage.migrate import downgrade, upgrade
from gateway.storage.sealed import DATA_KEYS_ENV, SEALED_PREFIX, DataKeyError, generate_key

TOTP_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
HOOK_KEY = "whsec_" + "k" * 43
ROOT = Path(__file__).resolve().parents[2]


async def _raw(database: Database) -> tuple[str, str]:
    async with database.engine.connect() as connection:
        seed = (await connection.execute(text("SELECT totp_secret FROM users"))).scalar_one()
        key = (await connection.execute(text("SELECT secret FROM webhooks"))).scalar_one()
    return seed, key


async def _opened(database: Database) -> tuple[str | None, str]:
    async with database.session() as session:
        user = await session.scalar(select(User))
        hook = await session.scalar(select(Webhook))
        assert user is not None and hook is not None
        return user.totp_secret, hook.secret


async def _seed_rows(database: Database) -> None:
    practice_id = await create_practice(
        database, "Sealing Family Practice", "1234567893", "12-3456789"
    )
    user = await create_user(
        database,
        practice_id=practice_id,
        email="sealed@elmridge.demo",
        name="Pat Sealed",
        role="biller",
        password="a long and unusual passphrase 42",
        totp_secret=TOTP_SEED,
    )
    async with database.transaction() as session:
        session.add(  # a row that refers to the user: the column change must keep it valid
            LoginSession(
                user_id=user.id,
                refresh_hash="0" * 64,
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
        session.add(
            Webhook(
                practice_id=practice_id,
                url="https://partner.example/hooks",
                secret=HOOK_KEY,
                events=["claim.status"],
            )
        )


async def test_secrets_are_sealed_at_rest_and_open_through_the_models(database: Database) -> None:
    await _seed_rows(database)
    seed, key = await _raw(database)
    assert seed.startswith(SEALED_PREFIX) and TOTP_SEED not in seed
    assert key.startswith(SEALED_PREFIX) and HOOK_KEY not in key
    assert await _opened(database) == (TOTP_SEED, HOOK_KEY)


async def test_rotation_downgrade_and_upgrade_keep_every_secret(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _seed_rows(database)
    old_seed, old_key = await _raw(database)
    old = os.environ[DATA_KEYS_ENV]
    new = generate_key()
    monkeypatch.setenv(DATA_KEYS_ENV, f"{new},{old}")  # the new key first, the old one still opens
    await upgrade(database)
    seed, key = await _raw(database)
    assert (seed, key) != (old_seed, old_key)
    opener = Fernet(new.encode())  # sealed under the new key alone now
    assert opener.decrypt(seed[len(SEALED_PREFIX) :].encode()).decode() == TOTP_SEED
    assert opener.decrypt(key[len(SEALED_PREFIX) :].encode()).decode() == HOOK_KEY
    monkeypatch.setenv(DATA_KEYS_ENV, new)  # the old key dropped
    assert await _opened(database) == (TOTP_SEED, HOOK_KEY)

    await downgrade(database, "0005_raw_exchange")  # before sealing: the values are plain again
    assert await _raw(database) == (TOTP_SEED, HOOK_KEY)
    await upgrade(database)
    seed, _ = await _raw(database)
    assert seed.startswith(SEALED_PREFIX)
    assert await _opened(database) == (TOTP_SEED, HOOK_KEY)
    async with database.session() as session:
        assert len(list(await session.scalars(select(LoginSession)))) == 1

    monkeypatch.setenv(DATA_KEYS_ENV, generate_key())  # a key that never sealed them
    with pytest.raises(DataKeyError, match="opens with none of the keys"):
        await _opened(database)
    with pytest.raises(DataKeyError, match="opens with none of the keys"):
        await upgrade(database)
    monkeypatch.setenv(DATA_KEYS_ENV, f"{old},{new}")
    await upgrade(database)  # back under the run's key, for whoever uses this database next


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_to_start_without_data_keys(command: str) -> None:
    environ = {k: v for k, v in os.environ.items() if k != DATA_KEYS_ENV}
    environ |= {"PAYER_GATEWAY_JWT_SECRET": "j" * 40, "PAYER_GATEWAY_PSEUDONYM_SECRET": "p" * 40}
    done = subprocess.run(
        [sys.executable, "-c", f"from gateway.cli import main; main([{command!r}])"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "cannot start: " in done.stderr and DATA_KEYS_ENV in done.stderr


async def test_migrate_without_a_key_says_so_when_there_are_secrets_to_seal(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        await upgrade(database)
        await _seed_rows(database)
    finally:
        await database.dispose()
    environ = {k: v for k, v in os.environ.items() if k != DATA_KEYS_ENV}
    environ["PAYER_GATEWAY_DATABASE_URL"] = database.url
    done = subprocess.run(
        [sys.executable, "-c", "from gateway.cli import main; main(['migrate'])"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"payer-gateway: {DATA_KEYS_ENV} is not set: secrets cannot be sealed or opened"
    )
