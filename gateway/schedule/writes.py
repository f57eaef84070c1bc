"""Writing appointments: book, replace, cancel, and the import's keep-once upsert.

Each write is checked whole first (:mod:`gateway.schedule.edits`). The natural keys (the EHR's id;
else patient and start while not cancelled) are unique in the database, so two requests or two
imports racing on the same appointment make one row: the loser's insert fails inside a savepoint
and is answered as a clash (API) or taken as the row the winner wrote (import).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.schedule.edits import CheckedAppointment, Problem
from gateway.storage.schedule_tables import Appointment as AppointmentRow
from gateway.storage.schedule_tables import AppointmentProcedure
from gateway.storage.tables import Patient

Outcome = Literal["created", "updated", "unchanged"]

ALREADY_BOOKED: Problem = (
    "time",
    "PATIENT_ALREADY_BOOKED",
    "The patient already has an appointment starting at this time: edit that one instead.",
)
EXTERNAL_TAKEN: Problem = (
    "externalId",
    "EXTERNAL_ID_TAKEN",
    "Another appointment already has this EHR appointment id.",
)


async def patient_exists(session: AsyncSession, practice_id: str, patient_id: str) -> bool:
    found = await session.scalar(
        select(Patient.id).where(Patient.id == patient_id, Patient.practice_id == practice_id)
    )
    return found is not None


async def book(
    session: AsyncSession,
    practice_id: str,
    checked: CheckedAppointment,
    *,
    actor_id: str | None,
    source: str = "api",
) -> tuple[str | None, list[Problem]]:
    """A new appointment's id, or the clash that kept it from being written."""
    row = AppointmentRow(
        practice_id=practice_id, source=source, created_by=actor_id, external_id=checked.external_id
    )
    _fill(row, checked)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
            _add_procedures(session, row.id, checked)
            await session.flush()
    except IntegrityError:
        return None, [await _clash(session, practice_id, checked)]
    return row.id, []


async def replace(
    session: AsyncSession, row: AppointmentRow, checked: CheckedAppointment
) -> list[Problem]:
    """Write ``checked`` over ``row`` (its procedures replaced); the clash if the new slot is taken."""
    try:
        async with session.begin_nested():
            _fill(row, checked)
            if checked.external_id is not None:
                row.external_id = checked.external_id
            row.updated_at = datetime.now(UTC)
            await session.execute(
                delete(AppointmentProcedure).where(AppointmentProcedure.appointment_id == row.id)
            )
            _add_procedures(session, row.id, checked)
            await session.flush()
    except IntegrityError:
        await session.refresh(row)
        return [await _clash(session, row.practice_id, checked)]
    return []


async def upsert(
    session: AsyncSession,
    practice_id: str,
    checked: CheckedAppointment,
    *,
    source: str,
    actor_id: str | None,
) -> tuple[str | None, Outcome | None, list[Problem]]:
    """The import's write: the appointment with the same natural key is brought up to date, else
    one is booked. Re-importing the same row is ``unchanged``."""
    for _attempt in range(2):  # a concurrent import may insert the row between look-up and insert
        existing = await _same_appointment(session, practice_id, checked)
        if existing is not None:
            if await _same_as(session, existing, checked):
                return existing.id, "unchanged", []
            problems = await replace(session, existing, checked)
            return existing.id, (None if problems else "updated"), problems
        appointment_id, problems = await book(
            session, practice_id, checked, actor_id=actor_id, source=source
        )
        if not problems:
            return appointment_id, "created", []
    return None, None, problems


async def _same_appointment(
    session: AsyncSession, practice_id: str, checked: CheckedAppointment
) -> AppointmentRow | None:
    mine = select(AppointmentRow).where(AppointmentRow.practice_id == practice_id)
    if checked.external_id is not None:
        found = await session.scalar(mine.where(AppointmentRow.external_id == checked.external_id))
        if found is not None:
            return found
    rows = list(
        await session.scalars(
            mine.where(
                AppointmentRow.patient_id == checked.patient_id,
                AppointmentRow.starts_at == checked.starts_at,
            ).order_by(AppointmentRow.created_at)
        )
    )
    # The live one first; a cancelled one only when the file has it cancelled too.
    live = [r for r in rows if r.status != "cancelled"]
    if live and (checked.external_id is None or live[0].external_id in (None, checked.external_id)):
        return live[0]
    if checked.status == "cancelled":
        return next((r for r in rows if r.external_id in (None, checked.external_id)), None)
    return None


async def _same_as(session: AsyncSession, row: AppointmentRow, checked: CheckedAppointment) -> bool:
    procedures = list(
        await session.scalars(
            select(AppointmentProcedure)
            .where(AppointmentProcedure.appointment_id == row.id)
            .order_by(AppointmentProcedure.ordinal)
        )
    )
    return (
        row.patient_id == checked.patient_id
        and row.starts_at == checked.starts_at
        and row.provider_npi == checked.provider_npi
        and row.location == checked.location
        and row.visit_type == checked.visit_type
        and tuple(row.service_types) == checked.service_types
        and row.status == checked.status
        and (checked.external_id is None or row.external_id == checked.external_id)
        and [(p.code, p.units, p.charge) for p in procedures]
        == [(p.code, p.units, p.charge) for p in checked.procedures]
    )


async def _clash(session: AsyncSession, practice_id: str, checked: CheckedAppointment) -> Problem:
    if checked.external_id is not None:
        taken = await session.scalar(
            select(AppointmentRow.id).where(
                AppointmentRow.practice_id == practice_id,
                AppointmentRow.external_id == checked.external_id,
            )
        )
        if taken is not None:
            return EXTERNAL_TAKEN
    return ALREADY_BOOKED


def _fill(row: AppointmentRow, checked: CheckedAppointment) -> None:
    row.patient_id = checked.patient_id
    row.starts_at = checked.starts_at
    row.provider_npi = checked.provider_npi
    row.location = checked.location
    row.visit_type = checked.visit_type
    row.service_types = list(checked.service_types)
    row.status = checked.status


def _add_procedures(
    session: AsyncSession, appointment_id: str, checked: CheckedAppointment
) -> None:
    session.add_all(
        AppointmentProcedure(
            appointment_id=appointment_id,
            ordinal=index,
            code=p.code,
            units=p.units,
            charge=p.charge,
        )
        for index, p in enumerate(checked.procedures)
    )
