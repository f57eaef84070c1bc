"""Structured JSON logs. Callers log identifiers and codes, never patient data."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from gateway.observability.context import RequestIdFilter

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def error_origin(exc: BaseException) -> str:
    """``file:function:line`` of the frame that raised: a code location, never a value (an exception's
    message and a traceback's text can carry patient data or SQL, so neither is logged)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "-"
    frame = frames[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.name}:{frame.lineno}"


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())  # every line written during a request carries its id
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Their INFO/DEBUG lines carry payer URLs (member ids, names, birth dates in the query string) and
    # SQL parameters (aiosqlite logs every execute with its arguments).
    for chatty in ("httpx", "httpcore", "aiosqlite"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
