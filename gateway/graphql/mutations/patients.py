"""registerPatient and addCoverage."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from gateway.graphql.ids import parse_id
from gateway.graphql.mutations.patient_inputs import (
    DUPLICATE_PATIENT_MESSAGE,
    MAX_COVERAGES,
    AddressInput,
    CardSlot,
    CoverageInput,
    Demographics,
    check_coverage,
    check_demographics,
    fill_coverage_row,
    find_patient,
    patient_cards,
    same_card,
    same_person,
    slots_in_force,
    today,
)
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.patient import Patient
from gateway.graphql.validation import Problems, digits
from gateway.identity import PATIENTS_WRITE
from gateway.patient_activity import note_activity
from gateway.storage import tables

ALLOW_DUPLICATE = (
    "Register even if a patient with the same name and birth date exists (another person)."
)


@strawberry.input
class RegisterPatientInput:
    first_name: str
    last_name: str
    birth_date: date
    gender: str | None = None
    phone: str | None = None
    address: AddressInput | None = None
    coverages: list[CoverageInput] = strawberry.field(default_factory=list)
    allow_duplicate: bool = strawberry.field(default=False, description=ALLOW_DUPLICATE)

    def demographics(self) -> Demographics:
        return Demographics(
            self.first_name, self.last_name, self.birth_date, self.gender, self.phone, self.address
        )


@strawberry.input
class AddCoverageInput:
    patient_id: strawberry.ID
    coverage: CoverageInput


@strawberry.type
class RegisterPatientPayload:
    patient: Patient | None
    errors: list[FieldError]
    existing_patient: Patient | None = strawberry.field(
        default=None,
        description="With DUPLICATE_PATIENT: the patient already registered with this name and "
        "birth date, to open instead. Checked only for callers holding phi:read.",
    )


@strawberry.type
class AddCoveragePayload:
    coverage: Coverage | None
    errors: list[FieldError]


def patient_row_fields(person: Demographics) -> dict[str, object]:
    """The stored form of a patient's demographics (trimmed names, digits, upper-case state)."""
    address = person.address or AddressInput()
    return {
        "first_name": person.first_name.strip(),
        "last_name": person.last_name.strip(),
        "birth_date": person.birth_date,
        "gender": person.gender,
        "phone": digits(person.phone),
        "address_line1": address.line1,
        "city": address.city,
        "state": address.state.strip().upper() if address.state else None,
        "postal_code": digits(address.postal_code),
    }


def duplicate_card_error(problems: Problems) -> None:
    problems.add("memberId", "DUPLICATE_COVERAGE", "The patient already has this card.")


@strawberry.type
class PatientMutations:
    @strawberry.mutation(
        description="Register a patient, optionally with insurance cards. A patient with the same "
        "name and birth date in your practice is answered with DUPLICATE_PATIENT and the existing "
        "patient, unless allowDuplicate is set.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def register_patient(
        self, info: Info, input: RegisterPatientInput
    ) -> RegisterPatientPayload | None:
        problems = Problems()
        person = input.demographics()
        check_demographics(problems, person)
        if len(input.coverages) > MAX_COVERAGES:
            problems.add("coverages", "TOO_MANY", f"At most {MAX_COVERAGES} coverages.")
        taken: list[CardSlot] = []
        for index, coverage in enumerate(input.coverages):
            at = Problems(("input", "coverages", str(index)), problems.errors)
            check_coverage(at, info, coverage, taken)
            if any(same_card_input(c, coverage) for c in input.coverages[:index]):
                duplicate_card_error(at)
        if problems:
            return RegisterPatientPayload(patient=None, errors=problems.errors)
        practice_id = info.context.practice_id
        row = tables.Patient(practice_id=practice_id, **patient_row_fields(person))
        async with info.context.services.database.transaction() as session:
            if not input.allow_duplicate:
                existing = await same_person(
                    info, session, person, "RegisterPatientPayload.existingPatient"
                )
                if existing is not None:
                    error = FieldError(
                        code="DUPLICATE_PATIENT", field=["input"], message=DUPLICATE_PATIENT_MESSAGE
                    )
                    return RegisterPatientPayload(
                        patient=None, errors=[error], existing_patient=Patient(row=existing)
                    )
            session.add(row)
            await session.flush()
            session.add_all(
                fill_coverage_row(
                    tables.Coverage(practice_id=practice_id, patient_id=row.id), coverage
                )
                for coverage in input.coverages
            )
        return RegisterPatientPayload(patient=Patient(row=row), errors=[])

    @strawberry.mutation(
        description="Add an insurance card to a patient of your practice.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def add_coverage(self, info: Info, input: AddCoverageInput) -> AddCoveragePayload | None:
        return await add_card(info, input)


async def add_card(info: Info, input: AddCoverageInput) -> AddCoveragePayload:
    """Add one card to a patient after its edits (also used by addDiscoveredCoverage)."""
    patient_id = parse_id(input.patient_id, "patient", field="patientId")
    practice_id = info.context.practice_id
    problems = Problems(("input", "coverage"))
    try:
        async with info.context.services.database.transaction() as session:
            patient = await find_patient(session, practice_id, patient_id)
            if patient is None:
                error = FieldError(
                    code="NOT_FOUND", field=["input", "patientId"], message="No such patient."
                )
                return AddCoveragePayload(coverage=None, errors=[error])
            existing = await patient_cards(session, practice_id, patient_id)
            in_force = slots_in_force(existing, today())
            check_coverage(problems, info, input.coverage, list(in_force))
            card = input.coverage
            if any(same_card(c, card.payer_id, card.member_id) for c in existing):
                duplicate_card_error(problems)
            if len(in_force) >= MAX_COVERAGES:
                problems.add(
                    "priority",
                    "TOO_MANY",
                    f"A patient has at most {MAX_COVERAGES} cards in force: end one first.",
                )
            if problems:
                return AddCoveragePayload(coverage=None, errors=problems.errors)
            row = fill_coverage_row(
                tables.Coverage(practice_id=practice_id, patient_id=patient_id), card
            )
            session.add(row)
            await note_activity(session, patient_id)
    except IntegrityError:  # the same card added at the same moment by another request
        duplicate_card_error(problems)
        return AddCoveragePayload(coverage=None, errors=problems.errors)
    return AddCoveragePayload(
        coverage=Coverage.of(row, patient, info.context.services.payers), errors=[]
    )


def same_card_input(a: CoverageInput, b: CoverageInput) -> bool:
    return a.payer_id == b.payer_id and a.member_id.strip().upper() == b.member_id.strip().upper()
