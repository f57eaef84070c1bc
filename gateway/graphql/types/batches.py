"""A batch eligibility job and its progress, as callers see it (counts only, no patient data)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from gateway.graphql.types.common import FieldError
from gateway.graphql.types.payer import Payer
from gateway.jobs.batches import BatchProgress, PayerProgress
from gateway.payers import PayerDirectory


@strawberry.type(description="One payer's share of a batch.")
class BatchPayerProgress:
    payer: Payer
    total: int
    done: int = strawberry.field(description="Checks with a final result (succeeded or failed).")
    succeeded: int = strawberry.field(description="The payer answered (active or not).")
    failed: int = strawberry.field(
        description="Final failures: member not found, refused, or still not answering when the "
        "retry window ended."
    )
    retrying: int = strawberry.field(
        description="Waiting to be asked again after the payer did not answer."
    )

    @classmethod
    def of(cls, progress: PayerProgress, payers: PayerDirectory) -> BatchPayerProgress:
        configured = payers.get(progress.payer_id)
        return cls(
            payer=Payer.of(configured) if configured else Payer.unknown(progress.payer_id),
            total=progress.total,
            done=progress.done,
            succeeded=progress.succeeded,
            failed=progress.failed,
            retrying=progress.retrying,
        )


@strawberry.type(description="A batch eligibility job: one check per card in force on the day.")
class EligibilityBatch:
    id: strawberry.ID
    status: str = strawberry.field(description="queued, running or finished.")
    source: str = strawberry.field(description="patients or schedule.")
    schedule_date: date | None
    as_of: date = strawberry.field(description="The day coverage is checked for.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    retry_until: datetime = strawberry.field(
        description="A payer that is not answering is asked again until then."
    )
    total: int
    done: int
    succeeded: int
    failed: int
    retrying: int
    by_payer: list[BatchPayerProgress]

    @classmethod
    def of(cls, progress: BatchProgress, payers: PayerDirectory) -> EligibilityBatch:
        batch = progress.batch
        return cls(
            id=strawberry.ID(batch.id),
            status=batch.status,
            source=batch.source,
            schedule_date=batch.schedule_date,
            as_of=batch.as_of,
            created_at=batch.created_at,
            started_at=batch.started_at,
            finished_at=batch.finished_at,
            retry_until=batch.retry_until,
            total=progress.total,
            done=progress.done,
            succeeded=progress.succeeded,
            failed=progress.failed,
            retrying=progress.retrying,
            by_payer=[BatchPayerProgress.of(p, payers) for p in progress.by_payer],
        )


@strawberry.type
class BatchPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of the practice's batches, the newest first.")
class EligibilityBatchConnection:
    items: list[EligibilityBatch]
    page_info: BatchPageInfo


@strawberry.type
class CheckEligibilityBatchPayload:
    batch: EligibilityBatch | None
    created: bool = strawberry.field(
        description="False when this idempotency key already started the same batch."
    )
    skipped: int = strawberry.field(
        description="Cards not checked: not in force on the day, or at a payer that does not "
        "answer eligibility."
    )
    errors: list[FieldError]
