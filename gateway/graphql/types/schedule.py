"""Appointments as callers see them: the practice's local day and time beside the UTC instant,
codes with their descriptions, money as Money."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry

from gateway.graphql.scalars import Money
from gateway.graphql.types.common import CodeType, FieldError
from gateway.graphql.types.patient import Patient
from gateway.schedule import Appointment as AppointmentValue
from gateway.storage import tables
from payers.codesets import lookup


@strawberry.enum(description="Where an appointment stands (FHIR Appointment.status words).")
class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    NOSHOW = "noshow"
    CANCELLED = "cancelled"


def code_of(system: str, value: str) -> CodeType:
    code = lookup(system, value)
    return CodeType(system=code.system, code=code.code, description=code.description)


@strawberry.type(description="A procedure planned for an appointment.")
class PlannedProcedure:
    procedure: CodeType = strawberry.field(description="CPT or HCPCS code with its description.")
    units: Decimal
    charge: Money | None = strawberry.field(
        description="The practice's charge for all units, when it gave one."
    )


@strawberry.type(description="A visit on the practice's schedule.")
class Appointment:
    value: strawberry.Private[AppointmentValue]
    patient_row: strawberry.Private[tables.Patient | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.value.id)

    @strawberry.field(description="The patient (their name and birth date need phi:read).")
    def patient(self) -> Patient | None:
        return Patient(row=self.patient_row) if self.patient_row else None

    @strawberry.field(description="When it starts, as an instant (answered in UTC).")
    def starts_at(self) -> datetime:
        return self.value.starts_at

    @strawberry.field(description="The practice's calendar day of the start, in its time zone.")
    def local_date(self) -> date:
        return self.value.starts_at.date()

    @strawberry.field(description="The practice's wall-clock time of the start, 24-hour HH:MM.")
    def local_time(self) -> str:
        return self.value.starts_at.strftime("%H:%M")

    @strawberry.field(description="The rendering provider's NPI.")
    def provider_npi(self) -> str:
        return self.value.provider_npi

    @strawberry.field
    def location(self) -> str | None:
        return self.value.location

    @strawberry.field(description="The practice's words for the visit, e.g. Office visit.")
    def visit_type(self) -> str:
        return self.value.visit_type

    @strawberry.field(description="X12 service type codes the visit is about (for eligibility).")
    def service_types(self) -> list[CodeType]:
        return [code_of("service-type", c) for c in self.value.service_types]

    @strawberry.field
    def procedures(self) -> list[PlannedProcedure]:
        return [
            PlannedProcedure(
                procedure=code_of("procedure", p.code),
                units=p.units.quantize(Decimal(1)) if p.units == p.units.to_integral() else p.units,
                charge=Money(p.charge) if p.charge is not None else None,
            )
            for p in self.value.procedures
        ]

    @strawberry.field
    def status(self) -> AppointmentStatus:
        return AppointmentStatus(self.value.status)

    @strawberry.field(description="The EHR's id of the appointment, when it was imported.")
    def external_id(self) -> str | None:
        return self.value.external_id


@strawberry.type
class AppointmentPayload:
    appointment: Appointment | None
    errors: list[FieldError]


@strawberry.type(description="What became of one row (CSV) or entry (FHIR bundle) of an import.")
class ImportedRow:
    line: int | None = strawberry.field(description="The CSV line number (the header is line 1).")
    entry: int | None = strawberry.field(description="The bundle entry's index (from 0).")
    outcome: str = strawberry.field(
        description="created, updated, unchanged (already imported as it is) or refused."
    )
    appointment_id: strawberry.ID | None
    errors: list[FieldError] = strawberry.field(
        description="Why the row was refused: each problem with its code and the column or element."
    )


@strawberry.type
class ImportSchedulePayload:
    rows: list[ImportedRow] = strawberry.field(description="Every row or entry, in file order.")
    created: int
    updated: int
    unchanged: int
    refused: int
    errors: list[FieldError] = strawberry.field(
        description="Problems with the file as a whole (too big, unreadable): nothing was imported."
    )
