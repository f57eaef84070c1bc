"""A believable practice history for the demo: ~150 claims over the last ~150 days, made the real way.

Every claim goes through the claim desk (the front-end edits, eligibility at the payer), the outbox
and the dispatcher to the sandbox payers, which adjudicate it on their own clock (fees, cost sharing,
their real denials: authorization, non-covered services, missing therapy modifiers...), and their
remittances are pulled and posted by the ledger's puller. Only time is simulated: the sandboxes'
clocks start months back (``ClockSettings.start_on``) and are moved on a day at a time, each payer
taking days to adjudicate (``pace``), and the desk is told the simulated day. The gateway's own
record times (claim received, statuses recorded, remittance received) are then set to the simulated
moment they stand for, so the history reads as months of work rather than a few seconds.

Idempotent: claims use the keys ``demo-history-NNNN``; a practice that has them is left alone.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select, update

from gateway.claims.desk import ClaimDesk
from gateway.claims.draft import ClaimDraft, DraftLine
from gateway.claims.poller import RateLimit, StatusPoller
from gateway.claims.services import ClaimServices
from gateway.payers import PayerDirectory
from gateway.storage.claims_tables import ClaimRemittance, ClaimStatusEntry, SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from gateway.storage.tables import Coverage
from payers.sandbox.world import SandboxMember, World

log = logging.getLogger(__name__)

HISTORY_DAYS = 150
KEY_PREFIX = "demo-history-"
#: The sandboxes' clocks start this many days back, a little before the first visit.
CLOCK_START_DAYS = HISTORY_DAYS + 3
#: Days each payer takes from receipt to adjudication (a little more or less each day), and pends.
PAYER_DAYS = {"lakeshore": 9, "cascade": 13, "northwind": 16, "summit": 21}
PEND_DAYS = 10
DAY = 86_400


@dataclass(frozen=True, slots=True)
class VisitKind:
    """A kind of visit a family practice bills: diagnoses and lines (code, charge, modifiers, units)."""

    name: str
    diagnoses: tuple[str, ...]
    lines: tuple[tuple[str, str, tuple[str, ...], int], ...]
    weight: int
    place: str = "11"


#: What the practice bills, and how often. The last few meet the payers' real denials.
VISITS = (
    VisitKind("diabetes follow-up", ("E11.9", "Z79.84"), (("99213", "145.00", ("25",), 1), ("83036", "42.00", (), 1)), 14),  # noqa: E501
    VisitKind("hypertension follow-up", ("I10", "E78.5"), (("99214", "215.00", (), 1),), 14),
    VisitKind("lipid check", ("E78.5", "I10"), (("99213", "145.00", ("25",), 1), ("80061", "58.00", (), 1)), 8),  # noqa: E501
    VisitKind("sinusitis", ("J01.90",), (("99213", "145.00", (), 1),), 10),
    VisitKind("urinary infection", ("N39.0",), (("99213", "145.00", ("25",), 1), ("81003", "18.00", (), 1)), 7),  # noqa: E501
    VisitKind("anxiety psychotherapy", ("F41.1",), (("90834", "165.00", (), 1),), 8),
    VisitKind("depression screening visit", ("F32.9",), (("99214", "215.00", ("25",), 1), ("96127", "25.00", (), 1)), 6),  # noqa: E501
    VisitKind("annual physical", ("Z00.00",), (("99396", "265.00", (), 1),), 8),
    VisitKind("flu vaccine", ("Z23",), (("90686", "38.00", (), 1), ("90471", "24.00", (), 1)), 6),
    VisitKind("knee therapy", ("M25.561",), (("97110", "90.00", ("GP",), 2),), 4),
    VisitKind("low back pain with MRI", ("M54.50",), (("99214", "215.00", ("25",), 1), ("72148", "1180.00", (), 1)), 3),  # noqa: E501
    VisitKind("knee therapy, modifier left off", ("M25.561",), (("97110", "90.00", (), 2),), 3),
    VisitKind("acupuncture", ("M54.50",), (("97810", "95.00", (), 1),), 3),
    VisitKind("routine eye exam", ("Z01.00",), (("92015", "75.00", (), 1),), 2),
    VisitKind("both knees injected on one line", ("M17.0",), (("20610", "240.00", ("RT", "LT"), 1),), 2),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    number: int
    member: SandboxMember
    kind: VisitKind
    service_day: date
    submit_day: date


@dataclass
class HistorySeeded:
    """What the seeder did (``planned`` visits, ``accepted`` by the desk, ``refused`` by its edits)."""

    planned: int = 0
    accepted: int = 0
    refused: int = 0
    remittances: int = 0
    already: bool = False


def clock_start(today: date) -> date:
    """The day the demo's sandbox clocks start, so the seeder can replay the history from there."""
    return today - timedelta(days=CLOCK_START_DAYS)


def _active_primary(world: World, person: str, day: date) -> SandboxMember | None:
    """The person's card of lowest order in force on ``day`` (a plan that ended is not billed), of
    those the practice holds as the payer knows them (not a card only discovery finds, nor one
    whose member id the practice mistyped: the batch worklist's cases)."""
    cards = [
        m
        for m in world.coverages_of(person)
        if m.on_file
        and m.practice_member_id is None
        and m.plan is not None
        and (m.plan.start is None or m.plan.start <= day)
        and (m.plan.end is None or day <= m.plan.end)
    ]
    return min(cards, key=lambda m: m.order, default=None)


def plan_visits(world: World, today: date, seed: int = 20261205) -> list[PlannedVisit]:
    """One to three visits most weekdays over the last :data:`HISTORY_DAYS` days (deterministic)."""
    chance = random.Random(seed)  # noqa: S311 (a repeatable demo, not a secret)
    kinds, weights = list(VISITS), [k.weight for k in VISITS]
    people = sorted(world.people)
    visits: list[PlannedVisit] = []
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for _ in range(chance.choice((0, 1, 1, 2, 2, 2, 3))):
            member = _active_primary(world, chance.choice(people), day)
            if member is None:
                continue
            # Most claims go out within days; a few wait on coding or a missing card for weeks.
            lag = chance.choice((1, 1, 2, 2, 3, 4, 5, 7, 10)) + (
                chance.randint(15, 40) if chance.random() < 0.06 else 0
            )
            submit = min(day + timedelta(days=lag), today - timedelta(days=1))
            kind = chance.choices(kinds, weights)[0]
            visits.append(PlannedVisit(len(visits) + 1, member, kind, day, submit))
    return sorted(visits, key=lambda v: (v.submit_day, v.number))


def draft_for(world: World, visit: PlannedVisit, patient_id: str, coverage_id: str) -> ClaimDraft:
    practice, clinician = world.providers["mfm"], world.providers["dr_exampleton"]
    lines = tuple(
        DraftLine(
            code,
            Decimal(charge) * units,
            visit.service_day,
            Decimal(units),
            modifiers,
            tuple(range(1, len(visit.kind.diagnoses) + 1))[:4],
            f"L{n}",
        )
        for n, (code, charge, modifiers, units) in enumerate(visit.kind.lines, start=1)
    )
    return ClaimDraft(
        patient_id=patient_id,
        coverage_id=coverage_id,
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id,
        billing_provider_name=practice.name,
        rendering_provider_npi=clinician.npi,
        place_of_service=visit.kind.place,
        diagnoses=visit.kind.diagnoses,
        lines=lines,
        total_charge=sum((line.charge or Decimal(0) for line in lines), Decimal("0.00")),
        frequency_code="1",
        patient_control_number=f"ACCT-{30000 + visit.number}",
    )


class SandboxClocks:
    """The sandboxes' ``/_control/clock`` over HTTP: what time it is there, and moving it on."""

    def __init__(self, clients: Mapping[str, httpx.AsyncClient]) -> None:
        self.clients = clients

    async def _post(self, payer_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.clients[payer_id].post("/_control/clock", json=body)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    async def now(self, payer_id: str) -> datetime:
        response = await self.clients[payer_id].get("/_control/clock")
        response.raise_for_status()
        return datetime.fromisoformat(response.json()["now"])

    async def settings(self, payer_id: str) -> dict[str, Any]:
        response = await self.clients[payer_id].get("/_control/clock")
        response.raise_for_status()
        return response.json()["settings"]  # type: ignore[no-any-return]

    async def move_to(self, payer_id: str, moment: datetime) -> None:
        gap = (moment - await self.now(payer_id)).total_seconds()
        if gap > 0:
            await self._post(payer_id, {"advance_seconds": gap})

    async def pace(self, payer_id: str, adjudicate: float, pend: float) -> None:
        await self._post(
            payer_id, {"pace": {"adjudicate_after_seconds": adjudicate, "pend_seconds": pend}}
        )


async def _already_seeded(database: Database, practice_id: str) -> bool:
    async with database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(SubmittedClaim)
            .where(
                SubmittedClaim.practice_id == practice_id,
                SubmittedClaim.idempotency_key.like(f"{KEY_PREFIX}%"),
            )
        )
    return bool(count)


#: The gateway's own record times, each with the practice column that scopes it.
_RECORD_TIMES: tuple[tuple[Any, str], ...] = (
    (SubmittedClaim.__table__, "created_at"),
    (SubmittedClaim.__table__, "updated_at"),
    (ClaimStatusEntry.__table__, "recorded_at"),
    (ClaimRemittance.__table__, "recorded_at"),
    (Remittance.__table__, "received_at"),
    (RemittanceClaim.__table__, "matched_at"),
)


async def _stamp(database: Database, practice_id: str, since: datetime, moment: datetime) -> None:
    """Rows this step wrote (at real time >= ``since``) say the simulated ``moment`` instead."""
    async with database.transaction() as session:
        for table, column in _RECORD_TIMES:
            col = table.c[column]
            await session.execute(
                update(table)
                .where(table.c.practice_id == practice_id, col >= since)
                .values({column: moment})
            )


async def _stamp_received(database: Database, practice_id: str, since: datetime) -> None:
    """Remittances posted by the final pull read as received the day after they were paid."""
    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(Remittance.id, Remittance.payment_date).where(
                    Remittance.practice_id == practice_id, Remittance.received_at >= since
                )
            )
        ).all()
        for remittance_id, paid_on in rows:
            if paid_on is None:
                continue
            moment = datetime.combine(paid_on + timedelta(days=1), time(13, 0), UTC)
            await session.execute(
                update(Remittance).where(Remittance.id == remittance_id).values(received_at=moment)
            )
            await session.execute(
                update(RemittanceClaim)
                .where(
                    RemittanceClaim.remittance_id == remittance_id,
                    RemittanceClaim.matched_at >= since,
                )
                .values(matched_at=moment)
            )


async def _make_polls_due(database: Database, practice_id: str) -> None:
    """Simulated days pass in seconds: the practice's open claims are due for a status poll now."""
    async with database.transaction() as session:
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.practice_id == practice_id)
            .values(next_poll_at=datetime.now(UTC) - timedelta(seconds=1))
        )


class HistorySeeder:
    """Replays the planned visits day by day through the desk, the dispatcher and the puller."""

    def __init__(
        self,
        database: Database,
        payers: PayerDirectory,
        claims: ClaimServices,
        clocks: SandboxClocks,
        world: World,
        practice_id: str,
    ) -> None:
        self.database, self.payers, self.claims = database, payers, claims
        self.clocks, self.world, self.practice_id = clocks, world, practice_id
        self.simulated = date.today()
        self.desk = ClaimDesk(database, payers, today=lambda: self.simulated)
        # Months pass in seconds here: a poller of its own, not held to the payers' polls a minute.
        self.poller = StatusPoller(database, payers, batch_size=500)
        self.poller.limits = {p: RateLimit(1_000_000) for p in clocks.clients}
        self.chance = random.Random(7)  # noqa: S311 (a repeatable demo)

    async def run(self, today: date) -> HistorySeeded:
        result = HistorySeeded()
        if await _already_seeded(self.database, self.practice_id):
            result.already = True
            return result
        visits = plan_visits(self.world, today)
        result.planned = len(visits)
        cards = await self._cards()
        payer_ids = sorted(self.clocks.clients)
        demo_pace = {p: await self.clocks.settings(p) for p in payer_ids}
        for day in sorted({v.submit_day for v in visits}):
            moment = datetime.combine(day, time(15, 0), UTC)
            mark = datetime.now(UTC)
            self.simulated = day
            for payer_id in payer_ids:
                await self.clocks.move_to(payer_id, moment)
                days = PAYER_DAYS.get(payer_id, 14) + self.chance.uniform(-3, 4)
                await self.clocks.pace(payer_id, days * DAY, PEND_DAYS * DAY)
            for visit in (v for v in visits if v.submit_day == day):
                accepted = await self._submit(visit, cards)
                result.accepted += accepted
                result.refused += not accepted
            await self.claims.dispatcher.run_once()
            if day.weekday() == 4:  # the payers' answers are looked at weekly
                await self._poll()
            await _stamp(self.database, self.practice_id, mark, moment)
        # Up to today: what the payers have done by now is polled and posted; the rest stays open.
        mark = datetime.now(UTC)
        for payer_id in payer_ids:
            await self.clocks.move_to(payer_id, datetime.now(UTC))
            settings = demo_pace[payer_id]
            await self.clocks.pace(
                payer_id, settings["adjudicate_after_seconds"], settings["pend_seconds"]
            )
        await self._poll()
        await _stamp(self.database, self.practice_id, mark, datetime.now(UTC))
        # One pull per payer posts every remittance (a pull asks from a week before the newest
        # payment it has seen, and the sandbox worlds' own remittances are dated up to today).
        mark = datetime.now(UTC)
        for payer_id in payer_ids:
            outcome = await self.claims.puller.pull(self.practice_id, payer_id)
            result.remittances += outcome.posted if outcome is not None else 0
        await _stamp_received(self.database, self.practice_id, mark)
        return result

    async def _cards(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(payer, member id) -> (patient id, coverage id) of the practice's cards."""
        async with self.database.session() as session:
            rows = await session.execute(
                select(
                    Coverage.payer_id, Coverage.member_id, Coverage.patient_id, Coverage.id
                ).where(Coverage.practice_id == self.practice_id)
            )
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    async def _submit(
        self, visit: PlannedVisit, cards: Mapping[tuple[str, str], tuple[str, str]]
    ) -> bool:
        card = cards.get((visit.member.payer_key, visit.member.member_id))
        if card is None:
            return False
        draft = draft_for(self.world, visit, *card)
        accepted = await self.desk.submit(
            self.practice_id, f"{KEY_PREFIX}{visit.number:04d}", draft
        )
        if accepted.claim is None:
            log.info(
                "demo history visit refused", extra={"codes": [e.code for e in accepted.errors]}
            )
        return accepted.claim is not None

    async def _poll(self) -> None:
        """Ask the payers for the status of every open claim."""
        await _make_polls_due(self.database, self.practice_id)
        while await self.poller.run_once():
            pass


async def seed_history(
    database: Database,
    payers: PayerDirectory,
    claims: ClaimServices,
    world: World,
    practice_id: str,
    sandboxes: Mapping[str, httpx.AsyncClient],
    today: date | None = None,
) -> HistorySeeded:
    """Seed the practice's history through the sandboxes ``sandboxes`` reach (payer id -> client
    at its base URL; their clocks must start at :func:`clock_start` or earlier)."""
    today = today or datetime.now(UTC).date()
    seeder = HistorySeeder(database, payers, claims, SandboxClocks(sandboxes), world, practice_id)
    return await seeder.run(today)
