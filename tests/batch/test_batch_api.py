"""checkEligibilityBatch, batch(id): a job starts at once, runs to its end, stores each check's result
once; a double click makes one batch; bad input is refused before anything is written."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, create_api_key
from gateway.jobs.results import result_from_json
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage
from payers.model import EligibilityResult
from tests.batch.conftest import PROGRESS, START, BatchGateway


async def _count(database: Database, table: type) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_batch_starts_at_once_and_runs_to_its_end(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    patients = list(gateway.patient_ids.values())
    started = await gateway.start(patients, str(uuid.uuid4()))
    assert started["errors"] == [] and started["created"] is True
    batch = started["batch"]
    # Every card in force today at a payer answering eligibility: one check each, none done yet.
    assert batch["status"] == "queued" and batch["total"] > len(patients) // 2
    assert batch["done"] == 0
    assert sum(p["total"] for p in batch["byPayer"]) == batch["total"]
    assert len(batch["byPayer"]) == 4  # REST x2, FHIR and X12 sandboxes

    await gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]

    done = await gateway.progress(batch["id"])
    assert done["status"] == "finished", done
    assert done["done"] == done["total"] == batch["total"]
    assert done["retrying"] == 0 and done["finishedAt"] is not None
    # Every check asked its payer exactly once, as each sandbox payer counted.
    for payer in done["byPayer"]:
        stats = await gateway.stats(payer["payer"]["id"])
        assert stats["requests"]["eligibility"] == payer["total"]
    async with gateway.services.database.session() as session:
        checks = list(await session.scalars(select(EligibilityCheck)))
    for check in checks:
        assert check.state in ("succeeded", "failed") and check.attempts == 1
        assert check.finished_at is not None and check.finished_at.tzinfo is not None
        assert check.lease_owner is None
        if check.state == "succeeded":
            result = result_from_json(check.result)  # type: ignore[arg-type]
            assert isinstance(result, EligibilityResult) and result.payer_id == check.payer_id
        else:
            assert check.error_code in {"MEMBER_NOT_FOUND", "PAYER_REJECTED"}
    # One check per card in force today; the ended cards are counted as skipped.
    today = datetime.now(UTC).date()
    async with gateway.services.database.session() as session:
        cards = list(
            await session.scalars(
                select(Coverage).where(Coverage.practice_id == gateway.practice_id)
            )
        )
    in_force = [c for c in cards if c.effective_to is None or c.effective_to >= today]
    assert {c.coverage_id for c in checks} == {c.id for c in in_force}
    assert started["skipped"] == len(cards) - len(in_force) > 0


async def test_stored_results_keep_money_as_decimals(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    ids = list(gateway.patient_ids.values())
    started = await gateway.start(ids, str(uuid.uuid4()))
    await gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]
    async with gateway.services.database.session() as session:
        stored = list(
            await session.scalars(
                select(EligibilityCheck.result).where(
                    EligibilityCheck.batch_id == started["batch"]["id"],
                    EligibilityCheck.state == "succeeded",
                )
            )
        )
    amounts = [
        b.amount for r in stored for b in result_from_json(r).benefits if b.amount is not None
    ]
    assert amounts and all(type(a).__name__ == "Decimal" for a in amounts)
    # As stored: text, never a float.
    assert all(isinstance(b["amount"], str) for r in stored for b in r["benefits"] if b["amount"])


async def test_a_double_click_makes_one_batch(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    patients = list(gateway.patient_ids.values())[:3]
    key = str(uuid.uuid4())
    first = await gateway.start(patients, key)
    again = await gateway.start(list(reversed(patients)), key)  # the same request, reordered
    assert again["created"] is False and again["batch"]["id"] == first["batch"]["id"]
    assert await _count(gateway.services.database, EligibilityBatch) == 1
    other = await gateway.start(patients[:2], key)
    assert other["batch"] is None
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_CONFLICT"]


async def test_bad_input_is_refused_before_anything_is_written(
    batch_gateway: BatchGateway,
) -> None:
    gateway = batch_gateway
    database = gateway.services.database
    patients = list(gateway.patient_ids.values())

    async def codes(ids: list[str], key: str = str(uuid.uuid4())) -> list[tuple[str, list[str]]]:
        answer = await gateway.start(ids, key)
        assert answer["batch"] is None
        return [(e["code"], e["field"]) for e in answer["errors"]]

    assert await codes(patients, "short") == [("IDEMPOTENCY_KEY_INVALID", ["idempotencyKey"])]
    assert await codes([]) == [("PATIENTS_OR_SCHEDULE", ["patientIds"])]
    assert await codes([patients[0], "not-an-id"]) == [("INVALID_ID", ["patientIds", "1"])]
    # Another practice's patient is unknown here, exactly like a missing one.
    assert await codes([patients[0], gateway.other_patient_id]) == [
        ("UNKNOWN_PATIENT", ["patientIds", "1"])
    ]
    # More patients than a batch holds checks: refused before any lookup.
    batches = gateway.services.batches
    assert batches is not None and batches.settings.max_checks == 10_000
    batches.settings = replace(batches.settings, max_checks=5)
    assert await codes([str(uuid.uuid4()) for _ in range(6)]) == [
        ("BATCH_TOO_LARGE", ["patientIds"])
    ]
    # The limit counts cards to check, not patients: 5 patients may hold more than 5 cards.
    assert await codes(patients[:5]) == [("BATCH_TOO_LARGE", ["patientIds"])]
    assert await _count(database, EligibilityBatch) == 0
    assert await _count(database, EligibilityCheck) == 0


async def test_scope_and_practice_are_enforced(batch_gateway: BatchGateway) -> None:
    gateway = batch_gateway
    started = await gateway.start(list(gateway.patient_ids.values())[:2], str(uuid.uuid4()))
    batch_id = started["batch"]["id"]
    reader = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "reader",
        frozenset({PATIENTS_READ, ELIGIBILITY_READ}),
    )
    denied = await gateway.query(
        START, {"key": str(uuid.uuid4()), "ids": list(gateway.patient_ids.values())}, key=reader
    )
    assert denied["data"]["checkEligibilityBatch"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gateway.query(PROGRESS, {"id": batch_id}, key=reader))["data"]["batch"] is None
    # Another practice's caller: the batch does not exist for them.
    other = await gateway.query(PROGRESS, {"id": batch_id}, key=gateway.other_key)
    assert other["data"]["batch"] is None and "errors" not in other
    assert await _count(gateway.services.database, EligibilityBatch) == 1
