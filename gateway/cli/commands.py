"""What each ``payer-gateway`` command does. Failures are raised, not printed: ``main`` reports them."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import socket
import sys
from collections.abc import Callable

from gateway.cli.database import opened_database, shown_url
from gateway.cli.failures import USAGE, CommandFailure
from gateway.config import PREFIX, GatewaySettings, SettingsError
from gateway.logs import configure_logging

OPERATOR_PASSWORD_ENV = "PAYER_GATEWAY_OPERATOR_PASSWORD"  # noqa: S105 (a variable name)


def load_settings() -> GatewaySettings:
    """Settings from the environment, with the values that would only fail later checked now."""
    settings = GatewaySettings.from_environ()
    if not isinstance(logging.getLevelName(settings.log_level.upper()), int):
        raise SettingsError(
            f"{PREFIX}LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
            f"not {settings.log_level[:40]!r}"
        )
    return settings


#: Allocations between collections of the youngest generation in a serving process (Python: 700).
YOUNG_COLLECTION_EVERY = 20_000


def settle_heap() -> None:
    """Move what start-up allocated (modules, the schema, code tables) out of the collector's way.

    Without it every full collection walks ~157,000 long-lived objects (~55 ms, every 20 to 30
    requests). Only in a serving process: tests build many apps in one process, and a frozen
    object is never collected.

    The youngest generation is then collected every YOUNG_COLLECTION_EVERY allocations instead of
    every 700: a headline request allocates tens of thousands of short-lived objects, nearly all
    freed by reference counting, and the default threshold ran a young collection in the middle of
    most payer calls (bench/fanout.py, N = 10: 1 to 2 ms less CPU per request, 3 runs each way)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, oldest)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop where it is installed (uvicorn[standard] brings it), else asyncio's own."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
        return None
    return uvloop.new_event_loop


async def _check_database(url: str) -> None:
    async with opened_database(url):
        pass


def _require_free_port(host: str, port: int) -> None:
    """uvicorn reports a taken port as a log line and its own exit code: say it like any failure."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CommandFailure(f"--host: cannot resolve {host!r} ({exc.strerror})", USAGE) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandFailure(
                f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port or --host",
                USAGE,
            ) from None


def serve(args: argparse.Namespace) -> int:
    from gateway.auth.secrets import missing_secrets
    from gateway.cli import serving
    from gateway.storage.sealed import DATA_KEYS_ENV, generate_key

    settings = load_settings()
    workers = serving.worker_count(args.workers, settings)
    missing = missing_secrets(settings)
    if missing:
        raise CommandFailure(
            f"cannot start: set {' and '.join(missing)} (identity secrets: 32+ "
            f"random characters each; {DATA_KEYS_ENV}: Fernet keys, e.g. {generate_key()})",
            USAGE,
        )
    from gateway.http.cors import CorsSettingError, allowed_origins

    try:
        allowed_origins(settings.cors_origins)  # checked before any connection is opened
    except CorsSettingError as exc:
        raise CommandFailure(f"cannot start: {exc}", USAGE) from None
    if workers > 1:
        serving.require_shared_cache(settings, workers)
    _require_free_port(args.host, args.port)
    asyncio.run(_check_database(settings.database_url))
    configure_logging(settings.log_level)  # after the check: its alembic INFO lines are noise
    if workers > 1:
        serving.check_children_can_start(settings)
        note = serving.sqlite_note(settings, workers)
        if note:
            print(f"payer-gateway: {note}", file=sys.stderr, flush=True)
        return serving.run_workers(args.host, args.port, workers)
    import uvicorn  # the app's imports take a while: only once the checks have passed

    from gateway.http.app import build_services, create_app

    app = create_app(build_services(settings))
    settle_heap()
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    folder = Path(args.database).resolve().parent
    if not folder.is_dir():
        raise CommandFailure(
            f"--database: no folder {folder} to create the demo database in", USAGE
        )
    _require_free_port(args.host, args.port)
    configure_logging("WARNING")
    from gateway.demo import run_demo

    asyncio.run(run_demo(args.host, args.port, args.database))
    return 0


def worker(_: argparse.Namespace) -> int:
    from gateway.storage.sealed import data_key_problem, generate_key

    settings = load_settings()
    problem = data_key_problem()  # webhook signing keys are sealed with it
    if problem:
        raise CommandFailure(f"cannot start: {problem} (e.g. {generate_key()})", USAGE)
    asyncio.run(_check_database(settings.database_url))
    configure_logging(settings.log_level)
    from gateway.claims.worker import run_worker

    settle_heap()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(run_worker(settings))
    return 0


def migrate(_: argparse.Namespace) -> int:
    from gateway.storage.migrate import MigrationReport, current_revisions, upgrade

    url = load_settings().database_url

    async def run() -> tuple[MigrationReport, frozenset[str]]:
        async with opened_database(url, migrated=False) as database:
            print(f"database: {shown_url(url)}", flush=True)
            return await upgrade(database), await current_revisions(database)

    report, at = asyncio.run(run())
    for revision in report.applied:
        print(f"applied {revision.revision}: {revision.message}")
    if report.resealed:
        print(f"sealed {report.resealed} stored secret(s) under the first data key")
    where = ", ".join(sorted(at))
    if report.applied:
        print(f"database is at the latest migration ({where})")
    else:
        print(f"nothing to apply: database was already at the latest migration ({where})")
    return 0


def export_schema(_: argparse.Namespace) -> int:
    from gateway.graphql.schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


def create_practice(args: argparse.Namespace) -> int:
    from gateway.practices import create_practice

    async def run() -> str:
        async with opened_database(load_settings().database_url) as database:
            return await create_practice(database, args.name, args.npi, args.tax_id)

    print(asyncio.run(run()))
    return 0


def create_api_key(args: argparse.Namespace) -> int:
    from gateway.identity import KEY_SCOPES, create_api_key
    from gateway.practices import practice_status

    url = load_settings().database_url

    async def run() -> str:
        async with opened_database(url) as database:
            status = await practice_status(database, args.practice)
            if status is None:
                raise CommandFailure(
                    f"--practice: no practice {args.practice[:60]!r} in the database at "
                    f"{shown_url(url)} (use the id create-practice printed; is "
                    "PAYER_GATEWAY_DATABASE_URL the database it was created in?)",
                    USAGE,
                )
            if status != "approved":
                print(
                    f"payer-gateway: note: the practice is {status}: its keys work once an "
                    "operator approves it",
                    file=sys.stderr,
                )
            return await create_api_key(
                database, args.practice, args.name, args.scopes or KEY_SCOPES
            )

    print(asyncio.run(run()))
    return 0


def create_operator(args: argparse.Namespace) -> int:
    import getpass
    import os

    from gateway.audit import record_event
    from gateway.auth.accounts import create_user, email_problems, new_password_problems

    url = load_settings().database_url
    password = os.environ.get(OPERATOR_PASSWORD_ENV)
    if not password:
        if not sys.stdin.isatty():  # getpass would read a piped password with a warning, echoing
            raise CommandFailure(
                f"no password: set {OPERATOR_PASSWORD_ENV} or run in a terminal", USAGE
            )
        password = getpass.getpass("Password: ")
    problems = email_problems("email", args.email) + new_password_problems(
        "password", password, (args.email, args.name)
    )
    if problems:
        raise CommandFailure(
            "; ".join(f"{field}: {message}" for field, _, message in problems), USAGE
        )

    async def run() -> str:
        async with opened_database(url) as database:
            user = await create_user(
                database,
                practice_id=None,
                email=args.email,
                name=args.name,
                role="operator",
                password=password,
            )
            await record_event(database, "operator.created", actor_id=user.id, actor_kind="user")
            return user.id

    print(asyncio.run(run()))
    print(
        "Log in with the login mutation; the first login enrols an authenticator app.",
        file=sys.stderr,
    )
    return 0
