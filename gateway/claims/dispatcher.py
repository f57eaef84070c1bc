"""The outbox dispatcher: sends accepted claims, each under its own control number, until delivered.

Delivery is at least once and deduplicated by the payer on the control number, which never changes,
so a payer holds each claim once however often a crash makes us resend it.

Rows are leased, never held in a transaction across a payer call: a short transaction takes due rows
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so dispatchers do not contend) and stamps them with a
lease (``leased_until``, ``lease_owner``) in one conditional UPDATE, which is atomic on SQLite too.
Each payer's rows then go out in their own lane, and each answer is recorded at once in its own short
transaction, only if the lease is still ours. So any number of dispatchers (gateway replicas,
``payer-gateway worker`` processes) share the outbox; one payer that hangs or is down delays neither
the other payers' sends nor their acknowledgments; and a dispatcher that dies resends nothing but what
it had in flight, once its lease lapses. A lapsed lease counts as a delivery attempt (the claim may
have left), so ``attempts`` counts real sends, resends after a crash included.

A payer that is down (unavailable, timeout, garbled answer) leaves the row pending with a backoff; a
payer the gateway did not call (its circuit breaker is open, or it is not configured in this process)
is not an attempt: its rows wait without backoff and go out within seconds of the breaker letting
calls through again. A payer refusing the request itself (invalid request, refused credentials) fails
the row and records the claim as rejected with the payer's reason.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update

from gateway.claims.backoff import Backoff
from gateway.claims.codec import submission_from_json
from gateway.claims.events import StatusChange
from gateway.claims.status import gateway_status, record_status
from gateway.errors import PayerCallFailed, public_code_words
from gateway.payers import PayerDirectory
from gateway.resilience.breaker import BreakerState
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
        None  # not attempted (payer unknown here, or it just failed in this lane)
    )


@dataclass(frozen=True, slots=True)
class Leased:
    """One outbox row this dispatcher holds a lease on, with what it needs to send the claim."""

    outbox_id: str
    claim_id: str
    practice_id: str
    payer_id: str
    control_number: str
    submission: dict[str, Any]
    lease_owner: str


class Dispatcher:
    """Sends due outbox rows; ``run_forever`` also wakes up when a claim is accepted."""

    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        publish: Publish | None = None,
        *,
        backoff: Backoff | None = None,
        batch_size: int = 50,
        per_payer_concurrency: int = 8,
        lease_seconds: float = 15.0,
        idle_seconds: float = 1.0,
        first_poll_seconds: float = 300.0,
        not_called_retry_seconds: float = 2.0,
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
        self.not_called_retry = timedelta(seconds=not_called_retry_seconds)
        self._wake = asyncio.Event()
        self._lanes: dict[str, asyncio.Task[None]] = {}  # payer id -> its delivery in flight
        self.locking = database.engine.dialect.name == "postgresql"

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Start a lane for every payer with due rows and no lane running; stop waits for the lanes."""
        try:
            while not stop.is_set():
                try:
                    taken = self._start_lanes(await self._lease(exclude=set(self._lanes)))
                except Exception:  # the database may be restarting; try again shortly
                    log.exception("claim dispatch round failed")
                    taken = 0
                if taken:
                    continue
                self._wake.clear()
                stopped = asyncio.create_task(stop.wait())
                woken = asyncio.create_task(self._wake.wait())
                await asyncio.wait(
                    {stopped, woken},
                    timeout=self.idle_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in (stopped, woken):
                    task.cancel()
        finally:
            # What is in flight is finished and recorded, so a clean stop resends nothing.
            if self._lanes:
                await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    async def run_once(self) -> int:
        """Lease the due rows, send them and record every answer; returns how many rows were taken."""
        leased = await self._lease(exclude=set())
        await asyncio.gather(
            *(self._deliver(payer, items) for payer, items in _by_payer(leased).items())
        )
        return len(leased)

    def _start_lanes(self, leased: Sequence[Leased]) -> int:
        for payer_id, items in _by_payer(leased).items():
            lane = asyncio.create_task(self._deliver(payer_id, items), name=f"claims-to-{payer_id}")
            self._lanes[payer_id] = lane
            lane.add_done_callback(functools.partial(self._lane_done, payer_id))
        return len(leased)

    def _lane_done(self, payer_id: str, task: asyncio.Task[None]) -> None:
        self._lanes.pop(payer_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "claim delivery lane failed",
                extra={"payer": payer_id, "exception": type(task.exception()).__name__},
            )
        self._wake.set()  # its payer may have more due rows

    def _not_callable(self) -> set[str]:
        """Payers whose breaker is open here: taking their rows would only defer them again."""
        return {
            payer_id
            for payer_id in self.payers.health.payer_ids()
            if self.payers.health.of(payer_id).breaker.state is BreakerState.OPEN
        }

    async def _lease(self, exclude: set[str]) -> list[Leased]:
        now = datetime.now(UTC)
        owner = uuid.uuid4().hex
        skip = exclude | self._not_callable()
        free = or_(ClaimOutbox.leased_until.is_(None), ClaimOutbox.leased_until < now)
        async with self.database.transaction() as session:
            due = (
                select(ClaimOutbox.id)
                .where(ClaimOutbox.state == "pending", ClaimOutbox.next_attempt_at <= now, free)
                .order_by(ClaimOutbox.next_attempt_at, ClaimOutbox.id)
                .limit(self.batch_size)
            )
            if skip:
                due = due.where(ClaimOutbox.payer_id.not_in(skip))
            if self.locking:
                due = due.with_for_update(skip_locked=True)
            ids = list(await session.scalars(due))
            if not ids:
                return []
            # A lease that lapsed was a send in flight when its dispatcher died: that was an attempt.
            await session.execute(
                update(ClaimOutbox)
                .where(ClaimOutbox.id.in_(ids), ClaimOutbox.state == "pending", free)
                .values(
                    leased_until=now + self.lease,
                    lease_owner=owner,
                    attempts=ClaimOutbox.attempts
                    + case((ClaimOutbox.leased_until.is_not(None), 1), else_=0),
                )
                .execution_options(synchronize_session=False)
            )
            rows = (
                await session.execute(
                    select(ClaimOutbox.id, SubmittedClaim)
                    .join(SubmittedClaim, SubmittedClaim.id == ClaimOutbox.claim_id)
                    .where(ClaimOutbox.id.in_(ids), ClaimOutbox.lease_owner == owner)
                    .order_by(ClaimOutbox.next_attempt_at, ClaimOutbox.id)
                )
            ).all()
        return [
            Leased(
                outbox_id=outbox_id,
                claim_id=claim.id,
                practice_id=claim.practice_id,
                payer_id=claim.payer_id,
                control_number=claim.control_number,
                submission=claim.submission,
                lease_owner=owner,
            )
            for outbox_id, claim in rows
        ]

    async def _deliver(self, payer_id: str, items: Sequence[Leased]) -> None:
        """One payer's leased rows: sent with bounded concurrency, each answer recorded at once."""
        if self.payers.get(payer_id) is None:
            for item in items:
                await self._record(item, Outcome(deferred="PAYER_NOT_CONFIGURED"))
            return
        gate = asyncio.Semaphore(self.per_payer_concurrency)
        down: list[str] = []  # once the payer is down, the rest of the lane waits for the backoff
        unrecorded = {item.outbox_id: item.lease_owner for item in items}

        async def one(item: Leased) -> None:
            async with gate:
                if down:
                    outcome = Outcome(deferred=down[0])
                else:
                    outcome = await self._send(item)
                    failure = outcome.failure
                    if failure is not None and failure.called and failure.code not in FINAL_CODES:
                        down.append(failure.code)
            await self._record(item, outcome)
            unrecorded.pop(item.outbox_id, None)

        renewing = asyncio.create_task(self._keep_leased(unrecorded))
        try:
            await asyncio.gather(*(one(item) for item in items))
        finally:
            renewing.cancel()

    async def _keep_leased(self, unrecorded: dict[str, str]) -> None:
        """Renew the lease on rows still in flight, so a short lease means a quick takeover after a
        crash but never a takeover from a live dispatcher waiting on a slow payer."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            for owner in set(unrecorded.values()):
                ids = [i for i, o in unrecorded.items() if o == owner]
                try:
                    async with self.database.transaction() as session:
                        await session.execute(
                            update(ClaimOutbox)
                            .where(ClaimOutbox.id.in_(ids), ClaimOutbox.lease_owner == owner)
                            .values(leased_until=datetime.now(UTC) + self.lease)
                            .execution_options(synchronize_session=False)
                        )
                except Exception:  # the next renewal may get through before the lease lapses
                    log.exception("claim leases could not be renewed")

    async def _record(self, item: Leased, outcome: Outcome) -> None:
        """The answer for one row, in its own transaction, if the lease on it is still ours."""
        try:
            async with self.database.transaction() as session:
                outbox = await session.get(
                    ClaimOutbox, item.outbox_id, with_for_update=self.locking or None
                )
                if outbox is None or outbox.lease_owner != item.lease_owner:
                    return  # our lease lapsed and another dispatcher took the row over
                claim = await session.get(SubmittedClaim, item.claim_id)
                assert claim is not None
                outbox.leased_until, outbox.lease_owner = None, None
                change = await self._apply(session, outbox, claim, outcome)
        except Exception:
            # Left leased: when the lease lapses the claim is resent and the payer deduplicates it.
            log.exception("claim delivery could not be recorded")
            return
        if change is not None and self.publish is not None:
            await self.publish([change])

    async def _send(self, claim: Leased) -> Outcome:
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
        if outcome.failure is not None and not outcome.failure.called:
            # Not sent (breaker open): no attempt, no backoff; the breaker decides when calls resume.
            outbox.last_error = outcome.failure.code
            outbox.next_attempt_at = now + self.not_called_retry
            return None
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


def _by_payer(items: Iterable[Leased]) -> dict[str, list[Leased]]:
    grouped: defaultdict[str, list[Leased]] = defaultdict(list)
    for item in items:
        grouped[item.payer_id].append(item)
    return grouped
