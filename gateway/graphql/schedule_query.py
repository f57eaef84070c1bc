"""Root fields ``appointment(id)`` and ``appointments(date)``: the practice's schedule (patients:read).

The day is the practice's own (its time zone); the patients of a day are read in one query. The
schedule is live data, never replayed from the whole-response cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.schedule import Appointment
from gateway.identity import PATIENTS_READ
from gateway.schedule import Appointment as AppointmentValue
from gateway.schedule import appointments_for_day
from gateway.schedule.store import appointment_by_id
from gateway.storage import tables


async def with_patients(
    session: AsyncSession, practice_id: str, values: list[AppointmentValue]
) -> list[Appointment]:
    ids = {v.patient_id for v in values}
    rows: Iterable[tables.Patient] = (
        await session.scalars(
            select(tables.Patient).where(
                tables.Patient.practice_id == practice_id, tables.Patient.id.in_(ids)
            )
        )
        if ids
        else []
    )
    by_id = {row.id: row for row in rows}
    return [Appointment(value=v, patient_row=by_id.get(v.patient_id)) for v in values]


async def appointment_view(info: Info, appointment_id: str) -> Appointment | None:
    practice_id = info.context.practice_id
    async with info.context.services.database.session() as session:
        value = await appointment_by_id(session, practice_id, appointment_id)
        if value is None:
            return None
        return (await with_patients(session, practice_id, [value]))[0]


@strawberry.type
class ScheduleQueries:
    @strawberry.field(
        description="One appointment of your practice, or null if there is none with this id.",
        extensions=needs(PATIENTS_READ),
    )
    async def appointment(self, info: Info, id: strawberry.ID) -> Appointment | None:
        refuse_response_cache()
        return await appointment_view(info, parse_id(id, "appointment"))

    @strawberry.field(
        description="Your practice's appointments on a day of its own calendar (its time zone), "
        "by start time; cancelled ones too unless includeCancelled is false.",
        extensions=needs(PATIENTS_READ),
    )
    async def appointments(
        self, info: Info, date: date, include_cancelled: bool = True
    ) -> list[Appointment] | None:
        refuse_response_cache()
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            values = await appointments_for_day(
                session, practice_id, date, include_cancelled=include_cancelled
            )
            return await with_patients(session, practice_id, values)
