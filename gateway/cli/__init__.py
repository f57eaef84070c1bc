"""The ``payer-gateway`` command: demo, serve, worker, migrate, export-schema, create-practice,
create-api-key, create-operator.

A failure is one line on stderr and a non-zero exit code, never a traceback (gateway/cli/failures.py
says which code means what); ``--traceback`` shows one for an unexpected error.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.cli.failures import quiet_background_errors, report
from gateway.cli.parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if not args.traceback:
        quiet_background_errors()
    try:
        code = args.run(args)
    except SystemExit:
        raise
    except BaseException as exc:
        if args.traceback and not isinstance(exc, KeyboardInterrupt):
            raise
        code = report(exc)
    raise SystemExit(code)
