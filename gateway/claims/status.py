"""A claim's status history: every status a payer stated (or the gateway set), recorded once.

:func:`record_status` writes the history row, moves the claim to its new state and queues the webhook
deliveries in the caller's transaction; the :class:`StatusChange` it returns is published once that
transaction has committed (subscribers never hear of a change that was rolled back).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims import webhooks
from gateway.claims.codec import exchange_to_json
from gateway.claims.events import StatusChange
from gateway.patient_activity import note_activity
from gateway.storage.claims_tables import ClaimStatusEntry, SubmittedClaim
from payers.codesets import lookup
from payers.model import ClaimState, ClaimStatus, Code, PayerExchange


def gateway_status(state: ClaimState, category: str, status: str | None = None) -> ClaimStatus:
    """A status the gateway states itself (e.g. rejected by the payer's API without a 277 code)."""
    return ClaimStatus(
        state=state,
        category=lookup("claim-status-category", category),
        status=lookup("claim-status", status) if status else None,
    )


def _same(claim: SubmittedClaim, status: ClaimStatus) -> bool:
    return (
        claim.state == status.state.value
        and claim.category_code == status.category.code
        and claim.status_code == (status.status.code if status.status else None)
    )


def _text(code: Code | None, limit: int = 300) -> str | None:
    return code.description[:limit] if code else None


async def record_status(
    session: AsyncSession,
    claim: SubmittedClaim,
    status: ClaimStatus,
    *,
    source: str,
    message: str | None = None,
    payer_message: str | None = None,
    only_if_changed: bool = False,
    exchange: PayerExchange | None = None,
) -> StatusChange | None:
    """Record ``status`` for ``claim``; with ``only_if_changed`` a repeat of the current one is skipped.

    ``message`` is the gateway's own words; the payer's free text (``payer_message``, else the
    status's own message) may name the member and is kept apart for ``phi:read`` callers, like the raw
    exchange the payer stated it in (``exchange``, else the status's own). Neither goes into the change
    published to subscribers and webhooks."""
    if only_if_changed and _same(claim, status):
        return None
    payer_text = payer_message or status.message
    raw = exchange or status.exchange
    entry = ClaimStatusEntry(
        claim_id=claim.id,
        practice_id=claim.practice_id,
        state=status.state.value,
        category_code=status.category.code,
        category_description=_text(status.category),
        status_code=status.status.code if status.status else None,
        status_description=_text(status.status),
        entity_code=status.entity.code if status.entity else None,
        effective_date=status.effective_date,
        source=source,
        message=message[:500] if message else None,
        payer_message=payer_text[:2000] if payer_text else None,
        recorded_at=datetime.now(UTC),
        raw_exchange=exchange_to_json(raw) if raw is not None else None,
    )
    claim.payer_claim_id = status.payer_claim_id or claim.payer_claim_id
    if status.paid_amount is not None:
        claim.paid_amount = status.paid_amount
    return await _apply(session, claim, entry)


async def record_submitted(
    session: AsyncSession, claim: SubmittedClaim, payer_name: str
) -> StatusChange:
    """The first entry: accepted by the gateway, waiting in the outbox (no 277 code yet)."""
    entry = ClaimStatusEntry(
        claim_id=claim.id,
        practice_id=claim.practice_id,
        state=ClaimState.SUBMITTED.value,
        source="submission",
        message=f"Accepted by the gateway; queued for {payer_name}."[:500],
        recorded_at=datetime.now(UTC),
    )
    return await _apply(session, claim, entry)


async def _apply(
    session: AsyncSession, claim: SubmittedClaim, entry: ClaimStatusEntry
) -> StatusChange:
    session.add(entry)
    claim.state = entry.state
    claim.category_code = entry.category_code
    claim.status_code = entry.status_code
    claim.updated_at = entry.recorded_at
    await note_activity(session, claim.patient_id, entry.recorded_at)
    change = change_of(claim, entry)
    await webhooks.enqueue(
        session, claim.practice_id, webhooks.STATUS_CHANGED, change.webhook_payload()
    )
    return change


def change_of(claim: SubmittedClaim, entry: ClaimStatusEntry) -> StatusChange:
    return StatusChange(
        practice_id=claim.practice_id,
        claim_id=claim.id,
        patient_id=claim.patient_id,
        payer_id=claim.payer_id,
        control_number=claim.control_number,
        payer_claim_id=claim.payer_claim_id,
        state=entry.state,
        category_code=entry.category_code,
        category_description=entry.category_description,
        status_code=entry.status_code,
        status_description=entry.status_description,
        effective_date=entry.effective_date.isoformat() if entry.effective_date else None,
        source=entry.source,
        message=entry.message,
        recorded_at=entry.recorded_at.isoformat(),
    )
