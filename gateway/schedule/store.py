"""Reading the schedule: a practice's day, one appointment, always within the practice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.schedule.clock import day_bounds, practice_zone
from gateway.schedule.model import Appointment, PlannedProcedure
from gateway.storage.schedule_tables import Appointment as AppointmentRow
from gateway.storage.schedule_tables import AppointmentProcedure


async def appointments_for_day(
    session: AsyncSession, practice_id: str, day: date, *, include_cancelled: bool = False
) -> list[Appointment]:
    """The practice's appointments on its local ``day``, by start time (see the package docstring)."""
    zone = await practice_zone(session, practice_id)
    start, end = day_bounds(day, zone)
    statement = select(AppointmentRow).where(
        AppointmentRow.practice_id == practice_id,
        AppointmentRow.starts_at >= start,
        AppointmentRow.starts_at < end,
    )
    if not include_cancelled:
        statement = statement.where(AppointmentRow.status != "cancelled")
    rows = list(
        await session.scalars(statement.order_by(AppointmentRow.starts_at, AppointmentRow.id))
    )
    return await as_appointments(session, rows, zone)


async def appointment_by_id(
    session: AsyncSession, practice_id: str, appointment_id: str
) -> Appointment | None:
    """One of the practice's appointments; None for a missing one or another practice's."""
    row = await session.scalar(
        select(AppointmentRow).where(
            AppointmentRow.id == appointment_id, AppointmentRow.practice_id == practice_id
        )
    )
    if row is None:
        return None
    zone = await practice_zone(session, practice_id)
    return (await as_appointments(session, [row], zone))[0]


async def as_appointments(
    session: AsyncSession, rows: list[AppointmentRow], zone: ZoneInfo
) -> list[Appointment]:
    """The rows as values, with their procedures read in one query."""
    planned: defaultdict[str, list[PlannedProcedure]] = defaultdict(list)
    if rows:
        procedures = await session.scalars(
            select(AppointmentProcedure)
            .where(AppointmentProcedure.appointment_id.in_([r.id for r in rows]))
            .order_by(AppointmentProcedure.appointment_id, AppointmentProcedure.ordinal)
        )
        for p in procedures:
            planned[p.appointment_id].append(PlannedProcedure(p.code, p.units, p.charge))
    return [
        Appointment(
            id=row.id,
            patient_id=row.patient_id,
            starts_at=row.starts_at.astimezone(zone),
            provider_npi=row.provider_npi,
            location=row.location,
            visit_type=row.visit_type,
            service_types=tuple(row.service_types),
            procedures=tuple(planned[row.id]),
            status=row.status,
            external_id=row.external_id,
        )
        for row in rows
    ]
