"""The status poller: asks payers about open claims on a schedule, within each payer's rate limit.

A claim is due when its ``next_poll_at`` has passed; after each poll it is due again after the payer's
``options.status_poll_seconds`` (default 3600). At most ``options.status_polls_per_minute`` (default
60) status calls go to one payer per minute from one process. A new status is stored in the claim's
history and published; a repeat of the current one is not. When a claim is finalized or denied, the
practice's remittance pull from that payer is made due now: the ledger's puller fetches and posts the
remittance (gateway/ledger/puller.py; webhook ``claim.remittance``).
On PostgreSQL due claims are taken with ``FOR UPDATE SKIP LOCKED`` so several pollers share the work;
no transaction is held while a payer answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.codec import submission_from_json
from gateway.claims.dispatcher import Publish
from gateway.claims.events import StatusChange
from gateway.claims.status import record_status
from gateway.errors import PayerCallFailed
from gateway.ledger import schedule
from gateway.payers import PayerDirectory
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from payers.contract import Capability
from payers.model import ClaimRef, ClaimState, ClaimStatus

log = logging.getLogger(__name__)

OPEN_AT_PAYER = tuple(s.value for s in ClaimState if s.is_open and s is not ClaimState.SUBMITTED)
SETTLED = {ClaimState.FINALIZED.value, ClaimState.DENIED.value}


class RateLimit:
    """A token bucket: ``per_minute`` calls, refilled continuously."""

    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(per_minute, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class StatusPoller:
    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        publish: Publish | None = None,
        *,
        batch_size: int = 50,
    ) -> None:
        self.database = database
        self.payers = payers
        self.publish = publish
        self.batch_size = batch_size
        self.limits: dict[str, RateLimit] = {}

    def _limit(self, payer_id: str) -> RateLimit:
        if payer_id not in self.limits:
            payer = self.payers.get(payer_id)
            per_minute = (
                float(payer.settings.options.get("status_polls_per_minute", 60)) if payer else 60.0
            )
            self.limits[payer_id] = RateLimit(per_minute)
        return self.limits[payer_id]

    async def run_once(self) -> int:
        """Poll the due open claims the rate limits allow; returns how many were polled."""
        now = datetime.now(UTC)
        statement = (
            select(SubmittedClaim)
            .where(SubmittedClaim.state.in_(OPEN_AT_PAYER), SubmittedClaim.next_poll_at <= now)
            .order_by(SubmittedClaim.next_poll_at)
            .limit(self.batch_size)
        )
        locking = self.database.engine.dialect.name == "postgresql"
        if locking:
            statement = statement.with_for_update(skip_locked=True)
        # A short transaction takes the due claims and moves their next poll on (so no other poller
        # takes them meanwhile); the payers are asked with no transaction open; each answer is then
        # recorded in its own transaction.
        async with self.database.transaction() as session:
            due = list(await session.scalars(statement))
            chosen = [
                c
                for c in due
                if self.payers.get(c.payer_id) is not None and self._limit(c.payer_id).take()
            ]
            for taken in chosen:
                taken.next_poll_at = now + timedelta(seconds=self._interval(taken.payer_id))
        answers = await asyncio.gather(*(self._status(c) for c in chosen))
        changes: list[StatusChange] = []
        for taken, status in zip(chosen, answers, strict=True):
            if status is None:
                continue
            async with self.database.transaction() as session:
                row = await session.get(SubmittedClaim, taken.id, with_for_update=locking or None)
                if row is not None and row.state in OPEN_AT_PAYER:
                    changes += await self._record(session, row, status, now)
        if self.publish is not None and changes:
            await self.publish(changes)
        return len(chosen)

    def _interval(self, payer_id: str) -> float:
        payer = self.payers.get(payer_id)
        return float(payer.settings.options.get("status_poll_seconds", 3600)) if payer else 3600.0

    async def _status(self, claim: SubmittedClaim) -> ClaimStatus | None:
        submission = submission_from_json(claim.submission)
        ref = ClaimRef(
            member=submission.member,
            payer_claim_id=claim.payer_claim_id,
            control_number=claim.control_number,
            service_date=claim.service_date_from,
            total_charge=claim.total_charge,
        )
        try:
            answer = await self.payers.call(
                claim.practice_id, claim.payer_id, Capability.CLAIM_STATUS, ref, fresh=True
            )
        except PayerCallFailed as exc:
            log.info("status poll failed", extra={"payer": claim.payer_id, "code": exc.code})
            return None
        return answer.value if isinstance(answer.value, ClaimStatus) else None

    async def _record(
        self,
        session: AsyncSession,
        claim: SubmittedClaim,
        status: ClaimStatus,
        now: datetime,
    ) -> list[StatusChange]:
        claim.next_poll_at = now + timedelta(seconds=self._interval(claim.payer_id))
        change = await record_status(session, claim, status, source="poll", only_if_changed=True)
        if change is None:
            return []
        if claim.state in SETTLED:
            await self._remittances_due(session, claim)
        return [change]

    async def _remittances_due(self, session: AsyncSession, claim: SubmittedClaim) -> None:
        """The payer settled the claim: make the practice's remittance pull from it due now."""
        payer = self.payers.get(claim.payer_id)
        if payer is None or Capability.PAYMENTS not in payer.capabilities:
            return
        await schedule.pull_now(session, claim.practice_id, claim.payer_id)
