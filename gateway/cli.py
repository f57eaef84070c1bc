"""The ``payer-gateway`` command: demo, serve, migrate, export-schema, create-practice, create-api-key,
create-operator."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from gateway.config import GatewaySettings
from gateway.logs import configure_logging
from gateway.storage.sealed import DataKeyError
from payers.registry import RegistryError


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.auth.secrets import missing_secrets
    from gateway.http.app import build_services, create_app
    from gateway.http.cors import CorsSettingError, allowed_origins
    from gateway.storage.sealed import DATA_KEYS_ENV, generate_key

    settings = GatewaySettings.from_environ()
    configure_logging(settings.log_level)
    missing = missing_secrets(settings)
    if missing:
        print(
            f"payer-gateway: cannot start: set {' and '.join(missing)} (identity secrets: 32+ "
            f"random characters each; {DATA_KEYS_ENV}: Fernet keys, e.g. {generate_key()})",
            file=sys.stderr,
        )
        return 2
    try:
        allowed_origins(settings.cors_origins)  # checked before any connection is opened
    except CorsSettingError as exc:
        print(f"payer-gateway: cannot start: {exc}", file=sys.stderr)
        return 2
    app = create_app(build_services(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import run_demo

    configure_logging("WARNING")
    asyncio.run(run_demo(args.host, args.port, args.database))
    return 0


def _cmd_worker(_: argparse.Namespace) -> int:
    from gateway.claims.worker import run_worker
    from gateway.storage.sealed import data_key_problem, generate_key

    settings = GatewaySettings.from_environ()
    configure_logging(settings.log_level)
    problem = data_key_problem()  # webhook signing keys are sealed with it
    if problem:
        print(f"payer-gateway: cannot start: {problem} (e.g. {generate_key()})", file=sys.stderr)
        return 2
    asyncio.run(run_worker(settings))
    return 0


def _cmd_migrate(_: argparse.Namespace) -> int:
    from gateway.storage.database import Database
    from gateway.storage.migrate import upgrade

    settings = GatewaySettings.from_environ()

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            await upgrade(database)
        finally:
            await database.dispose()

    asyncio.run(run())
    print("database is at the latest migration")
    return 0


def _cmd_export_schema(_: argparse.Namespace) -> int:
    from gateway.graphql.schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
    return 0


def _cmd_create_practice(args: argparse.Namespace) -> int:
    from gateway.practices import create_practice
    from gateway.storage.database import Database

    async def run() -> str:
        database = Database(GatewaySettings.from_environ().database_url)
        try:
            return await create_practice(database, args.name, args.npi, args.tax_id)
        finally:
            await database.dispose()

    print(asyncio.run(run()))
    return 0


def _cmd_create_api_key(args: argparse.Namespace) -> int:
    from gateway.identity import KEY_SCOPES, create_api_key
    from gateway.storage.database import Database

    scopes = frozenset(args.scopes.split(",")) if args.scopes else KEY_SCOPES

    async def run() -> str:
        database = Database(GatewaySettings.from_environ().database_url)
        try:
            return await create_api_key(database, args.practice, args.name, scopes)
        finally:
            await database.dispose()

    print(asyncio.run(run()))
    return 0


def _cmd_create_operator(args: argparse.Namespace) -> int:
    import getpass
    import os

    from gateway.audit import record_event
    from gateway.auth.accounts import create_user, email_problems, new_password_problems
    from gateway.storage.database import Database

    password = os.environ.get("PAYER_GATEWAY_OPERATOR_PASSWORD") or getpass.getpass("Password: ")
    problems = email_problems("email", args.email) + new_password_problems(
        "password", password, (args.email, args.name)
    )
    if problems:
        for field, _, message in problems:
            print(f"payer-gateway: {field}: {message}", file=sys.stderr)
        return 2

    async def run() -> str:
        database = Database(GatewaySettings.from_environ().database_url)
        try:
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
        finally:
            await database.dispose()

    print(asyncio.run(run()))
    print(
        "Log in with the login mutation; the first login enrols an authenticator app.",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="payer-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="sandbox payers + demo data + gateway on one machine")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--database", default="payer-gateway-demo.db", help="SQLite file (recreated)")
    demo.set_defaults(run=_cmd_demo)

    serve = commands.add_parser("serve", help="run the gateway from PAYER_GATEWAY_* settings")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_cmd_serve)

    commands.add_parser(
        "worker", help="send queued claims, poll claim status, deliver webhooks (no API)"
    ).set_defaults(run=_cmd_worker)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_cmd_migrate)
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(
        run=_cmd_export_schema
    )

    practice = commands.add_parser(
        "create-practice", help="add an approved practice; prints its id"
    )
    practice.add_argument("--name", required=True)
    practice.add_argument("--npi", required=True)
    practice.add_argument("--tax-id", required=True)
    practice.set_defaults(run=_cmd_create_practice)

    key = commands.add_parser(
        "create-api-key", help="create an API key for a practice; prints it once"
    )
    key.add_argument("--practice", required=True, help="practice id")
    key.add_argument("--name", default="cli")
    key.add_argument("--scopes", help="comma-separated scopes (default: all)")
    key.set_defaults(run=_cmd_create_api_key)

    operator = commands.add_parser(
        "create-operator",
        help="create a gateway operator (approves practices); "
        "password from PAYER_GATEWAY_OPERATOR_PASSWORD or a prompt",
    )
    operator.add_argument("--email", required=True)
    operator.add_argument("--name", required=True)
    operator.set_defaults(run=_cmd_create_operator)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args)
    except RegistryError as exc:
        print(f"payer-gateway: cannot start: {exc}", file=sys.stderr)
        code = 2
    except DataKeyError as exc:  # e.g. `migrate` with secrets to seal and no key to seal with
        print(f"payer-gateway: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    raise SystemExit(code)
