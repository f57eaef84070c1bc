"""The claim history refresher: asks each payer offering claim search for the claims of each of the
practice's members, and stores what it reports (gateway/history/reported.py).

On a schedule (``PAYER_GATEWAY_CLAIMS_HISTORY_REFRESH_SECONDS``, default 3600) a refresher in the
worker processes (``serve`` or ``payer-gateway worker``) leases a practice's refresh from one payer
(gateway/history/schedule.py), asks the payer member by member (the lease is renewed while it
works) and stores each member's answer in its own short transaction, never holding one across a
payer call. A notebook therefore never waits on payers: ``claimHistory`` reads the stored rows.

Payers without claim search (X12 5010 has no claim search transaction: 276/277 asks about one
claim the practice names) get no refresh: their claims are the ones submitted through the gateway
and the ones their remittances (835) name.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from gateway.claims.backoff import Backoff
from gateway.errors import PayerCallFailed
from gateway.history import schedule
from gateway.history.reported import store_reported_claims
from gateway.history.schedule import LeasedRefresh
from gateway.payers import PayerDirectory
from gateway.resilience.breaker import BreakerState
from gateway.storage.database import Database
from gateway.storage.history_tables import ClaimHistoryRefresh
from gateway.storage.tables import Coverage, Patient
from payers.contract import Capability
from payers.model import Claim, ClaimStatusFilter, MemberQuery, SubscriberRelation

log = logging.getLogger(__name__)

ENSURE_SECONDS = 60.0
#: A member the payer does not know (or refuses) is skipped; the refresh goes on with the others.
MEMBER_CODES = frozenset({"MEMBER_NOT_FOUND", "PAYER_REJECTED"})


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    practice_id: str
    payer_id: str
    members: int = 0
    claims: int = 0  # claims stored (new or updated)
    skipped_members: int = 0
    error: str | None = None
    called: bool = True


class ClaimHistoryRefresher:
    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        *,
        interval_seconds: float = 3600.0,
        first_refresh_seconds: float = 60.0,
        lease_seconds: float = 120.0,
        lookback_days: int = 730,
        batch_size: int = 10,
        backoff: Backoff | None = None,
    ) -> None:
        self.database = database
        self.payers = payers
        self.interval = timedelta(seconds=interval_seconds)
        self.first_refresh = timedelta(seconds=first_refresh_seconds)
        self.lease_seconds = lease_seconds
        self.lookback = timedelta(days=lookback_days)
        self.batch_size = batch_size
        self.backoff = backoff or Backoff(30.0, interval_seconds)
        self._running: dict[tuple[str, str], asyncio.Task[RefreshOutcome]] = {}
        self._next_ensure = 0.0

    def payer_ids(self) -> list[str]:
        return [p.id for p in self.payers.all() if Capability.CLAIM_SEARCH in p.capabilities]

    def _breaker_open(self) -> set[str]:
        health = self.payers.health
        return {
            payer_id
            for payer_id in health.payer_ids()
            if health.of(payer_id).breaker.state is BreakerState.OPEN
        }

    async def run_once(self) -> int:
        """Start every due refresh not already running here; returns how many started."""
        if time.monotonic() >= self._next_ensure:
            async with self.database.transaction() as session:
                await schedule.ensure_refreshes(
                    session, self.payer_ids(), datetime.now(UTC) + self.first_refresh
                )
            self._next_ensure = time.monotonic() + ENSURE_SECONDS
        leased = await schedule.lease_due(
            self.database,
            lease_seconds=self.lease_seconds,
            limit=self.batch_size,
            skip_payers=self._breaker_open(),
        )
        for lease in leased:
            key = (lease.practice_id, lease.payer_id)
            if key in self._running:
                continue
            task = asyncio.create_task(self._refresh(lease), name=f"history-{lease.payer_id}")
            self._running[key] = task
            task.add_done_callback(functools.partial(self._done, key))
        return len(leased)

    def _done(self, key: tuple[str, str], task: asyncio.Task[RefreshOutcome]) -> None:
        self._running.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "claim history refresh failed",
                extra={"payer": key[1], "exception": type(task.exception()).__name__},
            )

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def cancel(self) -> None:
        """Stop the refreshes running (a stopping process): each one's writes are transactions, and
        its lease lapses so another process (or this one, restarted) refreshes it again. Waiting for
        them instead could take as long as a practice with thousands of patients takes to search."""
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def refresh(self, practice_id: str, payer_id: str) -> RefreshOutcome | None:
        """Refresh one practice's claims from one payer now; None when another refresher has it."""
        async with self.database.transaction() as session:
            await schedule.refresh_now(session, practice_id, payer_id)
        leased = await schedule.lease_due(
            self.database, lease_seconds=self.lease_seconds, limit=1, only=(practice_id, payer_id)
        )
        return await self._refresh(leased[0]) if leased else None

    async def _members(self, lease: LeasedRefresh) -> list[tuple[Coverage, MemberQuery]]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(Coverage, Patient)
                .join(Patient, Patient.id == Coverage.patient_id)
                .where(
                    Coverage.practice_id == lease.practice_id,
                    Patient.practice_id == lease.practice_id,
                    Coverage.payer_id == lease.payer_id,
                )
                .order_by(Coverage.id)
            )
            return [
                (
                    coverage,
                    MemberQuery(
                        member_id=coverage.member_id.strip().upper(),
                        first_name=patient.first_name,
                        last_name=patient.last_name,
                        birth_date=patient.birth_date,
                        group_number=coverage.group_number,
                        relation=SubscriberRelation(coverage.relation),
                    ),
                )
                for coverage, patient in rows
            ]

    async def _refresh(self, lease: LeasedRefresh) -> RefreshOutcome:
        renewing = asyncio.create_task(self._keep_leased(lease))
        since = datetime.now(UTC).date() - self.lookback
        stored = skipped = 0
        try:
            members = await self._members(lease)
            for coverage, member in members:
                try:
                    claims = await self._search(lease, member, since)
                except PayerCallFailed as exc:
                    if exc.code in MEMBER_CODES:
                        skipped += 1
                        continue
                    renewing.cancel()
                    await self._failed(lease, exc)
                    return RefreshOutcome(
                        lease.practice_id, lease.payer_id, error=exc.code, called=exc.called
                    )
                async with self.database.transaction() as session:
                    stored += await store_reported_claims(session, coverage, lease.payer_id, claims)
        finally:
            renewing.cancel()
        await schedule.finish(
            self.database,
            lease,
            next_refresh_at=datetime.now(UTC) + self.interval,
            claims_reported=stored,
        )
        return RefreshOutcome(lease.practice_id, lease.payer_id, len(members), stored, skipped)

    async def _search(self, lease: LeasedRefresh, member: MemberQuery, since: date) -> list[Claim]:
        answer = await self.payers.call(
            lease.practice_id,
            lease.payer_id,
            Capability.CLAIM_SEARCH,
            member,
            since,
            ClaimStatusFilter.ALL,
            cached=False,
        )
        return [c for c in answer.value or () if isinstance(c, Claim)]

    async def _failed(self, lease: LeasedRefresh, exc: PayerCallFailed) -> None:
        now = datetime.now(UTC)
        log.info("claim history refresh failed", extra={"payer": lease.payer_id, "code": exc.code})
        if not exc.called:  # breaker open: not an attempt
            await schedule.finish(self.database, lease, next_refresh_at=now + timedelta(seconds=5))
            return
        async with self.database.session() as session:
            row = await session.get(ClaimHistoryRefresh, lease.refresh_id)
            attempts = (row.attempts if row is not None else 0) + 1
        await schedule.finish(
            self.database,
            lease,
            next_refresh_at=self.backoff.next_try(now, attempts),
            failed=exc.code,
        )

    async def _keep_leased(self, lease: LeasedRefresh) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.lease_seconds / 3)
                try:
                    await schedule.renew(self.database, lease, self.lease_seconds)
                except Exception:
                    log.exception("claim history lease could not be renewed")
