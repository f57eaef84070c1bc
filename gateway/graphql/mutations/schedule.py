"""createAppointment, updateAppointment, cancelAppointment and importSchedule (patients:write).

Scheduling is front-desk registration work, so it takes the scope that registers patients and
cards (front desk, billers, practice administrators, keys given it); reading the schedule takes
patients:read. Every input is checked whole before anything is written, each problem a FieldError
with a code from gateway/schedule/edits.py. Another practice's appointment or patient is NOT_FOUND,
exactly like a missing one. Each change is audited (ids and counts, never patient data).
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.graphql.field_errors import as_field_errors, one_error
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.scalars import Money
from gateway.graphql.schedule_query import appointment_view
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.schedule import (
    AppointmentPayload,
    AppointmentStatus,
    ImportedRow,
    ImportSchedulePayload,
)
from gateway.identity import PATIENTS_WRITE
from gateway.schedule import practice_today, practice_zone
from gateway.schedule.edits import AppointmentDraft, check
from gateway.schedule.imports import ImportFormat, import_schedule
from gateway.schedule.limits import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from gateway.schedule.writes import book, patient_exists, replace
from gateway.storage.schedule_tables import Appointment as AppointmentRow

NO_APPOINTMENT = "No appointment of your practice has this id."
NO_PATIENT = "No patient of your practice has this id."


@strawberry.input(description="A procedure planned for the visit.")
class PlannedProcedureInput:
    code: str = strawberry.field(description="CPT or HCPCS code, e.g. 99213.")
    units: Decimal = Decimal(1)
    charge: Money | None = strawberry.field(
        default=None, description="The practice's charge for all units, if known."
    )


@strawberry.input(description="An appointment; its day and time are on the practice's clock.")
class AppointmentInput:
    patient_id: strawberry.ID
    date: date = strawberry.field(description="The practice's calendar day.")
    time: str = strawberry.field(
        description="Wall-clock time in the practice's time zone: 09:30, 14:05 or 2:05 PM."
    )
    provider_npi: str = strawberry.field(description="The rendering provider's NPI.")
    visit_type: str = strawberry.field(description="The practice's words: Office visit, ...")
    service_types: list[str] = strawberry.field(
        description="X12 service type codes the visit is about, e.g. 98 (office visit), 33 "
        "(chiropractic), AE (physical medicine)."
    )
    location: str | None = None
    procedures: list[PlannedProcedureInput] = strawberry.field(default_factory=list)
    status: AppointmentStatus = AppointmentStatus.BOOKED
    external_id: str | None = strawberry.field(
        default=None, description="The EHR's id of the appointment, if it has one."
    )

    def draft(self) -> AppointmentDraft:
        return AppointmentDraft(
            patient_id=str(self.patient_id),
            day=self.date,
            clock=self.time,
            provider_npi=self.provider_npi,
            visit_type=self.visit_type,
            location=self.location,
            service_types=tuple(self.service_types),
            procedures=tuple((p.code, p.units, p.charge) for p in self.procedures),
            status=AppointmentStatus(self.status).value,
            external_id=self.external_id,
        )


@strawberry.input
class UpdateAppointmentInput:
    id: strawberry.ID
    appointment: AppointmentInput = strawberry.field(
        description="The appointment as it should now be (every field; procedures replaced)."
    )


@strawberry.input
class CancelAppointmentInput:
    id: strawberry.ID


@strawberry.enum(description="The format of a schedule file.")
class ScheduleFileFormat(enum.StrEnum):
    CSV = "csv"
    FHIR_BUNDLE = "fhir"


@strawberry.input
class ImportScheduleInput:
    format: ScheduleFileFormat
    content: str = strawberry.field(
        description=f"The file's text: at most {MAX_IMPORT_BYTES} bytes and {MAX_IMPORT_ROWS} "
        "rows or entries (docs/schedule.md)."
    )


def _payload(errors: list[FieldError]) -> AppointmentPayload:
    return AppointmentPayload(appointment=None, errors=errors)


@strawberry.type
class ScheduleMutations:
    @strawberry.mutation(
        description="Book an appointment for a patient of your practice.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def create_appointment(
        self, info: Info, input: AppointmentInput
    ) -> AppointmentPayload | None:
        practice_id = info.context.practice_id
        patient_id = parse_id(input.patient_id, "patient", field="patientId")
        async with info.context.services.database.transaction() as session:
            zone = await practice_zone(session, practice_id)
            checked, problems = check(
                input.draft(), zone, await practice_today(session, practice_id)
            )
            if not await patient_exists(session, practice_id, patient_id):
                problems.insert(0, ("patientId", "PATIENT_NOT_FOUND", NO_PATIENT))
            if problems or checked is None:
                return _payload(as_field_errors(problems))
            appointment_id, problems = await book(
                session, practice_id, checked, actor_id=info.context.principal.actor_id
            )
            if problems or appointment_id is None:
                return _payload(as_field_errors(problems))
        info.context.audit.event("appointment.created", detail={"appointment": appointment_id})
        return AppointmentPayload(
            appointment=await appointment_view(info, appointment_id), errors=[]
        )

    @strawberry.mutation(
        description="Change an appointment of your practice (every field as it should now be).",
        extensions=needs(PATIENTS_WRITE),
    )
    async def update_appointment(
        self, info: Info, input: UpdateAppointmentInput
    ) -> AppointmentPayload | None:
        practice_id = info.context.practice_id
        appointment_id = parse_id(input.id, "appointment")
        patient_id = parse_id(input.appointment.patient_id, "patient", field="patientId")
        prefix = ("input", "appointment")
        async with info.context.services.database.transaction() as session:
            row = await _own_row(session, practice_id, appointment_id)
            if row is None:
                return _payload(one_error("id", "NOT_FOUND", NO_APPOINTMENT))
            zone = await practice_zone(session, practice_id)
            checked, problems = check(
                input.appointment.draft(), zone, await practice_today(session, practice_id)
            )
            if not await patient_exists(session, practice_id, patient_id):
                problems.insert(0, ("patientId", "PATIENT_NOT_FOUND", NO_PATIENT))
            if problems or checked is None:
                return _payload(as_field_errors(problems, prefix))
            problems = await replace(session, row, checked)
            if problems:
                return _payload(as_field_errors(problems, prefix))
        info.context.audit.event("appointment.updated", detail={"appointment": appointment_id})
        return AppointmentPayload(
            appointment=await appointment_view(info, appointment_id), errors=[]
        )

    @strawberry.mutation(
        description="Cancel an appointment of your practice (kept, with status CANCELLED; its "
        "slot can be booked again).",
        extensions=needs(PATIENTS_WRITE),
    )
    async def cancel_appointment(
        self, info: Info, input: CancelAppointmentInput
    ) -> AppointmentPayload | None:
        practice_id = info.context.practice_id
        appointment_id = parse_id(input.id, "appointment")
        async with info.context.services.database.transaction() as session:
            row = await _own_row(session, practice_id, appointment_id)
            if row is None:
                return _payload(one_error("id", "NOT_FOUND", NO_APPOINTMENT))
            row.status = "cancelled"
        info.context.audit.event("appointment.cancelled", detail={"appointment": appointment_id})
        return AppointmentPayload(
            appointment=await appointment_view(info, appointment_id), errors=[]
        )

    @strawberry.mutation(
        description="Import a day's schedule from the EHR: a CSV file or a FHIR R4 Bundle of "
        "Appointments (docs/schedule.md). Good rows are kept and bad ones reported with their "
        "line or entry and reason; importing the same file again changes nothing.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def import_schedule(
        self, info: Info, input: ImportScheduleInput
    ) -> ImportSchedulePayload | None:
        practice_id = info.context.practice_id
        report = await import_schedule(
            info.context.services.database,
            practice_id,
            ImportFormat(ScheduleFileFormat(input.format).value),
            input.content,
            actor_id=info.context.principal.actor_id,
        )
        rows = [
            ImportedRow(
                line=r.line,
                entry=r.entry,
                outcome=r.outcome,
                appointment_id=strawberry.ID(r.appointment_id) if r.appointment_id else None,
                errors=as_field_errors(r.problems, ()),
            )
            for r in report.rows
        ]
        info.context.audit.event(
            "schedule.imported",
            detail={
                "format": report.format,
                **{k: str(v) for k, v in report.counts().items()},
            },
        )
        return ImportSchedulePayload(
            rows=rows,
            errors=as_field_errors(report.problems, ("input",)),
            **report.counts(),
        )


async def _own_row(session, practice_id: str, appointment_id: str) -> AppointmentRow | None:  # type: ignore[no-untyped-def]
    return await session.scalar(
        select(AppointmentRow).where(
            AppointmentRow.id == appointment_id, AppointmentRow.practice_id == practice_id
        )
    )
