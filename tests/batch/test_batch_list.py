"""batches(first, after): the practice's batches newest first with their progress, in pages; another
practice's batches never listed; eligibility:batch required."""

from __future__ import annotations

import uuid

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, create_api_key
from tests.batch.conftest import BatchGateway

LIST = """
query List($first: Int!, $after: String) {
  batches(first: $first, after: $after) {
    items { id status source total done succeeded failed retrying
            byPayer { payer { id } total done } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _page(gateway: BatchGateway, first: int, after: str | None = None, **kw: str) -> dict:  # type: ignore[type-arg]
    answer = await gateway.query(LIST, {"first": first, "after": after}, **kw)
    assert "errors" not in answer, answer
    return answer["data"]["batches"]  # type: ignore[no-any-return]


async def test_the_practice_s_batches_newest_first_in_pages(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    patients = list(gateway.patient_ids.values())
    started = [
        (await gateway.start(patients[n : n + 2], str(uuid.uuid4())))["batch"]["id"]
        for n in range(3)
    ]
    # Another practice's batch, started last: the newest row in the table, and never ours to see.
    theirs = await gateway.query(
        """mutation($key: String!, $ids: [ID!]) {
             checkEligibilityBatch(idempotencyKey: $key, patientIds: $ids) { batch { id } } }""",
        {"key": str(uuid.uuid4()), "ids": [gateway.other_patient_id]},
        key=gateway.other_key,
    )
    their_id = theirs["data"]["checkEligibilityBatch"]["batch"]["id"]

    first = await _page(gateway, 2)
    assert [b["id"] for b in first["items"]] == started[:0:-1]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await _page(gateway, 2, first["pageInfo"]["endCursor"])
    assert [b["id"] for b in rest["items"]] == started[:1]
    assert rest["pageInfo"]["hasNextPage"] is False

    await gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]
    done = (await _page(gateway, 10))["items"]
    assert their_id not in {b["id"] for b in done}
    for batch in done:
        assert batch["status"] == "finished" and batch["source"] == "patients"
        assert batch["total"] > 0 and batch["done"] == batch["total"]
        assert batch["done"] == batch["succeeded"] + batch["failed"]
        assert sum(p["total"] for p in batch["byPayer"]) == batch["total"]
    progress = await gateway.progress(started[0])
    listed = next(b for b in done if b["id"] == started[0])
    assert (listed["succeeded"], listed["failed"]) == (progress["succeeded"], progress["failed"])

    # B lists its own batch only.
    their_list = await _page(gateway, 10, key=gateway.other_key)
    assert [b["id"] for b in their_list["items"]] == [their_id]


async def test_a_caller_without_the_batch_scope_is_refused(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    await gateway.start(list(gateway.patient_ids.values())[:1], str(uuid.uuid4()))
    reader = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "reader",
        frozenset({PATIENTS_READ, ELIGIBILITY_READ}),
    )
    denied = await gateway.query(LIST, {"first": 5}, key=reader)
    assert denied["data"]["batches"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_page_arguments_say_what_is_wrong(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    for variables in ({"first": 0}, {"first": 5, "after": "not-a-cursor"}):
        answer = await gateway.query(LIST, variables)
        assert answer["data"]["batches"] is None
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
        assert "Traceback" not in str(answer)
