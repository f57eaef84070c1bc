"""A batch's worklist as the classifier writes it, from the sandbox payers' own answers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gateway.jobs.worklist import CheckFailure, PlannedVisit, classify
from gateway.jobs.worklist_store import CheckSubject, record_items
from gateway.storage.batch_tables import EligibilityBatch
from payers.codesets import lookup
from payers.sandbox.world import World
from tests.gateway.conftest import Gateway

TOMORROW = date.today() + timedelta(days=1)


async def seed_batch(gateway: Gateway, world: World, practice_id: str | None = None) -> str:
    """A batch's worklist as the classifier writes it, from the sandbox payers' own answers."""
    practice_id = practice_id or gateway.practice_id
    patients = gateway.patient_ids
    batch = str(uuid.uuid4())

    def answer(person: str, service_types: tuple[str, ...] = ()) -> Any:
        (member,) = world.coverages_of(person)
        book = world.books[member.payer_key]
        return member, book.eligibility(member, service_types, TOMORROW)

    hank, hank_result = answer("hank")
    elsie, elsie_result = answer("elsie")
    petra, petra_result = answer("petra", ("PT",))
    therapy = PlannedVisit(
        TOMORROW, (lookup("service-type", "PT"),), (lookup("procedure", "97110"),)
    )
    (dario,) = world.coverages_of("dario")
    checks = [
        ("hank", hank.payer_key, classify(hank_result)),
        ("elsie", elsie.payer_key, classify(elsie_result)),
        ("petra", petra.payer_key, classify(petra_result, visit=therapy)),
        (
            "dario",
            dario.payer_key,
            classify(CheckFailure("MEMBER_NOT_FOUND", (lookup("aaa-reject-reason", "75"),))),
        ),
    ]
    async with gateway.services.database.transaction() as session:
        now = datetime.now(UTC)
        session.add(  # the finished job the items came from (the checks' rows are not needed)
            EligibilityBatch(
                id=batch,
                practice_id=practice_id,
                idempotency_key=f"seeded-{batch}",
                request_digest="0" * 64,
                source="schedule",
                schedule_date=TOMORROW,
                as_of=TOMORROW,
                status="finished",
                total=len(checks),
                succeeded=3,
                failed=1,
                retry_until=now + timedelta(hours=4),
                started_at=now,
                finished_at=now,
            )
        )
        await session.flush()
        for person, payer, items in checks:
            subject = CheckSubject(
                practice_id, batch, str(uuid.uuid4()), patients[person], None, payer
            )
            await record_items(session, subject, items)
    return batch
