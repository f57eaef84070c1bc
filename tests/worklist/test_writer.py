"""The runner's hand-over: a final check classified and written once, however often handed over."""

from __future__ import annotations

from datetime import date, timedelta

from gateway.jobs.worklist import WorklistKind
from gateway.jobs.worklist_store import CheckSubject, batch_items
from gateway.jobs.worklist_writer import planned_visit, write_check_worklist
from gateway.storage.database import Database
from payers.sandbox.world import World
from tests.worklist.test_store import practice_with_patients


async def test_a_final_check_is_written_once(database: Database, world: World) -> None:
    practice_id, patients = await practice_with_patients(database, world, "1588667638")
    (petra,) = world.coverages_of("petra")
    tomorrow = date.today() + timedelta(days=1)
    answer = world.books[petra.payer_key].eligibility(petra, ("PT",), tomorrow)
    visit = planned_visit(tomorrow, ["PT"], ["97161", "97110"])
    subject = CheckSubject(practice_id, "b1", "c1", patients["petra"], None, petra.payer_key)
    async with database.transaction() as session:
        assert await write_check_worklist(session, subject, answer, visit=visit) == 1
        assert await write_check_worklist(session, subject, answer, visit=visit) == 0
        (item,) = await batch_items(session, practice_id, "b1")
    assert item.item.kind is WorklistKind.AUTH_REQUIRED
    assert [p.description for p in item.item.procedures][
        1
    ] == "Therapeutic exercise, each 15 minutes"
