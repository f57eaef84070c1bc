"""One patient of the caller's practice and their cards, read in one statement.

The headline query asks for a patient and then fans out over their coverages: reading both with
one left outer join spares a connection checkout and a round trip per request. The cards are handed
to the request's coverage loader, so the fields that need them do not ask the database again.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, String, and_, bindparam, select

from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient


@functools.cache
def _statement() -> Select[Patient, Coverage]:
    # Built once, with bound parameters: every request runs the same statement object, whose cache
    # key SQLAlchemy memoizes, so neither the construction nor the key is paid per request.
    practice_id = bindparam("practice_id", type_=String())
    return (
        select(Patient, Coverage)
        .outerjoin(
            Coverage,
            and_(Coverage.patient_id == Patient.id, Coverage.practice_id == practice_id),
        )
        .where(Patient.id == bindparam("patient_id"), Patient.practice_id == practice_id)
        .order_by(Coverage.priority, Coverage.created_at)
    )


async def patient_with_coverages(
    database: Database, practice_id: str, patient_id: str
) -> tuple[Patient | None, list[Coverage]]:
    """The patient (None when no patient of ``practice_id`` has this id) and their cards, primary first.

    Both sides are filtered by the practice: a card of another practice never joins, and a patient of
    another practice is not found.
    """
    async with database.session() as session:
        result = await session.execute(
            _statement(), {"practice_id": practice_id, "patient_id": patient_id}
        )
        rows = result.all()
    if not rows:
        return None, []
    return rows[0][0], [coverage for _, coverage in rows if coverage is not None]
