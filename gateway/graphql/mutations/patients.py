"""registerPatient and addCoverage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError, SubscriberRelationEnum
from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.patient import Patient
from gateway.graphql.validation import Problems, digits
from gateway.identity import PATIENTS_WRITE
from gateway.storage import tables
from payers.model import SubscriberRelation

MAX_COVERAGES = 3


@strawberry.input
class SubscriberInput:
    first_name: str
    last_name: str
    birth_date: date


@strawberry.input(description="An insurance card. The member ID is required: payers match on it.")
class CoverageInput:
    payer_id: str
    member_id: str
    group_number: str | None = None
    plan_name: str | None = None
    relation: SubscriberRelationEnum = SubscriberRelation.SELF
    priority: int = 1
    effective_from: date | None = None
    effective_to: date | None = None
    subscriber: SubscriberInput | None = strawberry.field(
        default=None, description="Required when the patient is not the subscriber."
    )


@strawberry.input
class AddressInput:
    line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@strawberry.input
class RegisterPatientInput:
    first_name: str
    last_name: str
    birth_date: date
    gender: str | None = None
    phone: str | None = None
    address: AddressInput | None = None
    coverages: list[CoverageInput] = strawberry.field(default_factory=list)


@strawberry.input
class AddCoverageInput:
    patient_id: strawberry.ID
    coverage: CoverageInput


@strawberry.type
class RegisterPatientPayload:
    patient: Patient | None
    errors: list[FieldError]


@strawberry.type
class AddCoveragePayload:
    coverage: Coverage | None
    errors: list[FieldError]


def _today() -> date:
    return datetime.now(UTC).date()


def _check_coverage(problems: Problems, info: Info, c: CoverageInput, taken: set[int]) -> None:
    if info.context.services.payers.get(c.payer_id) is None:
        problems.add(
            "payerId", "UNKNOWN_PAYER", f"No payer with id {c.payer_id!r}; see the payers query."
        )
    problems.member_id("memberId", c.member_id)
    problems.group_number("groupNumber", c.group_number)
    if not 1 <= c.priority <= MAX_COVERAGES:
        problems.add("priority", "INVALID_PRIORITY", "Priority must be 1 (primary), 2 or 3.")
    elif c.priority in taken:
        problems.add(
            "priority",
            "DUPLICATE_PRIORITY",
            f"The patient already has a coverage of priority {c.priority}.",
        )
    taken.add(c.priority)
    if c.effective_from and c.effective_to and c.effective_to < c.effective_from:
        problems.add("effectiveTo", "INVALID_PERIOD", "Coverage cannot end before it starts.")
    if c.relation != SubscriberRelation.SELF:
        if c.subscriber is None:
            problems.add(
                "subscriber", "REQUIRED", "Subscriber is required when the patient is a dependent."
            )
        else:
            problems.name("subscriber.firstName", c.subscriber.first_name, "Subscriber first name")
            problems.name("subscriber.lastName", c.subscriber.last_name, "Subscriber last name")
            problems.birth_date("subscriber.birthDate", c.subscriber.birth_date, _today())


def _coverage_row(practice_id: str, patient_id: str, c: CoverageInput) -> tables.Coverage:
    sub = c.subscriber if c.relation != SubscriberRelation.SELF else None
    return tables.Coverage(
        practice_id=practice_id,
        patient_id=patient_id,
        payer_id=c.payer_id,
        member_id=c.member_id.strip().upper(),
        group_number=c.group_number.strip().upper() if c.group_number else None,
        plan_name=c.plan_name,
        relation=SubscriberRelation(c.relation).value,
        priority=c.priority,
        effective_from=c.effective_from,
        effective_to=c.effective_to,
        subscriber_first_name=sub.first_name.strip() if sub else None,
        subscriber_last_name=sub.last_name.strip() if sub else None,
        subscriber_birth_date=sub.birth_date if sub else None,
    )


async def _find_patient(
    session: AsyncSession, practice_id: str, patient_id: str
) -> tables.Patient | None:
    return await session.scalar(
        select(tables.Patient).where(
            tables.Patient.id == patient_id, tables.Patient.practice_id == practice_id
        )
    )


@strawberry.type
class PatientMutations:
    @strawberry.mutation(
        description="Register a patient, optionally with insurance cards.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def register_patient(
        self, info: Info, input: RegisterPatientInput
    ) -> RegisterPatientPayload | None:
        problems = Problems()
        problems.name("firstName", input.first_name, "First name")
        problems.name("lastName", input.last_name, "Last name")
        problems.birth_date("birthDate", input.birth_date, _today())
        problems.phone("phone", input.phone)
        if input.address:
            problems.state("address.state", input.address.state)
            problems.postal_code("address.postalCode", input.address.postal_code)
        if len(input.coverages) > MAX_COVERAGES:
            problems.add("coverages", "TOO_MANY", f"At most {MAX_COVERAGES} coverages.")
        taken: set[int] = set()
        for index, coverage in enumerate(input.coverages):
            _check_coverage(
                Problems(("input", "coverages", str(index)), problems.errors), info, coverage, taken
            )
        if problems:
            return RegisterPatientPayload(patient=None, errors=problems.errors)
        practice_id = info.context.practice_id
        address = input.address or AddressInput()
        row = tables.Patient(
            practice_id=practice_id,
            first_name=input.first_name.strip(),
            last_name=input.last_name.strip(),
            birth_date=input.birth_date,
            gender=input.gender,
            phone=digits(input.phone),
            address_line1=address.line1,
            city=address.city,
            state=address.state.strip().upper() if address.state else None,
            postal_code=digits(address.postal_code),
        )
        async with info.context.services.database.transaction() as session:
            session.add(row)
            await session.flush()
            session.add_all(_coverage_row(practice_id, row.id, c) for c in input.coverages)
        return RegisterPatientPayload(patient=Patient(row=row), errors=[])

    @strawberry.mutation(
        description="Add an insurance card to a patient of your practice.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def add_coverage(self, info: Info, input: AddCoverageInput) -> AddCoveragePayload | None:
        patient_id = parse_id(input.patient_id, "patient", field="patientId")
        practice_id = info.context.practice_id
        async with info.context.services.database.transaction() as session:
            patient = await _find_patient(session, practice_id, patient_id)
            if patient is None:
                error = FieldError(
                    code="NOT_FOUND", field=["input", "patientId"], message="No such patient."
                )
                return AddCoveragePayload(coverage=None, errors=[error])
            existing = list(
                await session.scalars(
                    select(tables.Coverage).where(
                        tables.Coverage.practice_id == practice_id,
                        tables.Coverage.patient_id == patient_id,
                    )
                )
            )
            problems = Problems(("input", "coverage"))
            _check_coverage(problems, info, input.coverage, {c.priority for c in existing})
            member_id = input.coverage.member_id.strip().upper()
            if any(
                c.payer_id == input.coverage.payer_id and c.member_id == member_id for c in existing
            ):
                problems.add("memberId", "DUPLICATE_COVERAGE", "The patient already has this card.")
            if len(existing) >= MAX_COVERAGES:
                problems.add(
                    "priority", "TOO_MANY", f"A patient has at most {MAX_COVERAGES} coverages."
                )
            if problems:
                return AddCoveragePayload(coverage=None, errors=problems.errors)
            row = _coverage_row(practice_id, patient_id, input.coverage)
            session.add(row)
        return AddCoveragePayload(
            coverage=Coverage.of(row, patient, info.context.services.payers), errors=[]
        )
