"""The ``payer-gateway`` command: demo, serve, migrate, export-schema, create-practice, create-api-key."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from gateway.config import GatewaySettings
from gateway.logs import configure_logging
from payers.registry import RegistryError


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.http.app import build_services, create_app

    settings = GatewaySettings.from_environ()
    configure_logging(settings.log_level)
    app = create_app(build_services(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import run_demo

    configure_logging("WARNING")
    asyncio.run(run_demo(args.host, args.port, args.database))
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
    from gateway.identity import ALL_SCOPES, create_api_key
    from gateway.storage.database import Database

    scopes = frozenset(args.scopes.split(",")) if args.scopes else ALL_SCOPES

    async def run() -> str:
        database = Database(GatewaySettings.from_environ().database_url)
        try:
            return await create_api_key(database, args.practice, args.name, scopes)
        finally:
            await database.dispose()

    print(asyncio.run(run()))
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

    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_cmd_migrate)
    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(run=_cmd_export_schema)

    practice = commands.add_parser("create-practice", help="add an approved practice; prints its id")
    practice.add_argument("--name", required=True)
    practice.add_argument("--npi", required=True)
    practice.add_argument("--tax-id", required=True)
    practice.set_defaults(run=_cmd_create_practice)

    key = commands.add_parser("create-api-key", help="create an API key for a practice; prints it once")
    key.add_argument("--practice", required=True, help="practice id")
    key.add_argument("--name", default="cli")
    key.add_argument("--scopes", help="comma-separated scopes (default: all)")
    key.set_defaults(run=_cmd_create_api_key)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args)
    except RegistryError as exc:
        print(f"payer-gateway: cannot start: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    raise SystemExit(code)
