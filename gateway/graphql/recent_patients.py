"""Root field ``recentPatients``: the front desk's Today list until appointments exist."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.errors import InvalidInput
from gateway.graphql.permissions import needs
from gateway.graphql.types.patient import Patient
from gateway.identity import PATIENTS_READ
from gateway.storage import tables


@strawberry.type
class RecentPatientQueries:
    @strawberry.field(
        description="Your practice's patients with the latest activity first (see "
        "Patient.lastActivityAt). The order tells nothing about names: without phi:read the "
        "patients come with their patientKey only.",
        extensions=needs(PATIENTS_READ),
    )
    async def recent_patients(self, info: Info, first: int = 20) -> list[Patient] | None:
        limit = info.context.services.settings.max_page_size
        if not 1 <= first <= limit:
            raise InvalidInput(f"'first' must be between 1 and {limit}.", field="first")
        # Claim status changes arrive without a mutation of this practice, which is what drops its
        # cached responses: a replayed order could be stale, so this list is never replayed.
        refuse_response_cache()
        async with info.context.services.database.session() as session:
            rows = await session.scalars(
                select(tables.Patient)
                .where(tables.Patient.practice_id == info.context.practice_id)
                .order_by(tables.Patient.last_activity_at.desc(), tables.Patient.id)
                .limit(first)
            )
            return [Patient(row=row) for row in rows]
