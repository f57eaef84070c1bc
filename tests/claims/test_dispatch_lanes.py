"""One payer never holds back another, and a payer the gateway did not call is not a delivery attempt.

Each payer's claims go out in their own lane and each acknowledgment is recorded as it arrives, so a
payer that hangs delays only its own claims; a payer whose circuit breaker is open keeps its claims
waiting without backoff, and they leave within seconds of the breaker letting calls through again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from gateway.claims.dispatcher import Dispatcher
from gateway.storage.claims_tables import ClaimOutbox, SubmittedClaim
from gateway.storage.database import Database
from tests.claims.conftest import (
    SUBMIT,
    _claims_gateway,
    as_input,
    billed,
    new_key,
    office_visit,
)
from tests.gateway.conftest import Gateway


async def _submit(gateway: Gateway, world: Any, today: Any, payer_id: str, count: int) -> None:
    who = await billed(gateway.services.database, gateway.patient_ids, world, payer_id)
    for index in range(count):
        draft = office_visit(world, who, today, days_ago=2 + index)
        result = await gateway.query(SUBMIT, {"input": as_input(draft), "key": new_key()})
        assert result["data"]["submitClaim"]["errors"] == []


async def _outbox(gateway: Gateway) -> dict[str, list[tuple[str, int]]]:
    """Per payer: (state, attempts) of each of its outbox rows."""
    async with gateway.services.database.session() as session:
        rows = (
            await session.execute(
                select(SubmittedClaim.payer_id, ClaimOutbox.state, ClaimOutbox.attempts).join(
                    SubmittedClaim, SubmittedClaim.id == ClaimOutbox.claim_id
                )
            )
        ).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for payer_id, state, attempts in rows:
        found.setdefault(payer_id, []).append((state, attempts))
    return found


@contextlib.asynccontextmanager
async def running(dispatcher: Dispatcher) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


async def _until(check: Any, seconds: float) -> float:
    """Seconds until ``check()`` (a coroutine function) is true; fails after ``seconds``."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with asyncio.timeout(seconds):
        while not await check():
            await asyncio.sleep(0.05)
    return loop.time() - started


#: The hung payer's deadline here: long enough that, on a loaded machine too, the other payer's
#: claims are all acknowledged while the hung calls are still waiting.
HUNG_DEADLINE_SECONDS = 8.0


@pytest.fixture
async def slow_deadline_gateway(database: Database, world: Any) -> AsyncIterator[Gateway]:
    async for running in _claims_gateway(database, world, timeout_seconds=HUNG_DEADLINE_SECONDS):
        yield running


async def test_a_hung_payer_delays_neither_the_sends_nor_the_acknowledgments_of_another(
    slow_deadline_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = slow_deadline_gateway
    dispatcher = gateway.services.claims.dispatcher  # type: ignore[union-attr]
    await gateway.faults("lakeshore", hang=True, operations=["claim_submission"])
    await _submit(gateway, world, today, "lakeshore", 3)
    await _submit(gateway, world, today, "cascade", 3)

    async def cascade_acknowledged() -> bool:
        return (await _outbox(gateway)).get("cascade") == [("sent", 1)] * 3

    async with running(dispatcher):
        # lakeshore's calls hang until their 8 s deadline: cascade's are recorded well before it
        waited = await _until(cascade_acknowledged, HUNG_DEADLINE_SECONDS - 2)
        assert waited < HUNG_DEADLINE_SECONDS - 2
        assert {state for state, _ in (await _outbox(gateway))["lakeshore"]} == {"pending"}
        await gateway.faults("lakeshore")  # it answers again; its claims follow after the backoff
        dispatcher.backoff = type(dispatcher.backoff)(base=0.0, cap=0.0)

        async def lakeshore_sent() -> bool:
            return {s for s, _ in (await _outbox(gateway))["lakeshore"]} == {"sent"}

        await _until(lakeshore_sent, HUNG_DEADLINE_SECONDS + 10)
    received = (await gateway.sandbox("cascade").get("/_control/stats")).json()["claims_received"]
    assert sorted(received.values()) == [1, 1, 1]


async def test_an_open_breaker_is_not_an_attempt_and_claims_leave_within_seconds_of_recovery(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    dispatcher = gateway.services.claims.dispatcher  # type: ignore[union-attr]
    breaker = gateway.services.payers.health.of("lakeshore").breaker
    breaker.reset_seconds = 1.5
    for _ in range(breaker.failure_threshold):  # five failed calls in a row: the breaker opens
        breaker.record_failure()
    await _submit(gateway, world, today, "lakeshore", 4)
    # Opened again now: on a loaded machine the submissions can take longer than the reset window,
    # and a breaker that has gone half-open rightly lets the dispatcher take the rows.
    for _ in range(breaker.failure_threshold):
        breaker.record_failure()

    assert await dispatcher.run_once() == 0  # its rows are not even taken while the breaker is open
    assert (await _outbox(gateway))["lakeshore"] == [("pending", 0)] * 4

    async def all_sent() -> bool:
        return (await _outbox(gateway))["lakeshore"] == [("sent", 1)] * 4

    async with running(dispatcher):
        # the breaker lets a probe through after 1.5 s; the rest follow it within seconds, each
        # counted as one real send (the backoff after a real failure would start at 1-2 s and double)
        waited = await _until(all_sent, 8)
    assert waited < 6
    received = (await gateway.sandbox("lakeshore").get("/_control/stats")).json()
    assert sorted(received["claims_received"].values()) == [1, 1, 1, 1]


async def test_a_lease_that_lapsed_counts_as_a_send_and_goes_again(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    """A dispatcher that died mid-send leaves its lease behind: the row is taken again only after the
    lease lapses, and the send it may have made counts in ``attempts``."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    gateway = claims_gateway
    dispatcher = gateway.services.claims.dispatcher  # type: ignore[union-attr]
    await _submit(gateway, world, today, "cascade", 1)
    async with gateway.services.database.transaction() as session:  # a live lease of a dead process
        await session.execute(
            update(ClaimOutbox).values(
                leased_until=datetime.now(UTC) + timedelta(seconds=30), lease_owner="crashed"
            )
        )
    assert await dispatcher.run_once() == 0
    async with gateway.services.database.transaction() as session:  # ...until it lapses
        await session.execute(
            update(ClaimOutbox).values(leased_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await dispatcher.run_once() == 1
    assert (await _outbox(gateway))["cascade"] == [("sent", 2)]
