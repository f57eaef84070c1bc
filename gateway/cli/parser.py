"""The command line's grammar: every command and option, with help, and checks on what is typed."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import NoReturn

from gateway.cli.failures import USAGE
from gateway.identity import ALL_SCOPES, KEY_SCOPES
from gateway.practices import npi_is_valid, tax_id_is_valid

DESCRIPTION = "Payer Gateway: one GraphQL endpoint over many health-insurance payers."
EPILOG = (
    "Commands other than demo read PAYER_GATEWAY_* environment variables; "
    "PAYER_GATEWAY_DATABASE_URL names the database (default sqlite:///payer-gateway.db)."
)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line naming the command, and where to read its options."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(USAGE)


def scope_list(text: str) -> frozenset[str]:
    """Comma-separated scopes an API key may carry; a typo gets the nearest scope suggested."""
    scopes = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not scopes:
        raise argparse.ArgumentTypeError("give at least one scope")
    for scope in sorted(scopes):
        if scope in KEY_SCOPES:
            continue
        if scope in ALL_SCOPES:
            raise argparse.ArgumentTypeError(f"API keys cannot carry {scope!r}")
        near = difflib.get_close_matches(scope, sorted(KEY_SCOPES), n=1)
        suggestion = f"did you mean {near[0]!r}? " if near else ""
        raise argparse.ArgumentTypeError(
            f"unknown scope {scope!r} ({suggestion}scopes: {', '.join(sorted(KEY_SCOPES))})"
        )
    return scopes


def npi(text: str) -> str:
    if not npi_is_valid(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a valid NPI (10 digits, the last a correct check digit)"
        )
    return text.strip()


def tax_id(text: str) -> str:
    if not tax_id_is_valid(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a tax ID (9 digits, e.g. 12-3456789)")
    return text.strip().replace("-", "")


def port(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (0-65535)")
    return number


def worker_count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes (a whole number, 1 or more)"
        )
    return number


def build_parser() -> argparse.ArgumentParser:
    from gateway.cli import commands

    parser = OneLineParser(prog="payer-gateway", description=DESCRIPTION, epilog=EPILOG)
    common = OneLineParser(add_help=False)
    common.add_argument(
        "--traceback",
        action="store_true",
        help="on an unexpected error, show Python's traceback (it may show SQL or patient data)",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="what to do (COMMAND --help: more)"
    )

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, parents=[common])

    def listen(on: argparse.ArgumentParser, what: str) -> None:
        on.add_argument("--host", default="127.0.0.1", help=f"address {what} listens on")
        on.add_argument("--port", type=port, default=8000, help=f"TCP port {what} listens on")

    demo = command("demo", "sandbox payers + demo data + gateway on one machine")
    listen(demo, "the demo gateway")
    demo.add_argument(
        "--database",
        default="payer-gateway-demo.db",
        help="SQLite file for the demo, deleted and recreated on every run "
        "(PAYER_GATEWAY_DATABASE_URL is not used)",
    )
    demo.set_defaults(run=commands.demo)

    serve = command("serve", "run the gateway from PAYER_GATEWAY_* settings")
    listen(serve, "the gateway")
    serve.add_argument(
        "--workers",
        type=worker_count,
        default=None,
        metavar="N",
        help="processes serving the port (default PAYER_GATEWAY_WORKERS, else 1); more than one "
        "needs PAYER_GATEWAY_CACHE_URL=redis://..., which they share",
    )
    serve.set_defaults(run=commands.serve)

    command(
        "worker", "send queued claims, poll claim status, deliver webhooks (no API)"
    ).set_defaults(run=commands.worker)
    command(
        "migrate", "create or upgrade the tables of the database at PAYER_GATEWAY_DATABASE_URL"
    ).set_defaults(run=commands.migrate)
    command("export-schema", "print the GraphQL SDL").set_defaults(run=commands.export_schema)

    practice = command("create-practice", "add an approved practice; prints its id")
    practice.add_argument("--name", required=True, help="the practice's name")
    practice.add_argument("--npi", required=True, type=npi, help="the practice's 10-digit NPI")
    practice.add_argument(
        "--tax-id", required=True, type=tax_id, help="the practice's 9-digit tax ID (EIN)"
    )
    practice.set_defaults(run=commands.create_practice)

    key = command("create-api-key", "create an API key for a practice; prints it once")
    key.add_argument(
        "--practice", required=True, help="practice id (as create-practice printed it)"
    )
    key.add_argument("--name", default="cli", help="a name to recognise the key by")
    key.add_argument(
        "--scopes",
        type=scope_list,
        help=f"comma-separated scopes (default: all of {', '.join(sorted(KEY_SCOPES))})",
    )
    key.set_defaults(run=commands.create_api_key)

    operator = command(
        "create-operator",
        "create a gateway operator (approves practices); "
        "password from PAYER_GATEWAY_OPERATOR_PASSWORD or a prompt",
    )
    operator.add_argument("--email", required=True, help="the operator's email (their login)")
    operator.add_argument("--name", required=True, help="the operator's full name")
    operator.set_defaults(run=commands.create_operator)
    return parser
