"""The remittance puller: fetches each practice's remittances from each payer, posts each once.

On a schedule (``PAYER_GATEWAY_CLAIMS_REMITTANCE_PULL_SECONDS``, default 300) and on demand
(``fetchRemittances``, or a claim the poller saw settle), a puller leases a practice's pull from one
payer (gateway/ledger/schedule.py), asks the payer for every remittance paid since the newest one
seen (``adapter.payments(None, since)``; the lease is renewed while the call is in flight) and posts
each remittance in its own short transaction, never holding one across the payer call. Only
remittances paid to the practice are posted: the payee NPI is the practice's, or, when the payer does
not say, a claim payment is one of the practice's claims or the practice is the only one pulling from
that payer (another practice's patients never land on this practice's worklist).

Each pull runs as its own task, so a payer that hangs or is down holds back no other payer or
practice. A payer that failed is tried again with a backoff (an attempt); a payer the gateway did not
call because its circuit breaker is open is not an attempt, and its pulls wait without backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.claims.backoff import Backoff
from gateway.errors import PayerCallFailed
from gateway.ledger import schedule
from gateway.ledger.limits import storage_problems
from gateway.ledger.matching import match_claim_payments
from gateway.ledger.posting import PostingResult, post_remittance
from gateway.ledger.schedule import LeasedPull
from gateway.payers import PayerDirectory
from gateway.resilience.breaker import BreakerState
from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittancePull
from payers.contract import Capability
from payers.model import Payment

log = logging.getLogger(__name__)

AfterPosting = Callable[[str, PostingResult], Awaitable[object]]

#: Remittances are fetched again from a week before the newest payment date seen: a payer may date
#: a late remittance earlier, and fetching one twice changes nothing.
OVERLAP = timedelta(days=7)
ENSURE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class PullOutcome:
    """What one pull did: remittances fetched, newly posted, skipped as another payee's."""

    practice_id: str
    payer_id: str
    fetched: int = 0
    posted: int = 0
    not_ours: int = 0
    error: str | None = None  # the payer's failure code; None when it answered
    called: bool = True


class RemittancePuller:
    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        after_posting: AfterPosting | None = None,
        *,
        interval_seconds: float = 300.0,
        lease_seconds: float = 120.0,
        batch_size: int = 20,
        backoff: Backoff | None = None,
        not_called_retry_seconds: float = 2.0,
    ) -> None:
        self.database = database
        self.payers = payers
        self.after_posting = after_posting
        self.interval = timedelta(seconds=interval_seconds)
        self.lease_seconds = lease_seconds
        self.batch_size = batch_size
        self.backoff = backoff or Backoff(5.0, interval_seconds)
        self.not_called_retry = timedelta(seconds=not_called_retry_seconds)
        self._running: dict[tuple[str, str], asyncio.Task[PullOutcome]] = {}
        self._next_ensure = 0.0

    def payer_ids(self) -> list[str]:
        return [p.id for p in self.payers.all() if Capability.PAYMENTS in p.capabilities]

    def _breaker_open(self) -> set[str]:
        return {
            payer_id
            for payer_id in self.payers.health.payer_ids()
            if self.payers.health.of(payer_id).breaker.state is BreakerState.OPEN
        }

    async def run_once(self) -> int:
        """Start every due pull not already running here; returns how many started. The pulls run
        as tasks (:meth:`drain` waits for them), so a slow payer does not delay the next tick."""
        if time.monotonic() >= self._next_ensure:  # new practices get their pulls within a minute
            async with self.database.transaction() as session:
                await schedule.ensure_pulls(
                    session, self.payer_ids(), datetime.now(UTC) + self.interval
                )
            self._next_ensure = time.monotonic() + ENSURE_SECONDS
        leased = await schedule.lease_due(
            self.database,
            lease_seconds=self.lease_seconds,
            limit=self.batch_size,
            skip_payers=self._breaker_open(),
        )
        for pull in leased:
            key = (pull.practice_id, pull.payer_id)
            if key in self._running:  # another lease of ours is still in flight
                continue
            task = asyncio.create_task(self._pull(pull), name=f"remittances-from-{pull.payer_id}")
            self._running[key] = task
            task.add_done_callback(functools.partial(self._done, key))
        return len(leased)

    def _done(self, key: tuple[str, str], task: asyncio.Task[PullOutcome]) -> None:
        self._running.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "remittance pull failed",
                extra={"payer": key[1], "exception": type(task.exception()).__name__},
            )

    async def drain(self) -> None:
        """Wait for the pulls in flight (tests, and a clean stop)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def pull(self, practice_id: str, payer_id: str) -> PullOutcome | None:
        """Pull one practice's remittances from one payer now; None when another puller has it."""
        async with self.database.transaction() as session:
            await schedule.pull_now(session, practice_id, payer_id)
        leased = await schedule.lease_due(
            self.database, lease_seconds=self.lease_seconds, limit=1, only=(practice_id, payer_id)
        )
        if not leased:
            return None
        return await self._pull(leased[0])

    async def _pull(self, pull: LeasedPull) -> PullOutcome:
        renewing = asyncio.create_task(self._keep_leased(pull))
        try:
            try:
                payments = await self._fetch(pull)
            except PayerCallFailed as exc:
                renewing.cancel()
                await self._failed(pull, exc)
                return PullOutcome(
                    pull.practice_id, pull.payer_id, error=exc.code, called=exc.called
                )
            posted, not_ours = 0, 0
            for payment in payments:
                if await self._post(pull, payment):
                    posted += 1
                elif payment.payee_npi not in (None, pull.practice_npi):
                    not_ours += 1
        finally:
            # Whatever happened, the lease is no longer renewed: if the outcome is not recorded
            # below, the lease lapses and the pull runs again.
            renewing.cancel()
        # The newest payment date seen only moves forward: the next fetch starts a week before it.
        dates = [p.payment_date for p in payments if p.payment_date is not None]
        if pull.since is not None:
            dates.append(pull.since)
        await schedule.finish(
            self.database,
            pull,
            next_pull_at=datetime.now(UTC) + self.interval,
            pulled=True,
            newest_paid_on=max(dates) if dates else None,
        )
        return PullOutcome(pull.practice_id, pull.payer_id, len(payments), posted, not_ours)

    async def _failed(self, pull: LeasedPull, exc: PayerCallFailed) -> None:
        now = datetime.now(UTC)
        log.info("remittance pull failed", extra={"payer": pull.payer_id, "code": exc.code})
        if not exc.called:  # breaker open: not an attempt, no backoff
            await schedule.finish(
                self.database, pull, next_pull_at=now + self.not_called_retry, pulled=False
            )
            return
        attempts = await self._attempts(pull) + 1
        await schedule.finish(
            self.database,
            pull,
            next_pull_at=self.backoff.next_try(now, attempts),
            pulled=False,
            failed=exc.code,
        )

    async def _fetch(self, pull: LeasedPull) -> Sequence[Payment]:
        since = pull.since - OVERLAP if pull.since is not None else None
        answer = await self.payers.call(
            pull.practice_id, pull.payer_id, Capability.PAYMENTS, None, since, cached=False
        )
        return [p for p in answer.value or () if isinstance(p, Payment)]

    async def _post(self, pull: LeasedPull, payment: Payment) -> bool:
        """Post one remittance in its own transaction; True when it was new to the ledger."""
        if payment.payee_npi not in (None, pull.practice_npi) or payment.payer_id != pull.payer_id:
            return False
        if storage_problems(payment):
            # Never cut to fit: the payer's remittance waits, named in the logs without its values.
            log.warning(
                "remittance does not fit the ledger",
                extra={"payer": pull.payer_id, "problems": storage_problems(payment)[:5]},
            )
            return False
        async with self.database.transaction() as session:
            if payment.payee_npi is None and not await self._ours(session, pull, payment):
                return False
            result = await post_remittance(session, pull.practice_id, payment, source="fetched")
        if result.created and self.after_posting is not None:
            try:
                await self.after_posting(pull.practice_id, result)
            except Exception:  # posted and committed: a lost notification must not undo it
                log.exception("after posting failed")
        return result.created

    async def _ours(self, session: AsyncSession, pull: LeasedPull, payment: Payment) -> bool:
        """Whether a remittance naming no payee is the practice's: one of its claim payments is
        one of the practice's claims, or the practice is the only one pulling from this payer."""
        matches = await match_claim_payments(
            session, pull.practice_id, pull.payer_id, payment.claims
        )
        if any(m is not None for m in matches):
            return True
        pulling = await session.scalar(
            select(func.count())
            .select_from(RemittancePull)
            .where(RemittancePull.payer_id == pull.payer_id)
        )
        return pulling == 1

    async def _attempts(self, pull: LeasedPull) -> int:
        async with self.database.session() as session:
            row = await session.get(RemittancePull, pull.pull_id)
            return row.attempts if row is not None else 0

    async def _keep_leased(self, pull: LeasedPull) -> None:
        """Renew the lease while the pull is in flight, so a live puller is never taken over."""
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.lease_seconds / 3)
                try:
                    await schedule.renew(self.database, pull, self.lease_seconds)
                except Exception:  # the next renewal may get through before the lease lapses
                    log.exception("remittance pull lease could not be renewed")
