"""Remittances received elsewhere: an 835 file uploaded, or a paper EOB typed in (read by paper.py).

Both are checked whole before anything is written (every problem at once, as ``(path, code,
message)``) and then posted exactly as a fetched remittance is (gateway/ledger/posting.py), so the same
trace number uploaded or entered twice changes nothing. An upload is read by the X12 adapter's own 835
reader; every transaction set in it is posted, in one transaction (all or none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import exchange_to_json
from gateway.ledger.limits import storage_problems
from gateway.ledger.paper import read_entry
from gateway.ledger.posting import PostingResult, post_remittance
from payers.contract import PayerProtocolError
from payers.model import PayerExchange, Payment
from payers.remittance_files import read_835

#: An upload travels inside a GraphQL request (at most PAYER_GATEWAY_MAX_BODY_BYTES, 256 KiB).
MAX_X12_CHARS = 240_000
_TRACE = re.compile(r"^[A-Za-z0-9\-]{1,50}$")

Problem = tuple[str, str, str]  # (path under input, code, message)
__all__ = ["MAX_X12_CHARS", "post_entry", "post_upload", "read_entry", "read_upload"]


def read_upload(payer_id: str, x12: str) -> tuple[list[Payment], list[Problem]]:
    """The remittances of an uploaded 835, or why it cannot be read (nothing is written)."""
    if not x12 or not x12.strip():
        return [], [("x12", "REQUIRED", "Paste or attach the 835 file's text.")]
    if len(x12) > MAX_X12_CHARS:
        return [], [("x12", "TOO_LARGE", f"An 835 upload is at most {MAX_X12_CHARS} characters.")]
    try:
        payments = read_835(x12, payer_id)
    except PayerProtocolError as exc:
        # The uploader's own file: its reader's words help them fix it (never logged).
        return [], [("x12", "INVALID_X12", f"This is not a readable 835: {exc.message}"[:500])]
    problems = [
        ("x12", "INVALID_X12", f"Transaction set {n} has no usable trace number (TRN02).")
        for n, p in enumerate(payments, start=1)
        if not p.trace_number or not _TRACE.match(p.trace_number)
    ]
    if problems:
        return [], problems
    problems = [
        ("x12", "INVALID_X12", f"Transaction set {n}: {problem}.")
        for n, p in enumerate(payments, start=1)
        for problem in storage_problems(p)[:5]
    ]
    if problems:
        return [], problems[:20]
    traces = [p.trace_number for p in payments]
    if len(set(traces)) != len(traces):
        return [], [("x12", "INVALID_X12", "Two transaction sets carry the same trace number.")]
    return payments, []


async def post_upload(
    session: AsyncSession,
    practice_id: str,
    payments: Sequence[Payment],
    x12: str,
    received_by: str | None,
) -> list[PostingResult]:
    """Post every remittance of an upload (checked by :func:`read_upload`) in ``session``."""
    raw = exchange_to_json(
        PayerExchange.of(
            "x12",
            "",
            x12,
            request_content_type="",
            response_content_type="application/edi-x12",
            at=datetime.now(UTC),
        )
    )
    return [
        await post_remittance(
            session, practice_id, p, source="uploaded", raw_exchange=raw, received_by=received_by
        )
        for p in payments
    ]


async def post_entry(
    session: AsyncSession, practice_id: str, payment: Payment, received_by: str | None
) -> PostingResult:
    """Post a typed-in EOB checked by :func:`read_entry`."""
    return await post_remittance(
        session, practice_id, payment, source="entered", received_by=received_by
    )
