"""Batch eligibility: a job (one practice's list of checks) and its checks, each leased on its own.

A batch is stored once per (practice, idempotency key), so a double click starts one job. Each check
is one coverage asked at its payer; it is leased like a claims outbox row (``lease_owner``,
``leased_until``), and its final result is written only by the holder of its lease, so any number of
worker processes share the checks and none is recorded twice. Managed by migration
0013_eligibility_batches.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.storage.tables import Base, new_id, utcnow
from gateway.storage.types import UtcDateTime


class EligibilityBatch(Base):
    """One batch eligibility job of a practice: who asked, for which day, and how far it got."""

    __tablename__ = "eligibility_batches"
    __table_args__ = (
        UniqueConstraint("practice_id", "idempotency_key"),
        Index("ix_eligibility_batches_practice_created", "practice_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    requested_by: Mapped[str | None] = mapped_column(String(36))  # user or API key id
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64))  # what was asked, to spot key reuse
    source: Mapped[str] = mapped_column(String(12))  # patients | schedule
    schedule_date: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)  # the day the coverage is checked for
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|finished
    total: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)  # set when the batch finishes
    failed: Mapped[int] = mapped_column(Integer, default=0)
    retry_until: Mapped[datetime] = mapped_column(UtcDateTime())  # retryable failures end here
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EligibilityCheck(Base):
    """One coverage of one patient asked at its payer within a batch.

    ``state``: pending (not asked yet, or waiting to be asked again), succeeded (the payer answered;
    ``result`` holds the normalized EligibilityResult), failed (a final refusal such as
    MEMBER_NOT_FOUND, or the retry window ended while the payer was still not answering; see
    ``error_code``). ``last_error`` is the latest retryable failure of a pending check.
    """

    __tablename__ = "eligibility_checks"
    __table_args__ = (
        UniqueConstraint("batch_id", "coverage_id"),
        Index("ix_eligibility_checks_due", "state", "payer_id", "next_attempt_at"),
        Index("ix_eligibility_checks_batch_state", "batch_id", "state"),
        # the worklist's "last check of this card" and the history's newest-first pages
        Index("ix_eligibility_checks_coverage_finished", "coverage_id", "finished_at"),
        Index("ix_eligibility_checks_practice_finished", "practice_id", "finished_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("eligibility_batches.id"))
    practice_id: Mapped[str] = mapped_column(ForeignKey("practices.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    coverage_id: Mapped[str] = mapped_column(ForeignKey("coverages.id"))
    payer_id: Mapped[str] = mapped_column(String(63))
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(40))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
