"""Every way a user can make ``payer-gateway`` fail gives one line saying what is wrong and how to
fix it, and a non-zero exit code; never a traceback, a password, SQL or patient data."""

from __future__ import annotations

import argparse
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gateway.cli import build_parser
from gateway.cli.commands import load_settings
from gateway.cli.failures import explain
from gateway.cli.parser import scope_list
from gateway.config import SettingsError
from gateway.storage.database import Database
from tests.cli.conftest import SERVE_SECRETS, RunCommand

NPI = "1234567893"
PRACTICE = ["create-practice", "--name", "Elm Ridge", "--npi", NPI, "--tax-id", "12-3456789"]
PASSWORD = {"PAYER_GATEWAY_OPERATOR_PASSWORD": "violet-harbor-tessellate-42"}
NEEDS_TABLES = {
    "create-practice": PRACTICE,
    "create-api-key": ["create-api-key", "--practice", "0b5e1c9e-0000-4000-8000-000000000000"],
    "create-operator": ["create-operator", "--email", "ops@gateway.example", "--name", "Ops"],
    "serve": ["serve", "--port", "0"],
    "worker": ["worker"],
}


@pytest.mark.parametrize("command", NEEDS_TABLES)
def test_a_database_without_tables_says_so_and_how_to_migrate_it(
    command: str, run_command: RunCommand, empty_sqlite: str
) -> None:
    outcome = run_command(
        *NEEDS_TABLES[command], database=empty_sqlite, env=SERVE_SECRETS | PASSWORD
    )
    assert outcome.code == 1
    assert "has no gateway tables" in outcome.line
    assert f"run `payer-gateway migrate` with PAYER_GATEWAY_DATABASE_URL={empty_sqlite}" in (
        outcome.line
    )


def test_a_mistyped_sqlite_path_is_named_and_not_created(
    run_command: RunCommand, tmp_path: Path
) -> None:
    typo = tmp_path / "gatway.db"
    outcome = run_command(*PRACTICE, database=f"sqlite:///{typo}")
    assert outcome.code == 1
    assert f"no database file at {typo}" in outcome.line and "payer-gateway migrate" in outcome.line
    assert not typo.exists()

    default = run_command(*PRACTICE)  # no PAYER_GATEWAY_DATABASE_URL: the default file, in the cwd
    assert default.code == 1 and f"no database file at {tmp_path / 'payer-gateway.db'}" in (
        default.line
    )


def test_an_unknown_practice_id_is_named(run_command: RunCommand, migrated_sqlite: str) -> None:
    outcome = run_command(
        "create-api-key", "--practice", "no-such-practice", database=migrated_sqlite
    )
    assert outcome.code == 2
    assert "--practice: no practice 'no-such-practice'" in outcome.line
    assert "create-practice" in outcome.line and "PAYER_GATEWAY_DATABASE_URL" in outcome.line


def test_a_scope_typo_gets_a_suggestion(run_command: RunCommand) -> None:
    outcome = run_command("create-api-key", "--practice", "any", "--scopes", "patients:raed")
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.line == (
        "payer-gateway create-api-key: argument --scopes: unknown scope 'patients:raed' (did you "
        "mean 'patients:read'? scopes: audit:read, claims:read, claims:write, eligibility:batch, "
        "eligibility:read, fees:write, history:export, patients:read, patients:write, "
        "payments:read, payments:write, phi:read) "
        "(see `payer-gateway create-api-key --help`)"
    )


@pytest.mark.parametrize(
    ("scopes", "said"),
    [
        ("claims:read, phi:raed", "unknown scope 'phi:raed' (did you mean 'phi:read'?"),
        ("everything", "unknown scope 'everything' (scopes: audit:read, claims:read"),
        ("users:manage", "API keys cannot carry 'users:manage'"),
        (",", "give at least one scope"),
    ],
)
def test_every_scope_is_checked_against_the_known_list(scopes: str, said: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        scope_list(scopes)
    assert said in str(refused.value)
    assert scope_list(" claims:read,patients:read ") == {"claims:read", "patients:read"}


def test_a_practice_key_and_a_duplicate(run_command: RunCommand, migrated_sqlite: str) -> None:
    created = run_command(*PRACTICE, database=migrated_sqlite)
    assert created.code == 0, created.stderr
    key = run_command(
        "create-api-key",
        "--practice",
        created.stdout.strip(),
        "--scopes",
        "claims:read,patients:read",
        database=migrated_sqlite,
    )
    assert key.code == 0 and key.stdout.startswith("pgw_"), key.stderr

    again = run_command(*PRACTICE, database=migrated_sqlite)
    assert again.code == 2
    assert "already exists" in again.line and "practices.npi" in again.line


def test_usage_errors_are_one_line_with_where_to_look(run_command: RunCommand) -> None:
    outcome = run_command("frobnicate")
    assert outcome.code == 2
    assert "invalid choice: 'frobnicate'" in outcome.line
    assert outcome.line.endswith("(see `payer-gateway --help`)")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["create-practice", "--name", "X", "--npi", "1234567890", "--tax-id", "123456789"],
            "argument --npi: '1234567890' is not a valid NPI",
        ),
        (
            ["create-practice", "--name", "X", "--npi", NPI, "--tax-id", "12345"],
            "argument --tax-id: '12345' is not a tax ID",
        ),
        (["create-practice", "--name", "X"], "the following arguments are required: --npi"),
        (["serve", "--port", "http"], "argument --port: 'http' is not a TCP port"),
        (["demo", "--port", "70000"], "argument --port: '70000' is not a TCP port"),
    ],
)
def test_arguments_are_checked_before_anything_runs(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert said in line and line.endswith("--help`)")


def test_a_bad_setting_names_its_variable(run_command: RunCommand, migrated_sqlite: str) -> None:
    outcome = run_command(
        "migrate", database=migrated_sqlite, env={"PAYER_GATEWAY_MAX_PAGE_SIZE": "abc"}
    )
    assert outcome.code == 2
    assert (
        outcome.line
        == "payer-gateway: PAYER_GATEWAY_MAX_PAGE_SIZE must be a whole number, not 'abc'"
    )


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("PAYER_GATEWAY_BREAKER_RESET_SECONDS", "soon", "_BREAKER_RESET_SECONDS must be a number"),
        ("PAYER_GATEWAY_LOG_LEVEL", "loud", "PAYER_GATEWAY_LOG_LEVEL must be one of DEBUG"),
    ],
)
def test_every_setting_is_checked_before_use(
    variable: str, value: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=said):
        load_settings()


@pytest.mark.parametrize(
    ("payers_config", "said"),
    [
        (None, "cannot read payers config 'payers.toml': No such file or directory"),
        (".", "cannot read payers config '.': Is a directory"),
    ],
)
def test_serve_names_an_unreadable_payers_config(
    payers_config: str | None,
    said: str,
    run_command: RunCommand,
    migrated_sqlite: str,
) -> None:
    env = SERVE_SECRETS | ({"PAYER_GATEWAY_PAYERS_CONFIG": payers_config} if payers_config else {})
    outcome = run_command("serve", "--port", "0", database=migrated_sqlite, env=env)
    assert outcome.code == 2 and "cannot start: " in outcome.line and said in outcome.line
    if payers_config is None:
        assert "PAYER_GATEWAY_PAYERS_CONFIG names the payers file" in outcome.line


@pytest.mark.parametrize(
    ("url", "code", "said"),
    [
        ("nonsense", 2, "PAYER_GATEWAY_DATABASE_URL is not a database URL this gateway can use"),
        ("mysql://ops:hunter2pw@db.example/gw", 2, "is not a database URL this gateway can use"),
        (
            "postgresql://ops:hunter2pw@127.0.0.1:1/gw",
            1,
            "cannot reach the database at postgresql://ops:***@127.0.0.1:1/gw (",
        ),
        ("sqlite:////no/such/folder/gw.db", 1, "cannot open the SQLite file /no/such/folder/gw.db"),
        (
            "postgresql://ops@127.0.0.1:1/gw?password=hunter2pw",
            1,
            "cannot reach the database at postgresql://ops@127.0.0.1:1/gw?password=*** (",
        ),
        (
            "postgresql://ops:hunter2pw@127.0.0.1:1/gw?sslmode=require",
            2,
            "the driver refuses an option of PAYER_GATEWAY_DATABASE_URL (connect() got an "
            "unexpected keyword argument 'sslmode')",
        ),
    ],
)
def test_a_database_url_that_cannot_work_is_named_without_its_password(
    url: str, code: int, said: str, run_command: RunCommand
) -> None:
    outcome = run_command("migrate", database=url)
    assert outcome.code == code and said in outcome.line
    assert "hunter2pw" not in outcome.stdout + outcome.stderr


def test_an_unexpected_database_failure_names_its_type_only_until_asked(
    run_command: RunCommand, migrated_sqlite: str
) -> None:
    """A database at the right revision whose tables were changed by hand: the INSERT fails, and
    neither its SQL nor the values in it reach the user."""
    sqlite3.connect(migrated_sqlite.removeprefix("sqlite:///")).execute(
        "ALTER TABLE practices DROP COLUMN contact_email"
    ).connection.close()
    outcome = run_command(*PRACTICE, database=migrated_sqlite)
    assert outcome.code == 1
    assert outcome.line == (
        "payer-gateway: database error (OperationalError); run again with --traceback for "
        "details (they may show SQL or patient data)"
    )

    detailed = run_command(*PRACTICE, "--traceback", database=migrated_sqlite)
    assert detailed.code != 0 and "Traceback" in detailed.stderr and "INSERT" in detailed.stderr


def test_a_taken_port_is_named(run_command: RunCommand, migrated_sqlite: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        served = run_command("serve", "--port", port, database=migrated_sqlite, env=SERVE_SECRETS)
        demo = run_command("demo", "--port", port)
    for outcome in (served, demo):
        assert outcome.code == 2
        assert f"cannot listen on 127.0.0.1:{port}" in outcome.line and "--port" in outcome.line


def test_demo_names_a_missing_folder_for_its_database(run_command: RunCommand) -> None:
    outcome = run_command("demo", "--database", "no/such/folder/demo.db", "--port", "0")
    assert outcome.code == 2 and "--database: no folder" in outcome.line


def test_create_operator_without_a_password_or_a_terminal(
    run_command: RunCommand, migrated_sqlite: str
) -> None:
    argv = NEEDS_TABLES["create-operator"]
    outcome = run_command(*argv, database=migrated_sqlite)
    assert outcome.code == 2 and "set PAYER_GATEWAY_OPERATOR_PASSWORD" in outcome.line
    weak = run_command(
        *argv, database=migrated_sqlite, env={"PAYER_GATEWAY_OPERATOR_PASSWORD": "short"}
    )
    assert weak.code == 2 and weak.line.startswith("payer-gateway: password: ")


def test_errors_in_background_threads_print_no_traceback() -> None:
    code = (
        "import threading; from gateway.cli.failures import quiet_background_errors; "
        "quiet_background_errors(); "
        "t = threading.Thread(target=lambda: {}['member LHPX84552669']); t.start(); t.join()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == "payer-gateway: background KeyError ignored"


@pytest.mark.parametrize(
    "exc",
    [
        KeyError("LHPX84552669"),
        ValueError("no member 'LHPX84552669' born 1957-03-02"),
        ExceptionGroup("servers", [RuntimeError("Wanda Whatif LHPX84552669")]),
    ],
)
def test_an_unknown_exception_is_told_by_its_type_alone(exc: BaseException) -> None:
    message, code = explain(exc)
    assert code == 1 and "LHPX84552669" not in message and "--traceback" in message
    assert message.startswith("unexpected ")


async def test_a_missing_table_met_mid_command_still_says_to_migrate(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT npi FROM practices WHERE npi = '1234567893'"))
    except DBAPIError as exc:
        message, code = explain(exc)
    finally:
        await database.dispose()
    assert code == 1 and "no gateway tables" in message and "payer-gateway migrate" in message
    assert "SELECT" not in message and "1234567893" not in message
