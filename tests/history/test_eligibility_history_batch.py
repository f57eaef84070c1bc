"""eligibilityHistory over checks a real batch made: the runner asks the sandbox payers, and the
history shows each final check exactly as the runner stored it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from gateway.history.eligibility import in_network_individual_remaining
from gateway.jobs.results import result_from_json
from gateway.storage.batch_tables import EligibilityCheck
from payers.model import BenefitKind
from tests.batch.conftest import BatchGateway
from tests.history.eligibility_rows import ELIGIBILITY
from tests.history.queries import every_page


async def test_a_batch_run_is_the_history(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    started = await gateway.start(list(gateway.patient_ids.values()), str(uuid.uuid4()))
    await gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]
    async with gateway.services.database.session() as session:
        checks = {
            c.id: c
            for c in await session.scalars(
                select(EligibilityCheck).where(EligibilityCheck.batch_id == started["batch"]["id"])
            )
        }
    nodes = await every_page(gateway, ELIGIBILITY, "eligibilityHistory", {}, 7)
    assert sorted(n["id"] for n in nodes) == sorted(checks) and len(nodes) > 5
    outcomes = set()
    for node in nodes:
        check = checks[node["id"]]
        assert datetime.fromisoformat(node["checkedAt"]) == check.finished_at
        assert node["batchId"] == started["batch"]["id"] and node["attempts"] == check.attempts
        assert node["errorCode"] == check.error_code
        outcomes.add(node["outcome"])
        if check.state != "succeeded":
            assert node["outcome"] == "FAILED" and node["errorDescription"]
            continue
        result = result_from_json(check.result)  # type: ignore[arg-type]
        assert node["active"] is result.active
        assert node["outcome"] == ("ACTIVE" if result.active else "INACTIVE")
        assert (node["plan"] or {}).get("name") == (result.plan.name if result.plan else None)
        for field, kind in (
            ("deductibleRemaining", BenefitKind.DEDUCTIBLE),
            ("outOfPocketRemaining", BenefitKind.OUT_OF_POCKET),
        ):
            left = in_network_individual_remaining(result, kind)
            assert node[field] == (str(left) if left is not None else None)
    assert "ACTIVE" in outcomes
    # the sandbox members answer deductibles: at least one is reported
    assert any(n["deductibleRemaining"] for n in nodes)
