"""What a failed ``payer-gateway`` command tells its user: one line on stderr and an exit code.

Every exception reaching ``main`` goes through :func:`explain`; none prints a traceback. Known
failures say what is wrong and how to fix it. Anything else is named by its type alone: its message
may carry SQL or patient data, so the details are shown only on request (``--traceback``).

Exit codes: 0 done; 1 the command could not do its work (database unreachable or not migrated, the
database refused a change, an unexpected error); 2 what was typed or configured is wrong (an
argument, an environment variable, a file, a data key); 130 interrupted.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from gateway.config import SettingsError
from gateway.storage.sealed import DataKeyError
from payers.registry import RegistryError

RUNTIME = 1
USAGE = 2
INTERRUPTED = 130

DATABASE_URL_ENV = "PAYER_GATEWAY_DATABASE_URL"
TRACEBACK_HINT = "run again with --traceback for details (they may show SQL or patient data)"

# PostgreSQL's "undefined table" and SQLite's wording for the same thing.
_UNDEFINED_TABLE = "42P01"
_SQLITE_NO_TABLE = "no such table"
_UNIQUE_VIOLATION = "23505"


class CommandFailure(Exception):
    """A failure a command explains itself: the one line its user reads, and the exit code."""

    def __init__(self, message: str, exit_code: int = RUNTIME) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def explain(exc: BaseException) -> tuple[str, int]:
    """The line (without the ``payer-gateway:`` prefix) and the exit code for a failure."""
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return explain(exc.exceptions[0])  # e.g. a task group of servers: the first tells why
    for kind, describe in _KNOWN:
        if isinstance(exc, kind):
            return describe(exc)
    return f"unexpected {type(exc).__name__}; {TRACEBACK_HINT}", RUNTIME


def _command_failure(exc: CommandFailure) -> tuple[str, int]:
    return exc.message, exc.exit_code


def _registry(exc: RegistryError) -> tuple[str, int]:
    hint = ""
    if isinstance(exc.__cause__, OSError):  # the payers file itself: say which setting names it
        hint = " (PAYER_GATEWAY_PAYERS_CONFIG names the payers file)"
    return f"cannot start: {exc}{hint}", USAGE


def _file(exc: OSError) -> tuple[str, int]:
    # strerror is the operating system's text ("No such file or directory"): no content of ours.
    what = f"{exc.filename}: " if exc.filename else ""
    return f"{what}{exc.strerror or type(exc).__name__}", USAGE if exc.filename else RUNTIME


def _database(exc: DBAPIError) -> tuple[str, int]:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE or _SQLITE_NO_TABLE in str(orig):
        return (
            f"the database has no gateway tables (wrong database, or not migrated): run "
            f"`payer-gateway migrate` with {DATABASE_URL_ENV} set to it",
            RUNTIME,
        )
    if isinstance(exc, IntegrityError):
        # Constraint messages name the constraint or column, never the values (DETAIL holds those).
        reason = (str(orig).strip().splitlines() or ["a constraint failed"])[0][:200]
        if getattr(orig, "sqlstate", None) == _UNIQUE_VIOLATION or "UNIQUE" in reason:
            return f"that already exists ({reason}): use another value", USAGE
        return f"the database refused the change: {reason}", RUNTIME
    # Other driver messages can quote values (e.g. "invalid input syntax ...: <value>").
    return f"database error ({type(exc).__name__}); {TRACEBACK_HINT}", RUNTIME


def _interrupted(_: KeyboardInterrupt) -> tuple[str, int]:
    return "interrupted", INTERRUPTED


def _said(exit_code: int) -> Callable[[Any], tuple[str, int]]:
    """For our own errors whose message is written for the user."""
    return lambda exc: (str(exc), exit_code)


_KNOWN: list[tuple[type[BaseException], Callable[[Any], tuple[str, int]]]] = [
    (CommandFailure, _command_failure),
    (SettingsError, _said(USAGE)),
    (RegistryError, _registry),
    (DataKeyError, _said(USAGE)),
    (DBAPIError, _database),
    (OSError, _file),
    (KeyboardInterrupt, _interrupted),
]


def report(exc: BaseException) -> int:
    """Print the one line for ``exc`` on stderr; the exit code."""
    message, code = explain(exc)
    print(f"payer-gateway: {message}", file=sys.stderr)
    return code


def quiet_background_errors() -> None:
    """Errors in threads and finalizers (e.g. a driver thread outliving its event loop) print one
    line too: Python's default hooks would print a traceback after the command has answered."""

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            print(f"payer-gateway: background {args.exc_type.__name__} ignored", file=sys.stderr)

    def unraisable_hook(args: Any) -> None:
        print(f"payer-gateway: background {args.exc_type.__name__} ignored", file=sys.stderr)

    threading.excepthook = thread_hook
    sys.unraisablehook = unraisable_hook
