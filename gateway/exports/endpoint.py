"""``GET /exports/history``: one authenticated request streams a history export as a zip.

Authenticated like ``/graphql`` (``Authorization: Bearer`` with an API key or an access token; see
gateway/http/auth.py). Refusals come before a byte of the export is read, as the JSON errors every
other refusal uses (``errors[0].extensions.code``): 401 UNAUTHENTICATED, 403 FORBIDDEN (no
``history:export``, or ``identified=true`` without ``phi:read``), 400 BAD_EXPORT_REQUEST /
EXPORT_RANGE_TOO_LONG / EXPORT_TOO_MANY_PAYERS, 429 EXPORT_RATE_LIMITED / EXPORTS_BUSY with
Retry-After. Each export writes ``history.export.started`` (who, slice, format, columns) to the audit
trail before its first byte and ``history.exported`` (row counts per table, finished or not) after.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter
from collections.abc import AsyncIterator

from starlette.datastructures import QueryParams
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from gateway.audit.trail import PendingEvent, RequestFacts, write
from gateway.auth.pseudonyms import patient_key
from gateway.exports.request import ExportAsk, ExportLimits, ExportRefused, parse_export
from gateway.exports.stream import HistoryExport
from gateway.graphql.context import GatewayServices
from gateway.http.errors import error_response
from gateway.http.rate_limit import RateLimiter
from gateway.identity import HISTORY_EXPORT, PHI_READ, Principal

log = logging.getLogger(__name__)

MEDIA_TYPES = {"parquet": "application/zip", "csv": "application/zip", "ndjson": "application/zip"}


def limits_of(services: GatewayServices) -> ExportLimits:
    settings = services.settings
    return ExportLimits(
        max_days=settings.export_max_days,
        max_payers=settings.export_max_payers,
        per_minute=settings.export_per_minute,
        max_concurrent=settings.export_max_concurrent,
    )


class HistoryExportEndpoint:
    """The ASGI endpoint (behind BearerAuth, which puts the principal in ``scope["state"]``)."""

    def __init__(self, services: GatewayServices, limiter: RateLimiter) -> None:
        self.services = services
        self.limiter = limiter
        self.limits = limits_of(services)
        self._running: Counter[str] = Counter()  # practice id -> exports streaming now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            principal, ask = await self._admit(scope)
        except ExportRefused as refused:
            retry = refused.retry_after
            headers = {"Retry-After": str(retry)} if retry is not None else None
            await error_response(refused.status, refused.code, refused.message, headers)(
                scope, receive, send
            )
            return
        practice_id = ask.piece.practice_id
        self._running[practice_id] += 1
        try:
            await self._stream(scope, receive, send, principal, ask)
        finally:
            self._running[practice_id] -= 1
            if self._running[practice_id] <= 0:
                del self._running[practice_id]

    async def _admit(self, scope: Scope) -> tuple[Principal, ExportAsk]:
        if scope["method"] not in {"GET", "HEAD"}:
            raise ExportRefused(405, "METHOD_NOT_ALLOWED", "Use GET.")
        principal: Principal | None = scope.get("state", {}).get("principal")
        if principal is None:
            raise ExportRefused(401, "UNAUTHENTICATED", "Sign in or send an API key.")
        if principal.practice_id is None or not principal.has(HISTORY_EXPORT):
            raise ExportRefused(403, "FORBIDDEN", "Exports need the history:export scope.")
        params = dict(QueryParams(scope.get("query_string", b"").decode("latin-1")))
        ask = parse_export(
            params, principal.practice_id, self.limits, may_identify=principal.has(PHI_READ)
        )
        if self._running[principal.practice_id] >= self.limits.max_concurrent:
            raise ExportRefused(
                429,
                "EXPORTS_BUSY",
                f"At most {self.limits.max_concurrent} exports run at once for a practice; "
                "retry when one has finished.",
                retry_after=30,
            )
        per_minute = self.limits.per_minute
        wait = await self.limiter.take(f"export:{principal.practice_id}", per_minute, per_minute)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ExportRefused(
                429,
                "EXPORT_RATE_LIMITED",
                f"Too many exports; retry in {seconds} s.",
                retry_after=seconds,
            )
        return principal, ask

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, principal: Principal, ask: ExportAsk
    ) -> None:
        settings = self.services.settings
        practice_id = ask.piece.practice_id
        keys: dict[str, str] = {}

        def pseudonym(patient_id: str) -> str:
            key = keys.get(patient_id)
            if key is None:
                key = keys[patient_id] = patient_key(
                    settings.pseudonym_secret, practice_id, patient_id
                )
            return key

        export = HistoryExport(
            self.services.database, ask.piece, ask.format, ask.partition, pseudonym
        )
        facts = _facts(scope, principal)
        await write(self.services.database, facts, {}, [_started(export)])
        name = f"history-{ask.piece.date_from}-{ask.piece.date_to}-{ask.format}.zip"
        response = StreamingResponse(
            _guarded(export.chunks()),
            media_type=MEDIA_TYPES[ask.format],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )
        try:
            await response(scope, receive, send)
        finally:
            # Shielded: a client that went away cancels the response, not the audit row.
            await asyncio.shield(write(self.services.database, facts, {}, [_finished(export)]))


async def _guarded(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The export's bytes; a failure part way ends the stream (the zip then has no directory, so a
    reader sees it is incomplete) and is logged by type only (no SQL, no values)."""
    try:
        async for chunk in chunks:
            yield chunk
    except Exception as exc:
        log.error("history export failed part way", extra={"error_type": type(exc).__name__})


def _facts(scope: Scope, principal: Principal) -> RequestFacts:
    client = scope.get("client")
    state = scope.get("state", {})
    return RequestFacts(
        principal=principal,
        request_id=state.get("request_id"),
        client_address=str(client[0]) if client else None,
        operation="GET /exports/history",
    )


def _slice_detail(export: HistoryExport) -> dict[str, str]:
    piece = export.piece
    return {
        "from": piece.date_from.isoformat(),
        "to": piece.date_to.isoformat(),
        "payers": ",".join(piece.payer_ids) or "*",
        "format": export.format,
        "partition": "month" if export.partition else "none",
        "identified": "true" if piece.identified else "false",
    }


def _started(export: HistoryExport) -> PendingEvent:
    columns = "; ".join(f"{table}: {','.join(names)}" for table, names in export.columns().items())
    return PendingEvent(
        "history.export.started", detail={**_slice_detail(export), "columns": columns}
    )


def _finished(export: HistoryExport) -> PendingEvent:
    detail = _slice_detail(export)
    detail["finished"] = "true" if export.finished else "false"
    for table, count in export.counts.items():
        detail[f"rows.{table}"] = str(count)
    return PendingEvent("history.exported", detail=detail)
