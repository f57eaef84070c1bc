"""``payers { health { lastGoodAnswerAt } }``: what a "payer is not answering" banner needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.cache.fixtures import active_payers, covered_people
from tests.gateway.conftest import Gateway

HEALTH = "{ payers { id health { status lastGoodAnswerAt lastError lastErrorAt } } }"
ELIGIBILITY = """query($id: ID!, $types: [String!]) {
  patient(id: $id) { eligibility(serviceTypes: $types, fresh: true) { payer { id } active } } }"""


async def _health(gateway: Gateway) -> dict[str, Any]:
    body = await gateway.query(HEALTH)
    return {p["id"]: p["health"] for p in body["data"]["payers"]}


async def test_last_good_answer_is_kept_while_the_payer_fails(gateway: Gateway, world: Any) -> None:
    person = covered_people(gateway, world)[0]
    payer = active_payers(gateway, world, person)[0]
    patient_id = gateway.patient_ids[person]
    assert all(h["lastGoodAnswerAt"] is None for h in (await _health(gateway)).values())

    before = datetime.now(UTC)
    body = await gateway.query(ELIGIBILITY, {"id": patient_id})
    assert "errors" not in body
    answered = (await _health(gateway))[payer]
    good_at = datetime.fromisoformat(answered["lastGoodAnswerAt"])
    assert good_at.tzinfo is not None and before <= good_at <= datetime.now(UTC)

    await gateway.faults(payer, error_rate=1.0)
    # Another question: the first answer would be served stale while the payer is unavailable.
    body = await gateway.query(ELIGIBILITY, {"id": patient_id, "types": ["98"]})
    assert {e["extensions"]["payer"] for e in body["errors"]} == {payer}
    failing = (await _health(gateway))[payer]
    assert failing["status"] != "UP" and failing["lastError"] == "PAYER_UNAVAILABLE"
    assert failing["lastGoodAnswerAt"] == answered["lastGoodAnswerAt"]  # still the last good one
    assert datetime.fromisoformat(failing["lastErrorAt"]) > good_at
