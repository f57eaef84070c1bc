"""The outbox dispatcher: sends accepted claims, each under its own control number, until delivered.

Delivery is at least once and deduplicated by the payer on the control number, which never changes,
so a payer holds each claim once however often a crash makes us resend it.

PostgreSQL: due rows are taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` and stay locked while they
are sent and their acknowledgment is recorded, in one transaction. Any number of dispatchers (gateway
replicas, ``payer-gateway worker`` processes) share the outbox without sending a row twice at once;
one that dies mid-send releases its locks and another resends those rows. SQLite has no row locks:
run one dispatcher there; rows are leased (``leased_until``) so a restarted one takes over after the
lease.

A payer that is down (unavailable, timeout, garbled answer, breaker open, not configured in this
process) leaves the row pending with a backoff; a payer refusing the request itself (invalid request,
refused credentials) fails the row and records the claim as rejected with the payer's reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from gateway.claims.backoff import Backoff
from gateway.claims.codec import submission_from_json
from gateway.claims.events import StatusChange
from gateway.claims.status import gateway_status, record_status
from gateway.errors import PayerCallFailed, public_code_words
from gateway.payers import PayerDirectory
from gateway.storage.claims_tables import ClaimOutbox, SubmittedClaim
from gateway.storage.database import Database
from payers.contract import Capability
from payers.model import ClaimState, SubmissionAck

log = logging.getLogger(__name__)

#: Payer refusals that sending again cannot fix (the claim is recorded as rejected).
FINAL_CODES = frozenset({"PAYER_REJECTED", "MEMBER_NOT_FOUND"})

Publish = Callable[[Sequence[StatusChange]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one send came to: an acknowledgment, or the failure."""

    ack: SubmissionAck | None = None
    failure: PayerCallFailed | None = None
    deferred: str | None = (
        None  # not attempted (payer unknown here, or it just failed in this batch)
    )


class Dispatcher:
    """Sends due outbox rows in batches; ``run_forever`` also wakes up when a claim is accepted."""

    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        publish: Publish | None = None,
        *,
        backoff: Backoff | None = None,
        batch_size: int = 50,
        per_payer_concurrency: int = 8,
        lease_seconds: float = 120.0,
        idle_seconds: float = 1.0,
        first_poll_seconds: float = 300.0,
    ) -> None:
        self.database = database
        self.payers = payers
        self.publish = publish
        self.backoff = backoff or Backoff()
        self.batch_size = batch_size
        self.per_payer_concurrency = per_payer_concurrency
        self.lease = timedelta(seconds=lease_seconds)
        self.idle_seconds = idle_seconds
        self.first_poll = timedelta(seconds=first_poll_seconds)
        self._wake = asyncio.Event()
        self.locking = database.engine.dialect.name == "postgresql"

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:  # the database may be restarting; try again shortly
                log.exception("claim dispatch round failed")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            stopped = asyncio.create_task(stop.wait())
            woken = asyncio.create_task(self._wake.wait())
            await asyncio.wait(
                {stopped, woken}, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for task in (stopped, woken):
                task.cancel()

    async def run_once(self) -> int:
        """One batch of due rows, sent and recorded; returns how many rows were taken."""
        return await (self._locked_round() if self.locking else self._leased_round())

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        return (
            select(ClaimOutbox, SubmittedClaim)
            .join(SubmittedClaim, SubmittedClaim.id == ClaimOutbox.claim_id)
            .where(ClaimOutbox.state == "pending", ClaimOutbox.next_attempt_at <= now)
            .order_by(ClaimOutbox.next_attempt_at, ClaimOutbox.id)
            .limit(self.batch_size)
        )

    async def _locked_round(self) -> int:
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            statement = self._due(now).with_for_update(skip_locked=True, of=ClaimOutbox)
            rows = [(o, c) for o, c in (await session.execute(statement)).all()]
            if not rows:
                return 0
            outcomes = await self._send_all(rows)
            changes = [await self._apply(session, o, c, outcomes[o.id]) for o, c in rows]
        await self._published(changes)
        return len(rows)

    async def _leased_round(self) -> int:
        now = datetime.now(UTC)
        async with self.database.transaction() as session:
            candidates = (
                await session.execute(
                    self._due(now).where(
                        or_(ClaimOutbox.leased_until.is_(None), ClaimOutbox.leased_until < now)
                    )
                )
            ).all()
            ids = [o.id for o, _ in candidates]
            if not ids:
                return 0
            await session.execute(
                update(ClaimOutbox)
                .where(ClaimOutbox.id.in_(ids))
                .values(leased_until=now + self.lease)
            )
        outcomes = await self._send_all([(o, c) for o, c in candidates])
        async with self.database.transaction() as session:
            fresh = (
                await session.execute(
                    select(ClaimOutbox, SubmittedClaim)
                    .join(SubmittedClaim, SubmittedClaim.id == ClaimOutbox.claim_id)
                    .where(ClaimOutbox.id.in_(ids))
                )
            ).all()
            changes = []
            for outbox, claim in fresh:
                outbox.leased_until = None
                changes.append(await self._apply(session, outbox, claim, outcomes[outbox.id]))
        await self._published(changes)
        return len(ids)

    async def _published(self, changes: Sequence[StatusChange | None]) -> None:
        if self.publish is not None:
            await self.publish([c for c in changes if c is not None])

    async def _send_all(
        self, rows: Sequence[tuple[ClaimOutbox, SubmittedClaim]]
    ) -> dict[str, Outcome]:
        by_payer: defaultdict[str, list[tuple[ClaimOutbox, SubmittedClaim]]] = defaultdict(list)
        for outbox, claim in rows:
            by_payer[claim.payer_id].append((outbox, claim))
        outcomes: dict[str, Outcome] = {}
        await asyncio.gather(
            *(self._send_to_payer(p, items, outcomes) for p, items in by_payer.items())
        )
        return outcomes

    async def _send_to_payer(
        self,
        payer_id: str,
        rows: list[tuple[ClaimOutbox, SubmittedClaim]],
        outcomes: dict[str, Outcome],
    ) -> None:
        if self.payers.get(payer_id) is None:
            for outbox, _ in rows:
                outcomes[outbox.id] = Outcome(deferred="PAYER_NOT_CONFIGURED")
            return
        gate = asyncio.Semaphore(self.per_payer_concurrency)
        down: list[str] = []  # once the payer is down, the rest of the batch waits for the backoff

        async def send(outbox: ClaimOutbox, claim: SubmittedClaim) -> None:
            async with gate:
                if down:
                    outcomes[outbox.id] = Outcome(deferred=down[0])
                    return
                outcomes[outbox.id] = await self._send(claim)
                failure = outcomes[outbox.id].failure
                if failure is not None and failure.code not in FINAL_CODES:
                    down.append(failure.code)

        await asyncio.gather(*(send(o, c) for o, c in rows))

    async def _send(self, claim: SubmittedClaim) -> Outcome:
        submission = submission_from_json(claim.submission)
        try:
            answer = await self.payers.call(
                claim.practice_id,
                claim.payer_id,
                Capability.CLAIM_SUBMISSION,
                submission,
                claim.control_number,
            )
        except PayerCallFailed as exc:
            return Outcome(failure=exc)
        if not isinstance(answer.value, SubmissionAck):
            return Outcome(deferred="PAYER_PROTOCOL_ERROR")
        return Outcome(ack=answer.value)

    async def _apply(self, session, outbox: ClaimOutbox, claim: SubmittedClaim, outcome: Outcome):  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        if outcome.ack is not None:
            outbox.attempts += 1
            outbox.state, outbox.sent_at, outbox.last_error = "sent", now, None
            return await self._record_ack(session, claim, outcome.ack)
        if outcome.failure is not None:
            outbox.attempts += 1
            code = outcome.failure.code
            if code in FINAL_CODES:
                outbox.state, outbox.last_error = "failed", code
                status = gateway_status(ClaimState.REJECTED, "A3")
                return await record_status(
                    session,
                    claim,
                    status,
                    source="acknowledgment",
                    message=outcome.failure.message,
                    payer_message=outcome.failure.payer_message,
                )
            outbox.last_error = code
            outbox.next_attempt_at = self.backoff.next_try(now, outbox.attempts)
            return None
        outbox.last_error = outcome.deferred
        outbox.next_attempt_at = self.backoff.next_try(now, max(outbox.attempts, 1))
        return None

    async def _record_ack(self, session, claim: SubmittedClaim, ack: SubmissionAck):  # type: ignore[no-untyped-def]
        status = ack.status
        if status is None:
            status = gateway_status(
                ClaimState.ACKNOWLEDGED if ack.accepted else ClaimState.REJECTED,
                "A1" if ack.accepted else "A3",
            )
        if ack.payer_claim_id and not status.payer_claim_id:
            claim.payer_claim_id = ack.payer_claim_id
        reasons = "; ".join(public_code_words(r) for r in ack.reasons) or None
        payer_reasons = "; ".join(str(r) for r in ack.reasons) or None
        note = (
            "The payer already had this claim (same control number); not billed twice."
            if ack.duplicate
            else None
        )
        claim.next_poll_at = datetime.now(UTC) + self.first_poll
        return await record_status(
            session,
            claim,
            status,
            source="acknowledgment",
            message=" ".join(t for t in (note, reasons) if t) or None,
            payer_message=payer_reasons,
            exchange=ack.exchange,
        )
