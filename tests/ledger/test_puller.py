"""The remittance puller against the sandbox payers (real HTTP through ASGI): each practice's
remittances fetched on a schedule, posted once; a payer that is down holds back no other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from gateway.ledger import schedule
from gateway.ledger.puller import RemittancePuller
from gateway.storage.database import Database
from gateway.storage.ledger_tables import Remittance, RemittanceClaim, RemittancePull
from gateway.storage.tables import Practice
from payers.sandbox.world import World
from tests.gateway.conftest import Gateway


@pytest.fixture
async def ledger_gateway(gateway: Gateway) -> Gateway:
    return gateway


def puller_of(gateway: Gateway) -> RemittancePuller:
    assert gateway.services.claims is not None
    return gateway.services.claims.puller


async def practice_npi(database: Database, practice_id: str) -> str:
    async with database.session() as session:
        npi = await session.scalar(select(Practice.npi).where(Practice.id == practice_id))
    assert npi is not None
    return npi


def expected(world: World, payer_ids: list[str], npi: str) -> set[tuple[str, str]]:
    """(payer, trace) of every sandbox remittance paid to ``npi`` (or not naming a payee)."""
    return {
        (payer_id, p.trace_number)
        for payer_id in payer_ids
        for p in world.books[payer_id].payments_for(None, None)
        if p.payee_npi in (None, npi)
    }


async def stored(database: Database, practice_id: str) -> list[tuple[str, str]]:
    async with database.session() as session:
        rows = await session.execute(
            select(Remittance.payer_id, Remittance.trace_number).where(
                Remittance.practice_id == practice_id
            )
        )
        return sorted(rows.all())


async def pulls(database: Database) -> dict[tuple[str, str], RemittancePull]:
    async with database.session() as session:
        return {
            (p.practice_id, p.payer_id): p for p in await session.scalars(select(RemittancePull))
        }


async def run(puller: RemittancePuller) -> None:
    await puller.run_once()
    await puller.drain()


async def first_pulls(puller: RemittancePuller, database: Database) -> None:
    """A puller's first round: it schedules every practice's pull from every payer one interval
    ahead (a process that starts does not ask every payer at once); then the interval passes."""
    assert await puller.run_once() == 0
    async with database.transaction() as session:
        scheduled = list(await session.scalars(select(RemittancePull)))
        assert scheduled and all(p.next_pull_at > datetime.now(UTC) for p in scheduled)
        await session.execute(
            update(RemittancePull).values(next_pull_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    await run(puller)


async def test_each_practices_remittances_are_pulled_and_posted_once(
    database: Database, world: World, ledger_gateway: Gateway
) -> None:
    gateway = ledger_gateway
    puller = puller_of(gateway)
    payer_ids = puller.payer_ids()
    assert len(payer_ids) >= 3
    npi = await practice_npi(database, gateway.practice_id)
    wanted = expected(world, payer_ids, npi)
    assert wanted, "the sandbox world pays the demo practice"

    await first_pulls(puller, database)

    assert set(await stored(database, gateway.practice_id)) == wanted
    # The other practice has no remittances from these payers: nothing of the demo practice's.
    assert await stored(database, gateway.other_practice_id) == []
    rows = await pulls(database)
    for payer_id in payer_ids:
        row = rows[(gateway.practice_id, payer_id)]
        assert (row.attempts, row.last_error, row.leased_until) == (0, None, None)
        assert row.last_pulled_at is not None
        assert row.next_pull_at > row.last_pulled_at  # next one on the schedule

    # Not due again yet: nothing runs. Due now (a claim settled): fetched again, nothing new.
    assert await puller.run_once() == 0
    async with database.transaction() as session:
        for payer_id in payer_ids:
            await schedule.pull_now(session, gateway.practice_id, payer_id)
    await run(puller)
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(Remittance)) == len(wanted)
        claims = await session.scalar(select(func.count()).select_from(RemittanceClaim))
    assert claims == sum(
        len(p.claims)
        for payer_id in payer_ids
        for p in world.books[payer_id].payments_for(None, None)
        if (payer_id, p.trace_number) in wanted
    )


async def test_a_payer_that_is_down_holds_back_no_other(
    database: Database, world: World, ledger_gateway: Gateway
) -> None:
    gateway = ledger_gateway
    puller = puller_of(gateway)
    payer_ids = puller.payer_ids()
    down = payer_ids[0]
    await gateway.faults(down, error_rate=1.0, error_status=503)
    npi = await practice_npi(database, gateway.practice_id)

    await first_pulls(puller, database)

    assert set(await stored(database, gateway.practice_id)) == expected(world, payer_ids[1:], npi)
    row = (await pulls(database))[(gateway.practice_id, down)]
    assert row.attempts == 1 and row.last_error is not None and row.leased_until is None
    assert row.last_pulled_at is None

    # Back up and due: its remittances come in too.
    await gateway.faults(down)
    async with database.transaction() as session:
        await schedule.pull_now(session, gateway.practice_id, down)
    await run(puller)
    assert set(await stored(database, gateway.practice_id)) == expected(world, payer_ids, npi)
    row = (await pulls(database))[(gateway.practice_id, down)]
    assert (row.attempts, row.last_error) == (0, None)


async def test_a_pull_on_demand_reports_what_it_did(
    database: Database, world: World, ledger_gateway: Gateway
) -> None:
    gateway = ledger_gateway
    puller = puller_of(gateway)
    payer_id = puller.payer_ids()[-1]
    first: Any = await puller.pull(gateway.practice_id, payer_id)
    again: Any = await puller.pull(gateway.practice_id, payer_id)
    assert first is not None and again is not None
    assert first.error is None and first.fetched >= first.posted
    # From a week before the newest payment seen: fewer fetched, none posted twice.
    assert again.posted == 0 and 0 < again.fetched <= first.fetched
    # The newest payment date seen stays the newest one the payer sent, however often it is pulled.
    await puller.pull(gateway.practice_id, payer_id)
    newest = max(
        p.payment_date for p in world.books[payer_id].payments_for(None, None) if p.payment_date
    )
    assert (await pulls(database))[(gateway.practice_id, payer_id)].last_paid_on == newest


async def test_a_claim_the_poller_sees_settled_makes_its_payers_pull_due_now(
    database: Database, world: World, ledger_gateway: Gateway, today: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from gateway.storage.claims_tables import ClaimRemittance, SubmittedClaim
    from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit

    gateway = ledger_gateway
    claims = gateway.services.claims
    assert claims is not None
    who = await billed(database, gateway.patient_ids, world, "lakeshore")
    answer = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    claim = answer["data"]["submitClaim"]["claim"]
    await claims.dispatcher.run_once()
    # Pulled a moment ago: not due for a while.
    await run(puller_of(gateway))
    later = (await pulls(database))[(gateway.practice_id, "lakeshore")].next_pull_at
    assert later > datetime.now(UTC) + timedelta(seconds=60)

    response = await gateway.sandbox("lakeshore").put(
        f"/_control/claims/{claim['controlNumber']}/status",
        json={"category": "F1", "status": "65", "paid_amount": "145.00"},
    )
    assert response.status_code == 200, response.text
    async with database.transaction() as session:
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.id == claim["id"])
            .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await claims.poller.run_once() == 1

    row = (await pulls(database))[(gateway.practice_id, "lakeshore")]
    assert row.next_pull_at <= datetime.now(UTC)
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(ClaimRemittance)) == 0
        state = await session.scalar(
            select(SubmittedClaim.state).where(SubmittedClaim.id == claim["id"])
        )
    assert state == "finalized"


async def test_a_payer_whose_breaker_is_open_is_not_called_nor_counted(
    database: Database, world: World, ledger_gateway: Gateway
) -> None:
    gateway = ledger_gateway
    puller = puller_of(gateway)
    payer_id = puller.payer_ids()[0]
    breaker = gateway.services.payers.health.of(payer_id).breaker
    for _ in range(10):  # consecutive failures open it
        breaker.record_failure()
    assert breaker.state.value == "open"
    calls_before = (await gateway.sandbox(payer_id).get("/_control/stats")).json()["requests"]

    await first_pulls(puller, database)

    rows = await pulls(database)
    waiting = rows[(gateway.practice_id, payer_id)]
    assert (waiting.attempts, waiting.last_error, waiting.last_pulled_at) == (0, None, None)
    assert (await gateway.sandbox(payer_id).get("/_control/stats")).json()[
        "requests"
    ] == calls_before
    others = [
        r
        for (practice, payer), r in rows.items()
        if practice == gateway.practice_id and payer != payer_id
    ]
    assert others and all(r.last_pulled_at is not None for r in others)

    # On demand while it is open: refused by the breaker, still not an attempt.
    outcome = await puller.pull(gateway.practice_id, payer_id)
    assert outcome is not None and outcome.called is False
    assert (await pulls(database))[(gateway.practice_id, payer_id)].attempts == 0


async def test_subscribers_hear_of_claims_whose_financial_state_changed(
    database: Database, ledger_gateway: Gateway
) -> None:
    from gateway.ledger.after_posting import after_posting
    from gateway.ledger.posting import post_remittance
    from tests.ledger.api import our_claim, payment_of
    from tests.ledger.conftest import claim_payment

    gateway = ledger_gateway
    claims = gateway.services.claims
    assert claims is not None
    claim = await our_claim(gateway, "lakeshore")
    payment = payment_of("lakeshore", claim_payment(claim.control_number, "187.00", "187.00"))
    async with claims.bus.subscribe(gateway.practice_id) as queue:
        async with database.transaction() as session:
            result = await post_remittance(session, gateway.practice_id, payment, source="fetched")
        assert await after_posting(gateway.services, gateway.practice_id, result) == 1
        heard = queue.get_nowait()
        assert (heard.claim_id, heard.source) == (claim.id, "remittance")
        assert "paid" in (heard.message or "")
        # The same remittance again: nothing posted, nothing heard.
        async with database.transaction() as session:
            again = await post_remittance(session, gateway.practice_id, payment, source="fetched")
        assert await after_posting(gateway.services, gateway.practice_id, again) == 0
        assert queue.empty()


async def test_a_remittance_naming_no_payee_goes_only_where_it_belongs(
    database: Database, ledger_gateway: Gateway
) -> None:
    from gateway.ledger.schedule import LeasedPull
    from tests.ledger.api import our_claim, payment_of
    from tests.ledger.conftest import claim_payment

    gateway = ledger_gateway
    puller = puller_of(gateway)
    await run(puller)  # both practices now pull from every payer
    claim = await our_claim(gateway, "lakeshore")
    npi = await practice_npi(database, gateway.practice_id)

    def lease(practice_id: str) -> LeasedPull:
        return LeasedPull("unused", practice_id, npi, "lakeshore", None, "unused")

    ours = payment_of("lakeshore", claim_payment(claim.control_number, "187.00", "187.00"))
    stranger = payment_of("lakeshore", claim_payment("NOBODYS-1", "50.00", "50.00"))
    assert ours.payee_npi is None and stranger.payee_npi is None

    # Another practice's claim in it: not posted to the other practice, posted to ours.
    assert not await puller._post(lease(gateway.other_practice_id), ours)
    assert await puller._post(lease(gateway.practice_id), ours)
    # Nobody's claims, and two practices pull from this payer: nobody's worklist gets it.
    assert not await puller._post(lease(gateway.practice_id), stranger)
    assert not await puller._post(lease(gateway.other_practice_id), stranger)
    # The only practice pulling from the payer: it is that practice's.
    async with database.transaction() as session:
        await session.execute(
            RemittancePull.__table__.delete().where(
                RemittancePull.practice_id == gateway.other_practice_id
            )
        )
    assert await puller._post(lease(gateway.practice_id), stranger)
    assert sorted(
        t
        for _, t in await stored(database, gateway.practice_id)
        if t in (ours.trace_number, stranger.trace_number)
    ) == sorted([ours.trace_number, stranger.trace_number])
    assert await stored(database, gateway.other_practice_id) == []
