"""What a posting tells the world: ``claim.remittance`` webhooks and claim events on the bus.

Webhook deliveries are rows written in the posting's own transaction (:func:`remittance_webhooks`,
called by ``post_remittance``), so a committed posting never loses its webhooks and a rolled-back one
sends none. Subscribers hear after the commit (:func:`after_posting`): one claim event per matched
claim whose financial state the posting changed, with the claim's status kept and the payment in the
message. Then the automatic secondary claims (gateway/ledger/auto_secondary.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims import webhooks
from gateway.claims.events import StatusChange
from gateway.ledger.auto_secondary import send_automatic_secondaries
from gateway.storage.claims_tables import SubmittedClaim, Webhook, WebhookDelivery
from gateway.storage.database import Database
from gateway.storage.tables import new_id
from payers.model import ClaimPayment, Payment

if TYPE_CHECKING:
    from gateway.claims.services import ClaimServices
    from gateway.ledger.posting import PostedClaim, PostingResult

STATE_WORDS = {
    "paid": "paid",
    "partially_paid": "partly paid",
    "denied": "denied",
    "reversed": "reversed (the payer took its payment back)",
}


class PostingServices(Protocol):
    """What :func:`after_posting` needs of a process's services (GatewayServices has both)."""

    @property
    def database(self) -> Database: ...

    @property
    def claims(self) -> ClaimServices | None: ...


async def remittance_webhooks(
    session: AsyncSession,
    practice_id: str,
    remittance_id: str,
    payment: Payment,
    posted: Sequence[tuple[ClaimPayment, PostedClaim]],
) -> int:
    """One ``claim.remittance`` delivery per matched claim payment per webhook that wants it."""
    hooks = [
        hook.id
        for hook in await session.scalars(
            select(Webhook).where(Webhook.practice_id == practice_id, Webhook.active.is_(True))
        )
        if webhooks.REMITTANCE in hook.events
    ]
    matched = [(claim, p) for claim, p in posted if p.claim_id is not None]
    if not hooks or not matched:
        return 0
    now = datetime.now(UTC)
    rows = [
        {
            "id": new_id(),
            "webhook_id": hook_id,
            "practice_id": practice_id,
            "event": webhooks.REMITTANCE,
            "payload": _payload(remittance_id, payment, claim, p),
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for claim, p in matched
        for hook_id in hooks
    ]
    await session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def _payload(
    remittance_id: str, payment: Payment, claim: ClaimPayment, posted: PostedClaim
) -> dict[str, Any]:
    return {
        "claimId": posted.claim_id,
        "controlNumber": claim.control_number,
        "payerClaimId": claim.payer_claim_id,
        "payerId": payment.payer_id,
        "remittanceId": remittance_id,
        "claimPaymentId": posted.remittance_claim_id,
        "traceNumber": payment.trace_number,
        "paymentDate": payment.payment_date.isoformat() if payment.payment_date else None,
        "status": {"code": claim.status.code, "description": claim.status.description},
        "charge": str(claim.charge),
        "paid": str(claim.paid),
        "patientResponsibility": str(claim.patient_responsibility)
        if claim.patient_responsibility is not None
        else None,
        "financialState": posted.financial_state,
    }


async def after_posting(services: PostingServices, practice_id: str, result: PostingResult) -> int:
    """After the posting committed: what it sets off. Returns how many claim events went out.

    Each step must be safe to repeat (a caller may call this again after a crash, or for a posting
    that found the remittance already in the ledger): claim events, then the automatic secondary
    claims."""
    published = await publish_changes(services, practice_id, result)
    # Keyed per claim (gateway.ledger.auto_secondary): repeating this sends no second secondary.
    await send_automatic_secondaries(services.database, services.claims, practice_id, result.claims)
    return published


async def publish_changes(
    services: PostingServices, practice_id: str, result: PostingResult
) -> int:
    """A claim event per claim whose financial state this posting changed; a remittance posted
    before publishes nothing."""
    if not result.created or services.claims is None:
        return 0
    changed = {p.claim_id: p for p in result.claims if p.changed and p.claim_id is not None}
    if not changed:
        return 0
    async with services.database.session() as session:
        claims = list(
            await session.scalars(
                select(SubmittedClaim).where(
                    SubmittedClaim.practice_id == practice_id,
                    SubmittedClaim.id.in_(list(changed)),
                )
            )
        )
    now = datetime.now(UTC).isoformat()
    events = [_event(claim, changed[claim.id].financial_state, now) for claim in claims]
    await services.claims.published(events)
    return len(events)


def _event(claim: SubmittedClaim, financial_state: str | None, now: str) -> StatusChange:
    words = STATE_WORDS.get(financial_state or "", financial_state or "posted")
    return StatusChange(
        practice_id=claim.practice_id,
        claim_id=claim.id,
        patient_id=claim.patient_id,
        payer_id=claim.payer_id,
        control_number=claim.control_number,
        payer_claim_id=claim.payer_claim_id,
        state=claim.state,
        category_code=claim.category_code,
        category_description=None,
        status_code=claim.status_code,
        status_description=None,
        effective_date=None,
        source="remittance",
        message=f"Payment posted: the claim is {words}.",
        recorded_at=now,
    )
