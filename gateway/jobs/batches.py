"""Starting a batch eligibility job, and reading its progress.

A batch is asked for a list of patients (or, with the schedule, a day's appointments): each of their
coverages in force on the day, at a configured payer that answers eligibility, becomes one check.
Everything is checked before anything is written: the idempotency key's shape, every patient id
being the caller's practice's, the number of checks (at most ``max_checks``). Under one
(practice, idempotency key) there is at most one batch: the same key with the same request answers
the batch already started (a double click starts one job); with another request it is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.jobs.settings import BatchSettings
from gateway.payers import PayerDirectory
from gateway.storage.batch_tables import EligibilityBatch, EligibilityCheck
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient, new_id
from payers.contract import Capability

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
_SERVICE_TYPE = re.compile(r"^[A-Z0-9]{1,2}$")
_CHUNK = 900  # ids per IN (...) list: under SQLite's bound on bound parameters


@dataclass(frozen=True, slots=True)
class BatchProblem:
    """Why a batch was refused: a stable code, the input field's path and words for people."""

    code: str
    field: list[str]
    message: str


class BatchRefused(Exception):
    def __init__(self, problems: Sequence[BatchProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class BatchRequest:
    idempotency_key: str
    patient_ids: tuple[str, ...] = ()
    schedule_date: date | None = None
    as_of: date | None = None
    service_types: tuple[str, ...] = ("30",)

    def digest(self) -> str:
        body = {
            "patients": sorted(set(self.patient_ids)),
            "schedule": self.schedule_date.isoformat() if self.schedule_date else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "service_types": list(self.service_types),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class BatchStarted:
    batch: EligibilityBatch
    created: bool  # False: the same request under the same key started it earlier
    skipped: int = 0  # coverages not checked: not in force on the day, or payer cannot answer


@dataclass(frozen=True, slots=True)
class PayerProgress:
    payer_id: str
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    retrying: int = 0

    @property
    def done(self) -> int:
        return self.succeeded + self.failed


@dataclass(frozen=True, slots=True)
class BatchProgress:
    batch: EligibilityBatch
    total: int
    succeeded: int
    failed: int
    retrying: int  # pending after a retryable failure, waiting to be asked again
    by_payer: list[PayerProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.succeeded + self.failed


def check_request(request: BatchRequest, settings: BatchSettings) -> list[BatchProblem]:
    """What is wrong with the request itself, before any lookup."""
    problems = []
    if not _KEY.match(request.idempotency_key):
        problems.append(
            BatchProblem(
                "IDEMPOTENCY_KEY_INVALID",
                ["idempotencyKey"],
                "The idempotency key must be 8 to 100 letters, digits or . _ : - (a UUID is ideal).",
            )
        )
    if bool(request.patient_ids) == (request.schedule_date is not None):
        problems.append(
            BatchProblem(
                "PATIENTS_OR_SCHEDULE",
                ["patientIds"],
                "Give a non-empty list of patient ids or a schedule date, not both.",
            )
        )
    if len(set(request.patient_ids)) > settings.max_checks:
        problems.append(
            BatchProblem(
                "BATCH_TOO_LARGE",
                ["patientIds"],
                f"A batch holds at most {settings.max_checks} checks; split the list.",
            )
        )
    if not request.service_types or len(request.service_types) > 10:
        problems.append(
            BatchProblem("INVALID", ["serviceTypes"], "Give 1 to 10 service type codes.")
        )
    for index, code in enumerate(request.service_types):
        if not _SERVICE_TYPE.match(code):
            problems.append(
                BatchProblem(
                    "INVALID",
                    ["serviceTypes", str(index)],
                    "A service type is an X12 service type code, e.g. 30.",
                )
            )
    return problems


async def start_batch(
    database: Database,
    payers: PayerDirectory,
    settings: BatchSettings,
    practice_id: str,
    requested_by: str | None,
    request: BatchRequest,
    patient_ids: Sequence[str],
    today: date,
) -> BatchStarted:
    """Store a batch and its checks (or answer the one already under the key); raises BatchRefused.

    ``patient_ids`` are the patients to check: the request's own, or the schedule's for its day.
    """
    problems = check_request(request, settings)
    if problems:
        raise BatchRefused(problems)
    digest = request.digest()
    earlier = await _under_key(database, practice_id, request.idempotency_key, digest)
    if earlier is not None:
        return earlier
    as_of = request.as_of or request.schedule_date or today
    wanted = list(dict.fromkeys(patient_ids))
    async with database.session() as session:
        known: set[str] = set()
        coverages: list[Coverage] = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            known.update(
                await session.scalars(
                    select(Patient.id).where(
                        Patient.practice_id == practice_id, Patient.id.in_(chunk)
                    )
                )
            )
            coverages.extend(
                await session.scalars(
                    select(Coverage)
                    .where(Coverage.practice_id == practice_id, Coverage.patient_id.in_(chunk))
                    .order_by(Coverage.patient_id, Coverage.priority)
                )
            )
    unknown = [
        BatchProblem(
            "UNKNOWN_PATIENT",
            ["patientIds", str(index)],
            "No patient of your practice has this id.",
        )
        for index, patient_id in enumerate(wanted)
        if patient_id not in known
    ]
    if unknown:
        raise BatchRefused(unknown[:20])
    checks = [c for c in coverages if _in_force(c, as_of) and _answers(payers, c.payer_id)]
    skipped = len(coverages) - len(checks)
    if not checks:
        raise BatchRefused(
            [
                BatchProblem(
                    "NOTHING_TO_CHECK",
                    ["patientIds"],
                    "None of these patients has a card in force on the day at a payer that "
                    "answers eligibility.",
                )
            ]
        )
    if len(checks) > settings.max_checks:
        raise BatchRefused(
            [
                BatchProblem(
                    "BATCH_TOO_LARGE",
                    ["patientIds"],
                    f"These patients hold {len(checks)} cards to check; a batch holds at most "
                    f"{settings.max_checks}. Split the list.",
                )
            ]
        )
    now = datetime.now(UTC)
    batch = EligibilityBatch(
        id=new_id(),
        practice_id=practice_id,
        requested_by=requested_by,
        idempotency_key=request.idempotency_key,
        request_digest=digest,
        source="schedule" if request.schedule_date else "patients",
        schedule_date=request.schedule_date,
        as_of=as_of,
        status="queued",
        total=len(checks),
        succeeded=0,
        failed=0,
        retry_until=now + timedelta(seconds=settings.retry_window_seconds),
        created_at=now,
    )
    try:
        async with database.transaction() as session:
            session.add(batch)
            await session.flush()
            rows = [
                {
                    "id": new_id(),
                    "batch_id": batch.id,
                    "practice_id": practice_id,
                    "patient_id": c.patient_id,
                    "coverage_id": c.id,
                    "payer_id": c.payer_id,
                    "service_types": list(request.service_types),
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                }
                for c in checks
            ]
            for start in range(0, len(rows), 1000):
                await session.execute(insert(EligibilityCheck), rows[start : start + 1000])
    except IntegrityError:
        # Another request under the same key won the race: answer its batch.
        raced = await _under_key(database, practice_id, request.idempotency_key, digest)
        if raced is None:
            raise
        return raced
    return BatchStarted(batch, created=True, skipped=skipped)


async def _under_key(
    database: Database, practice_id: str, key: str, digest: str
) -> BatchStarted | None:
    async with database.session() as session:
        batch = await session.scalar(
            select(EligibilityBatch).where(
                EligibilityBatch.practice_id == practice_id,
                EligibilityBatch.idempotency_key == key,
            )
        )
    if batch is None:
        return None
    if batch.request_digest != digest:
        raise BatchRefused(
            [
                BatchProblem(
                    "IDEMPOTENCY_CONFLICT",
                    ["idempotencyKey"],
                    "This idempotency key already started another batch; use a new key.",
                )
            ]
        )
    return BatchStarted(batch, created=False)


def _in_force(coverage: Coverage, day: date) -> bool:
    return (coverage.effective_from is None or coverage.effective_from <= day) and (
        coverage.effective_to is None or coverage.effective_to >= day
    )


def _answers(payers: PayerDirectory, payer_id: str) -> bool:
    payer = payers.get(payer_id)
    return payer is not None and Capability.ELIGIBILITY in payer.capabilities


async def batch_progress(
    database: Database, practice_id: str, batch_id: str
) -> BatchProgress | None:
    """A batch of the practice with its counts per payer; None for an unknown or another's batch."""
    async with database.session() as session:
        batch = await session.scalar(
            select(EligibilityBatch).where(
                EligibilityBatch.id == batch_id, EligibilityBatch.practice_id == practice_id
            )
        )
        if batch is None:
            return None
        tallies = await _tallies(session, [batch.id])
    return _progress(batch, tallies.get(batch.id, {}))


async def recent_batches(
    database: Database,
    practice_id: str,
    limit: int,
    before: tuple[datetime, str] | None = None,
) -> list[BatchProgress]:
    """The practice's batches, newest first, each with its progress (one grouped count for all);
    ``before`` (created_at, id) continues after the last batch of a previous page."""
    statement = select(EligibilityBatch).where(EligibilityBatch.practice_id == practice_id)
    if before is not None:
        statement = statement.where(
            tuple_(EligibilityBatch.created_at, EligibilityBatch.id) < tuple_(*before)
        )
    statement = statement.order_by(
        EligibilityBatch.created_at.desc(), EligibilityBatch.id.desc()
    ).limit(limit)
    async with database.session() as session:
        batches = list(await session.scalars(statement))
        tallies = await _tallies(session, [b.id for b in batches])
    return [_progress(b, tallies.get(b.id, {})) for b in batches]


async def _tallies(
    session: AsyncSession, batch_ids: list[str]
) -> dict[str, dict[str, dict[str, int]]]:
    """batch id -> payer id -> total, succeeded, failed, retrying."""
    if not batch_ids:
        return {}
    retrying = (EligibilityCheck.state == "pending") & or_(
        EligibilityCheck.last_error.is_not(None), EligibilityCheck.attempts > 0
    )
    rows = (
        await session.execute(
            select(
                EligibilityCheck.batch_id,
                EligibilityCheck.payer_id,
                EligibilityCheck.state,
                retrying.label("retrying"),
                func.count(),
            )
            .where(EligibilityCheck.batch_id.in_(batch_ids))
            .group_by(
                EligibilityCheck.batch_id,
                EligibilityCheck.payer_id,
                EligibilityCheck.state,
                retrying,
            )
        )
    ).all()
    counts: defaultdict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for batch_id, payer_id, state, is_retrying, count in rows:
        tally = counts[batch_id][payer_id]
        tally["total"] += count
        if state in ("succeeded", "failed"):
            tally[state] += count
        elif is_retrying:
            tally["retrying"] += count
    return counts


def _progress(batch: EligibilityBatch, tallies: dict[str, dict[str, int]]) -> BatchProgress:
    by_payer = [
        PayerProgress(
            payer_id,
            total=t["total"],
            succeeded=t["succeeded"],
            failed=t["failed"],
            retrying=t["retrying"],
        )
        for payer_id, t in sorted(tallies.items())
    ]
    return BatchProgress(
        batch=batch,
        total=batch.total,
        succeeded=sum(p.succeeded for p in by_payer),
        failed=sum(p.failed for p in by_payer),
        retrying=sum(p.retrying for p in by_payer),
        by_payer=by_payer,
    )
