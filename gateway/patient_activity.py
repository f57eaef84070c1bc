"""A patient's latest activity at the gateway: what the front desk's "recently seen" list orders by.

Activity is what the gateway records for the patient: registered, demographics or a card changed, a
claim submitted or its status changed. Eligibility questions are not activity: they are not stored,
and the Today screen asks them for every patient it lists, so counting them would keep whoever is
listed at the top for ever.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage import tables
from gateway.storage.tables import utcnow


async def note_activity(session: AsyncSession, patient_id: str, at: datetime | None = None) -> None:
    """Mark the patient as active now (or ``at``), in the caller's transaction."""
    await session.execute(
        update(tables.Patient)
        .where(tables.Patient.id == patient_id)
        .values(last_activity_at=at or utcnow())
        .execution_options(synchronize_session=False)
    )
