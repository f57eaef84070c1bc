"""checkEligibilityBatch (eligibility:batch): starts a batch eligibility job and answers at once.

The request is checked whole before anything is written (every problem as a FieldError with a
code). The job runs in the worker processes (gateway/jobs/runner.py); follow it with ``batch(id)``
or the ``batchProgress`` subscription. Audited with the batch id and its count, never patient data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.batches import CheckEligibilityBatchPayload, EligibilityBatch
from gateway.graphql.types.common import FieldError
from gateway.identity import ELIGIBILITY_BATCH
from gateway.jobs.batches import BatchRefused, BatchRequest, batch_progress, start_batch
from gateway.schedule import appointments_for_day
from gateway.storage.database import Database


def _refused(problems: list[tuple[str, list[str], str]]) -> CheckEligibilityBatchPayload:
    return CheckEligibilityBatchPayload(
        batch=None,
        created=False,
        skipped=0,
        errors=[FieldError(code=c, field=f, message=m) for c, f, m in problems],
    )


async def _scheduled_patients(database: Database, practice_id: str, day: date) -> list[str]:
    """The patients booked on the practice's local ``day`` (cancelled visits left out), in order."""
    async with database.session() as session:
        visits = await appointments_for_day(session, practice_id, day)
    return list(dict.fromkeys(visit.patient_id for visit in visits))


@strawberry.type
class BatchMutations:
    @strawberry.mutation(
        description="Check eligibility of many patients (patientIds) or of a day's appointments "
        "(scheduleDate) in one job, up to 10,000 checks. Answers at once with the batch; the same "
        "idempotencyKey with the same request answers the same batch.",
        extensions=needs(ELIGIBILITY_BATCH),
    )
    async def check_eligibility_batch(
        self,
        info: Info,
        idempotency_key: str,
        patient_ids: list[strawberry.ID] | None = None,
        schedule_date: date | None = None,
        as_of: date | None = None,
        service_types: list[str] | None = None,
    ) -> CheckEligibilityBatchPayload | None:
        context = info.context
        services = context.services
        batches = services.batches
        assert batches is not None
        ids: list[str] = []
        bad: list[tuple[str, list[str], str]] = []
        for index, raw in enumerate(patient_ids or ()):
            if len(ids) > batches.settings.max_checks:
                break  # refused below as too large; no need to read the rest
            try:
                ids.append(parse_id(raw, "patient"))
            except InvalidInput:
                bad.append(("INVALID_ID", ["patientIds", str(index)], "This is not a patient id."))
        if bad:
            return _refused(bad[:20])
        request = BatchRequest(
            idempotency_key=idempotency_key.strip(),
            patient_ids=tuple(ids),
            schedule_date=schedule_date,
            as_of=as_of,
            service_types=tuple(service_types or ("30",)),
        )
        wanted: list[str] = list(request.patient_ids)
        if schedule_date is not None and not ids:
            wanted = await _scheduled_patients(
                services.database, context.practice_id, schedule_date
            )
            if not wanted:
                return _refused(
                    [
                        (
                            "NO_APPOINTMENTS",
                            ["scheduleDate"],
                            f"Your practice has no appointments booked on {schedule_date}.",
                        )
                    ]
                )
        principal = context.principal
        try:
            started = await start_batch(
                services.database,
                services.payers,
                batches.settings,
                context.practice_id,
                principal.actor_id if principal else None,
                request,
                wanted,
                datetime.now(UTC).date(),
            )
        except BatchRefused as refused:
            return _refused([(p.code, p.field, p.message) for p in refused.problems])
        batches.runner.wake()
        context.audit.event(
            "eligibility.batch_started",
            detail={"batch": started.batch.id, "checks": str(started.batch.total)},
        )
        progress = await batch_progress(services.database, context.practice_id, started.batch.id)
        assert progress is not None
        return CheckEligibilityBatchPayload(
            batch=EligibilityBatch.of(progress, services.payers),
            created=started.created,
            skipped=started.skipped,
            errors=[],
        )
