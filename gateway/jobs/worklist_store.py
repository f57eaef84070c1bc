"""The worklist as stored: items written once per check, read per batch and kind, ticked off.

Every function takes the caller's practice and filters on it: an item of another practice is never
read, counted or changed (it is simply not found).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.jobs.worklist import WorklistItem, WorklistKind
from gateway.jobs.worklist_codec import facts_to_json, item_from_json
from gateway.storage.tables import new_id
from gateway.storage.worklist_tables import WorklistItemRow

#: The most items one read returns.
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class CheckSubject:
    """Which check of which batch the items come from, and whose coverage it asked about."""

    practice_id: str
    batch_id: str
    check_id: str
    patient_id: str
    coverage_id: str | None
    payer_id: str


@dataclass(frozen=True, slots=True)
class StoredWorklistItem:
    id: str
    batch_id: str
    check_id: str
    patient_id: str
    coverage_id: str | None
    payer_id: str
    item: WorklistItem
    created_at: datetime
    resolved: bool
    resolved_by: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: WorklistKind
    open: int
    done: int


async def record_items(
    session: AsyncSession, subject: CheckSubject, items: Sequence[WorklistItem]
) -> int:
    """Write ``items`` of one check; an item of a kind already written for it is kept as it was
    (a check classified again after a crash adds nothing). Answers how many rows were new."""
    return await record_many(session, [(subject, items)])


async def record_many(
    session: AsyncSession, checks: Sequence[tuple[CheckSubject, Sequence[WorklistItem]]]
) -> int:
    """:func:`record_items` for many checks at once, in a few multi-row inserts."""
    now = datetime.now(UTC)
    rows = [
        {
            "id": new_id(),
            "practice_id": subject.practice_id,
            "batch_id": subject.batch_id,
            "check_id": subject.check_id,
            "patient_id": subject.patient_id,
            "coverage_id": subject.coverage_id,
            "payer_id": subject.payer_id,
            "kind": item.kind.value,
            "explanation": item.explanation,
            "facts": facts_to_json(item),
            "created_at": now,
            "resolved": False,
        }
        for subject, items in checks
        for item in items
    ]
    if not rows:
        return 0
    # One statement, many parameter sets: SQLAlchemy sends them as multi-row inserts and compiles
    # the statement once per process (a statement with the rows as literals compiles every time).
    # RETURNING counts what was new: a conflicting row returns nothing.
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, WorklistItemRow.__table__)  # Core, not the ORM's bulk insert path
    statement = (
        builder(table)
        .on_conflict_do_nothing(index_elements=["check_id", "kind"])
        .returning(table.c.id)
    )
    result = await session.execute(statement, rows)
    return len(result.all())


_KIND_ORDER = {kind.value: position for position, kind in enumerate(WorklistKind)}


async def batch_items(
    session: AsyncSession,
    practice_id: str,
    batch_id: str,
    *,
    kind: WorklistKind | None = None,
    open_only: bool = False,
    after: tuple[str, str] | None = None,
    limit: int = 50,
) -> list[StoredWorklistItem]:
    """A batch's items, by kind then id, from after the (kind, id) key ``after``."""
    query = select(WorklistItemRow).where(
        WorklistItemRow.practice_id == practice_id, WorklistItemRow.batch_id == batch_id
    )
    if kind is not None:
        query = query.where(WorklistItemRow.kind == kind.value)
    if open_only:
        query = query.where(WorklistItemRow.resolved.is_(False))
    if after is not None:
        after_kind, after_id = after
        query = query.where(
            or_(
                WorklistItemRow.kind > after_kind,
                and_(WorklistItemRow.kind == after_kind, WorklistItemRow.id > after_id),
            )
        )
    query = query.order_by(WorklistItemRow.kind, WorklistItemRow.id).limit(
        max(1, min(limit, MAX_PAGE))
    )
    rows = (await session.execute(query)).scalars().all()
    return [_stored(row) for row in rows]


async def batch_counts(session: AsyncSession, practice_id: str, batch_id: str) -> list[KindCount]:
    """How many items of each kind the batch has open and done (kinds with none left out)."""
    rows = await session.execute(
        select(WorklistItemRow.kind, WorklistItemRow.resolved, func.count())
        .where(WorklistItemRow.practice_id == practice_id, WorklistItemRow.batch_id == batch_id)
        .group_by(WorklistItemRow.kind, WorklistItemRow.resolved)
    )
    counts: dict[str, list[int]] = {}
    for kind, resolved, count in rows:
        counts.setdefault(kind, [0, 0])[1 if resolved else 0] += count
    return [
        KindCount(WorklistKind(kind), opened, done)
        for kind, (opened, done) in sorted(counts.items(), key=lambda kv: _KIND_ORDER[kv[0]])
    ]


async def get_item(
    session: AsyncSession, practice_id: str, item_id: str
) -> StoredWorklistItem | None:
    row = await session.scalar(
        select(WorklistItemRow).where(
            WorklistItemRow.practice_id == practice_id, WorklistItemRow.id == item_id
        )
    )
    return None if row is None else _stored(row)


async def set_resolved(
    session: AsyncSession, practice_id: str, item_id: str, *, by: str, done: bool = True
) -> StoredWorklistItem | None:
    """Mark the item done (or open again); None when the practice has no such item.

    Marking done an item already done keeps who did it first and when."""
    values = (
        {"resolved": True, "resolved_by": by, "resolved_at": datetime.now(UTC)}
        if done
        else {"resolved": False, "resolved_by": None, "resolved_at": None}
    )
    await session.execute(
        update(WorklistItemRow)
        .where(
            WorklistItemRow.practice_id == practice_id,
            WorklistItemRow.id == item_id,
            WorklistItemRow.resolved.is_(not done),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return await get_item(session, practice_id, item_id)


def _stored(row: WorklistItemRow) -> StoredWorklistItem:
    return StoredWorklistItem(
        id=row.id,
        batch_id=row.batch_id,
        check_id=row.check_id,
        patient_id=row.patient_id,
        coverage_id=row.coverage_id,
        payer_id=row.payer_id,
        item=item_from_json(row.kind, row.explanation, row.facts),
        created_at=row.created_at,
        resolved=row.resolved,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
    )
