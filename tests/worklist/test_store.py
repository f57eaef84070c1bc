"""The stored worklist: written once per check and kind, read per batch and practice, ticked off."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gateway.jobs.worklist import (
    CheckFailure,
    PlanFieldChange,
    WorklistItem,
    WorklistKind,
    classify,
)
from gateway.jobs.worklist_codec import facts_to_json, item_from_json
from gateway.jobs.worklist_store import (
    CheckSubject,
    KindCount,
    batch_counts,
    batch_items,
    get_item,
    record_items,
    set_resolved,
)
from gateway.seeding import seed_practice_patients
from gateway.storage.database import Database
from gateway.storage.tables import Practice
from payers.codesets import lookup
from payers.sandbox.world import World


async def practice_with_patients(database: Database, world: World, npi: str) -> tuple[str, dict]:
    async with database.transaction() as session:
        practice = Practice(name=f"Practice {npi}", npi=npi, tax_id="847301296", status="approved")
        session.add(practice)
        await session.flush()
        practice_id = practice.id
    patients = await seed_practice_patients(database, practice_id, world, set(world.books))
    return practice_id, patients


def subject(practice_id: str, patient_id: str, check: str, batch: str = "b1") -> CheckSubject:
    return CheckSubject(practice_id, batch, check, patient_id, None, "summit")


ENDED = WorklistItem(
    WorklistKind.COVERAGE_ENDED, "Coverage ended on November 30, 2026.", end_date=date(2026, 11, 30)
)
DEDUCTIBLE = WorklistItem(
    WorklistKind.DEDUCTIBLE_REMAINING,
    "$820.00 of $1,000.00 deductible left.",
    amount_left=Decimal("820.00"),
    deductible_amount=Decimal("1000.00"),
)


def test_every_fact_survives_the_codec() -> None:
    item = WorklistItem(
        WorklistKind.AUTH_REQUIRED,
        "words",
        end_date=date(2026, 1, 31),
        start_date=date(2025, 1, 1),
        amount_left=Decimal("0.10"),
        deductible_amount=Decimal("3000.00"),
        changes=(PlanFieldChange("group number", "A", "B"),),
        service_types=(lookup("service-type", "PT"),),
        procedures=(lookup("procedure", "97110"),),
        reasons=(lookup("aaa-reject-reason", "75"),),
        attempts=4,
        error_code="PAYER_TIMEOUT",
    )
    facts = facts_to_json(item)
    assert facts["amount_left"] == "0.10"  # a decimal string, never a float
    assert item_from_json(item.kind.value, item.explanation, facts) == item


async def test_items_are_written_once_per_check_and_kind(database: Database, world: World) -> None:
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    async with database.transaction() as session:
        assert (
            await record_items(session, subject(practice_id, patients["hank"], "c1"), [ENDED]) == 1
        )
        # the same check classified again (a worker crashed after writing): nothing new
        again = [ENDED, DEDUCTIBLE]
        assert await record_items(session, subject(practice_id, patients["hank"], "c1"), again) == 1
        assert await record_items(session, subject(practice_id, patients["elsie"], "c2"), []) == 0
    async with database.session() as session:
        items = await batch_items(session, practice_id, "b1")
    assert [(i.check_id, i.item.kind) for i in items] == [
        ("c1", WorklistKind.COVERAGE_ENDED),
        ("c1", WorklistKind.DEDUCTIBLE_REMAINING),
    ]
    assert items[0].item == ENDED
    assert items[1].item.amount_left == Decimal("820.00")
    assert not items[0].resolved and items[0].resolved_by is None


async def test_read_by_kind_in_pages_and_counted(database: Database, world: World) -> None:
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    people = ["rosa", "dario", "elsie", "hank", "petra"]
    async with database.transaction() as session:
        for n, person in enumerate(people):
            await record_items(
                session, subject(practice_id, patients[person], f"c{n}"), [DEDUCTIBLE]
            )
        await record_items(session, subject(practice_id, patients["hank"], "cx"), [ENDED])
        await record_items(
            session, subject(practice_id, patients["hank"], "other", batch="b2"), [ENDED]
        )
    async with database.session() as session:
        first = await batch_items(
            session, practice_id, "b1", kind=WorklistKind.DEDUCTIBLE_REMAINING, limit=2
        )
        last = first[-1]
        rest = await batch_items(
            session,
            practice_id,
            "b1",
            kind=WorklistKind.DEDUCTIBLE_REMAINING,
            after=(last.item.kind.value, last.id),
        )
        counts = await batch_counts(session, practice_id, "b1")
    assert len(first) == 2 and len(rest) == 3
    assert {i.patient_id for i in first + rest} == {patients[p] for p in people}
    assert counts == [
        KindCount(WorklistKind.COVERAGE_ENDED, 1, 0),
        KindCount(WorklistKind.DEDUCTIBLE_REMAINING, 5, 0),
    ]


async def test_ticked_off_by_someone_and_reopened(database: Database, world: World) -> None:
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    async with database.transaction() as session:
        await record_items(session, subject(practice_id, patients["hank"], "c1"), [ENDED])
        (item,) = await batch_items(session, practice_id, "b1")
    async with database.transaction() as session:
        done = await set_resolved(session, practice_id, item.id, by="user-1")
    assert done is not None and done.resolved and done.resolved_by == "user-1"
    assert done.resolved_at is not None and done.resolved_at.tzinfo is not None
    async with database.transaction() as session:
        # a second click by someone else keeps who did it first
        twice = await set_resolved(session, practice_id, item.id, by="user-2")
    assert twice is not None and (twice.resolved_by, twice.resolved_at) == (
        "user-1",
        done.resolved_at,
    )
    async with database.session() as session:
        assert await batch_items(session, practice_id, "b1", open_only=True) == []
        assert await batch_counts(session, practice_id, "b1") == [
            KindCount(WorklistKind.COVERAGE_ENDED, 0, 1)
        ]
    async with database.transaction() as session:
        reopened = await set_resolved(session, practice_id, item.id, by="user-2", done=False)
    assert reopened is not None and not reopened.resolved and reopened.resolved_by is None


async def test_another_practice_never_sees_or_ticks_an_item(
    database: Database, world: World
) -> None:
    ours, patients = await practice_with_patients(database, world, "1588667638")
    theirs, _ = await practice_with_patients(database, world, "1677351208")
    async with database.transaction() as session:
        await record_items(session, subject(ours, patients["hank"], "c1"), [ENDED])
        (item,) = await batch_items(session, ours, "b1")
    async with database.transaction() as session:
        assert await batch_items(session, theirs, "b1") == []
        assert await batch_counts(session, theirs, "b1") == []
        assert await get_item(session, theirs, item.id) is None
        assert await set_resolved(session, theirs, item.id, by="intruder") is None
    async with database.session() as session:
        mine = await get_item(session, ours, item.id)
    assert mine is not None and not mine.resolved


async def test_classified_items_round_trip_through_storage(
    database: Database, world: World
) -> None:
    """Real classifier output (member not found with its AAA reason, payer not answering) stored
    and read back equal."""
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    items = [
        *classify(CheckFailure("MEMBER_NOT_FOUND", (lookup("aaa-reject-reason", "75"),))),
        *classify(CheckFailure("PAYER_TIMEOUT", attempts=6)),
    ]
    async with database.transaction() as session:
        await record_items(session, subject(practice_id, patients["dario"], "c1"), items)
    async with database.session() as session:
        stored = await batch_items(session, practice_id, "b1")
    assert sorted((s.item for s in stored), key=lambda i: i.kind) == sorted(
        items, key=lambda i: i.kind
    )


@pytest.mark.parametrize("limit", [0, -5, 10_000])
async def test_page_size_is_bounded(database: Database, world: World, limit: int) -> None:
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    async with database.transaction() as session:
        await record_items(session, subject(practice_id, patients["hank"], "c1"), [ENDED])
        assert len(await batch_items(session, practice_id, "b1", limit=limit)) == 1
