"""The batch eligibility runner: asks payers the due checks of every batch, within each payer's budget.

Every worker process (``payer-gateway worker``, and ``serve`` unless turned off) runs one. For each
payer with due checks it starts a lane: the lane takes the payer's free budget slots on this machine
(gateway/jobs/budget.py), runs one asker per slot, leases checks a chunk at a time ahead of need
(gateway/jobs/leases.py) and paces each start at the payer's rate. Outcomes are written in small
groups (one transaction per group, not per check), each only while its lease is ours.

The batch has its own payer clients and breakers (:class:`gateway.payers.PayerDirectory` built for
batches, without quick retries): a batch never queues on the connection pools interactive checks
use, and never trips their breaker. A payer that fails (down, timed out, AAA 42/80, garbled
answer) ends its lane: the failed check waits its backoff, the rest of what was leased is given back
without an attempt, and the payer gets no batch checks for ``payer_rest_seconds``. A check whose next
try would fall after its batch's retry window fails with the payer's last error code.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from gateway.claims.backoff import Backoff
from gateway.errors import PayerCallFailed
from gateway.jobs import leases
from gateway.jobs.budget import PayerBudget
from gateway.jobs.leases import CheckOutcome, LeasedCheck
from gateway.jobs.results import result_to_json
from gateway.jobs.settings import BatchSettings
from gateway.payers import PayerDirectory
from gateway.storage.database import Database
from payers.contract import Capability
from payers.model import EligibilityResult

log = logging.getLogger(__name__)

#: Payer answers that asking again cannot change: the check fails with this code.
FINAL_CODES = frozenset({"MEMBER_NOT_FOUND", "PAYER_REJECTED"})

Finished = Callable[[Sequence[str]], Awaitable[None]]


class BatchRunner:
    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        settings: BatchSettings,
        on_finished: Finished | None = None,
    ) -> None:
        self.database = database
        self.payers = payers  # the batch's own directory (see the module docstring)
        self.settings = settings
        self.on_finished = on_finished
        self.backoff = Backoff(settings.retry_base_seconds, settings.retry_cap_seconds)
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.budget_dir = settings.budget_path(database.url)
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._resting: dict[str, float] = {}  # payer id -> monotonic time its rest ends
        self._pending: list[CheckOutcome] = []
        self._to_write = asyncio.Event()  # set by _write (and on stop): the writer wakes
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def payer_ids(self) -> set[str]:
        return {p.id for p in self.payers.all() if Capability.ELIGIBILITY in p.capabilities}

    async def run_forever(self, stop: asyncio.Event) -> None:
        self._stop = stop
        written = asyncio.Event()
        writer = asyncio.create_task(self._write_forever(written), name="batch-results-writer")
        try:
            while not stop.is_set():
                try:
                    await self.start_lanes()
                except Exception:  # the database may be restarting; try again shortly
                    log.exception("batch round failed")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.idle_seconds)
        finally:
            if self._lanes:
                await asyncio.gather(*self._lanes.values(), return_exceptions=True)
            self._stop_writing(written)
            await writer
            await self._flush()

    async def run_until_idle(self, limit_seconds: float = 60.0) -> None:
        """Run until no check is due (tests and one-off runs); waits for checks resting or backing off
        only up to ``limit_seconds``."""
        deadline = time.monotonic() + limit_seconds
        written = asyncio.Event()
        writer = asyncio.create_task(self._write_forever(written))
        try:
            while time.monotonic() < deadline:
                started = await self.start_lanes()
                if not started and not self._lanes:
                    break
                await asyncio.gather(*self._lanes.values(), return_exceptions=True)
        finally:
            self._stop_writing(written)
            await writer
            await self._flush()

    async def start_lanes(self) -> int:
        """Start a lane for each payer with due checks and none running here; when no lane runs
        here, also mark finished any batch left with nothing pending (its last results were
        written by a process that stopped before it could say so).

        While lanes run, this is called every ``idle_seconds``: it asks the database nothing when
        every payer already has a lane or rests, and leaves the sweep for when none runs (lanes
        mark their own batches finished), so a busy process spends its CPU on checks."""
        if not self._lanes:
            await leases.finish_batches(
                self.database, await leases.unfinished_without_pending(self.database)
            )
        now = time.monotonic()
        busy = set(self._lanes) | {p for p, until in self._resting.items() if until > now}
        if self.payer_ids() <= busy:
            return 0
        due = await leases.payers_with_due_checks(self.database, busy)
        started = 0
        for payer_id in due:
            if payer_id not in self.payer_ids():
                continue
            lane = asyncio.create_task(self._lane(payer_id), name=f"batch-checks-{payer_id}")
            self._lanes[payer_id] = lane
            lane.add_done_callback(functools.partial(self._lane_done, payer_id))
            started += 1
        return started

    def _lane_done(self, payer_id: str, task: asyncio.Task[None]) -> None:
        self._lanes.pop(payer_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "batch lane failed",
                extra={"payer": payer_id, "exception": type(task.exception()).__name__},
            )
        self._wake.set()

    async def _lane(self, payer_id: str) -> None:
        payer = self.payers.get(payer_id)
        assert payer is not None
        budget = PayerBudget(
            self.budget_dir,
            payer_id,
            payer.settings.batch_concurrency,
            payer.settings.batch_rate_per_second,
        )
        owner = leases.new_owner()
        queue: deque[LeasedCheck] = deque()
        held: dict[str, LeasedCheck] = {}  # leased and not yet handed to the writer
        state = {"exhausted": False, "failed": False}
        refill: asyncio.Task[None] | None = None
        askers: list[asyncio.Task[None]] = []

        async def lease_more() -> None:
            _add_askers()
            taken = await leases.lease_due(
                self.database, payer_id, max(budget.held, 1) * 2, owner, self.lease
            )
            queue.extend(taken)
            held.update((c.check_id, c) for c in taken)
            state["exhausted"] = not taken

        async def next_check() -> LeasedCheck | None:
            # The next chunk is leased while the askers still have one slot's worth queued, so no
            # asker waits on the database between checks.
            nonlocal refill
            while not (state["failed"] or self._stop.is_set()):
                if refill is not None and refill.done():
                    leased, refill = refill, None
                    leased.result()  # a lease that failed ends this asker, as it always did
                if refill is None and not state["exhausted"] and len(queue) <= budget.held:
                    refill = asyncio.create_task(lease_more())
                if queue:
                    return queue.popleft()
                if refill is None:
                    return None  # nothing more is due at this payer
                await asyncio.wait([refill])
            return None

        async def asker(slot: int) -> None:
            try:
                while (check := await next_check()) is not None:
                    await budget.pace()
                    outcome = await self._ask(check)
                    held.pop(check.check_id, None)
                    self._write(outcome)
                    if outcome.state == "pending" and outcome.last_error is not None:
                        state["failed"] = True
            finally:
                budget.release(slot)

        most = self.settings.max_slots_per_process or budget.concurrency

        def _add_askers() -> None:
            for slot in budget.take_slots(min(most, budget.concurrency) - budget.held):
                askers.append(asyncio.create_task(asker(slot), name=f"batch-{payer_id}-{slot}"))

        _add_askers()
        if not askers:
            return  # other processes on this machine hold the payer's whole budget
        renewing = asyncio.create_task(self._keep_leased(owner, held))
        try:
            while askers:
                running = list(askers)
                await asyncio.gather(*running, return_exceptions=True)
                for task in running:
                    askers.remove(task)
        finally:
            if refill is not None:  # its checks, if any, are given back below with the rest
                await asyncio.wait([refill])
                if not refill.cancelled():
                    refill.exception()  # already reported to an asker, or the lane is ending
            renewing.cancel()
            budget.release_all()
            # Leased but never asked (the payer failed, or we are stopping): back without an attempt.
            now = datetime.now(UTC)
            rest = now + timedelta(seconds=self.settings.payer_rest_seconds)
            for check in held.values():
                self._write(
                    CheckOutcome(
                        check,
                        "pending",
                        attempted=False,
                        next_attempt_at=rest if state["failed"] else now,
                    )
                )
            if state["failed"]:
                self._resting[payer_id] = time.monotonic() + self.settings.payer_rest_seconds

    async def _keep_leased(self, owner: str, held: dict[str, LeasedCheck]) -> None:
        """Renew the leases of checks still held, so a live process is never taken over."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await leases.renew(self.database, owner, list(held), self.lease)
            except Exception:  # the next renewal may get through before the leases lapse
                log.exception("batch check leases could not be renewed")

    async def _ask(self, check: LeasedCheck) -> CheckOutcome:
        try:
            answer = await self.payers.call(
                check.practice_id,
                check.payer_id,
                Capability.ELIGIBILITY,
                check.member,
                list(check.service_types),
                check.as_of,
                cached=False,
            )
        except PayerCallFailed as exc:
            return self._failed(check, exc.code, called=exc.called)
        finished = datetime.now(UTC)
        if not isinstance(answer.value, EligibilityResult):
            return self._failed(check, "PAYER_PROTOCOL_ERROR", called=True)
        return CheckOutcome(
            check,
            "succeeded",
            attempted=True,
            next_attempt_at=finished,
            result=result_to_json(answer.value),
            answer=answer.value,
            finished_at=finished,
        )

    def _failed(self, check: LeasedCheck, code: str, *, called: bool) -> CheckOutcome:
        now = datetime.now(UTC)
        if code in FINAL_CODES:
            return CheckOutcome(
                check,
                "failed",
                attempted=True,
                next_attempt_at=now,
                error_code=code,
                finished_at=now,
            )
        if not called:  # the batch's breaker is open: not an attempt, no backoff of its own
            rest = now + timedelta(seconds=self.settings.payer_rest_seconds)
            if rest > check.retry_until:
                return CheckOutcome(
                    check,
                    "failed",
                    attempted=False,
                    next_attempt_at=now,
                    error_code=code,
                    finished_at=now,
                )
            return CheckOutcome(
                check, "pending", attempted=False, next_attempt_at=rest, last_error=code
            )
        attempts = check.attempts + 1
        next_try = self.backoff.next_try(now, attempts)
        if next_try > check.retry_until:
            return CheckOutcome(
                check,
                "failed",
                attempted=True,
                next_attempt_at=now,
                error_code=code,
                finished_at=now,
            )
        return CheckOutcome(
            check, "pending", attempted=True, next_attempt_at=next_try, last_error=code
        )

    # --- writing outcomes in groups ---------------------------------------------------------------

    def _write(self, outcome: CheckOutcome) -> None:
        self._pending.append(outcome)
        self._to_write.set()

    def _stop_writing(self, done: asyncio.Event) -> None:
        done.set()
        self._to_write.set()

    async def _write_forever(self, done: asyncio.Event) -> None:
        """Write what the askers answered in groups until ``done``: the first outcome after a write
        opens a group, written ``flush_seconds`` later. A runner with nothing to write does not
        wake (it used to, 20 times a second). A group is never cut off half-written by a stop (the
        caller calls ``_stop_writing`` and waits)."""
        while not done.is_set():
            await self._to_write.wait()
            if not done.is_set():  # let the group gather
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), timeout=self.settings.flush_seconds)
            self._to_write.clear()
            try:
                await self._flush()
            except Exception:  # left leased: the lease lapses and the check is asked again
                log.exception("batch results could not be written")
            if self._pending:  # what a failed write left: tried again after flush_seconds
                self._to_write.set()

    async def _flush(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:500], self._pending[500:]
            touched = await leases.record(self.database, group)
            finished = await leases.finish_batches(self.database, touched)
            if finished and self.on_finished is not None:
                await self.on_finished(finished)
