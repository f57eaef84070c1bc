"""An export request's parameters, checked before anything is read: the slice, format, partition.

``GET /exports/history?from=2026-01-01&to=2026-12-31&payers=a,b&format=parquet&partition=month
&identified=true``. Every refusal is an :class:`ExportRefused` with an HTTP status, a stable code and
a message that names the parameter (never a value the caller sent back in full).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from gateway.exports.formats import FORMATS
from gateway.exports.tables import Slice

_PAYER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True, slots=True)
class ExportLimits:
    """How much one export may ask for, and how often (documented in docs/exports.md)."""

    max_days: int = 731  # two years (a leap year included), from and to inclusive
    max_payers: int = 20
    per_minute: int = 6  # exports started per practice per minute
    max_concurrent: int = 2  # exports streaming at once per practice (per gateway process)


class ExportRefused(Exception):
    """The request cannot be served as asked: ``status``, ``code`` and a message for the caller."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ExportAsk:
    """A checked request: what to read and how to write it."""

    piece: Slice
    format: str
    partition: bool


def _day(params: Mapping[str, str], name: str) -> date:
    raw = params.get(name, "").strip()
    if not raw:
        raise ExportRefused(400, "BAD_EXPORT_REQUEST", f"'{name}' is required (YYYY-MM-DD).")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ExportRefused(
            400, "BAD_EXPORT_REQUEST", f"'{name}' must be a date as YYYY-MM-DD."
        ) from None


def parse_export(
    params: Mapping[str, str], practice_id: str, limits: ExportLimits, *, may_identify: bool
) -> ExportAsk:
    """The checked request, or :class:`ExportRefused` saying what is wrong."""
    unknown = set(params) - {"from", "to", "payers", "format", "partition", "identified"}
    if unknown:
        raise ExportRefused(
            400, "BAD_EXPORT_REQUEST", f"Unknown parameter(s): {', '.join(sorted(unknown))[:80]}."
        )
    date_from, date_to = _day(params, "from"), _day(params, "to")
    if date_to < date_from:
        raise ExportRefused(400, "BAD_EXPORT_REQUEST", "'to' is before 'from'.")
    if (date_to - date_from).days + 1 > limits.max_days:
        raise ExportRefused(
            400, "EXPORT_RANGE_TOO_LONG", f"An export covers at most {limits.max_days} days."
        )
    payers = tuple(sorted({p.strip() for p in params.get("payers", "").split(",") if p.strip()}))
    if len(payers) > limits.max_payers:
        raise ExportRefused(
            400, "EXPORT_TOO_MANY_PAYERS", f"An export names at most {limits.max_payers} payers."
        )
    if any(not _PAYER_ID.match(p) for p in payers):
        raise ExportRefused(400, "BAD_EXPORT_REQUEST", "'payers' holds a malformed payer id.")
    fmt = params.get("format", "parquet").strip().lower()
    if fmt not in FORMATS:
        raise ExportRefused(
            400, "BAD_EXPORT_REQUEST", f"'format' must be one of: {', '.join(FORMATS)}."
        )
    partition = params.get("partition", "").strip().lower()
    if partition not in {"", "none", "month"}:
        raise ExportRefused(400, "BAD_EXPORT_REQUEST", "'partition' must be 'month' or 'none'.")
    identified = params.get("identified", "false").strip().lower()
    if identified not in {"true", "false"}:
        raise ExportRefused(400, "BAD_EXPORT_REQUEST", "'identified' must be true or false.")
    if identified == "true" and not may_identify:
        raise ExportRefused(
            403, "FORBIDDEN", "An identified export needs the phi:read scope; leave it out."
        )
    piece = Slice(practice_id, date_from, date_to, payers, identified == "true")
    return ExportAsk(piece, fmt, partition == "month")
