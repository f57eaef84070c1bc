"""updatePatient, updateCoverage and endCoverage: corrections run registration's own edits.

Fields left out of an input keep their stored value; ``null`` clears an optional one. An id of
another practice answers NOT_FOUND, like an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import strawberry
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from gateway.graphql.ids import parse_id
from gateway.graphql.mutations.patient_inputs import (
    DUPLICATE_PATIENT_MESSAGE,
    AddressInput,
    CoverageInput,
    Demographics,
    SubscriberInput,
    check_coverage,
    check_demographics,
    coverage_input_of,
    fill_coverage_row,
    find_patient,
    patient_cards,
    same_card,
    same_person,
    slots_in_force,
    today,
)
from gateway.graphql.mutations.patients import (
    ALLOW_DUPLICATE,
    duplicate_card_error,
    patient_row_fields,
)
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError, SubscriberRelationEnum
from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.patient import Patient
from gateway.graphql.validation import Problems
from gateway.identity import PATIENTS_WRITE
from gateway.patient_activity import note_activity
from gateway.storage import tables

UNSET: Any = strawberry.UNSET


@strawberry.input(description="What to correct; fields left out keep their value.")
class UpdatePatientInput:
    id: strawberry.ID
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    birth_date: date | None = UNSET
    gender: str | None = UNSET
    phone: str | None = UNSET
    address: AddressInput | None = UNSET
    allow_duplicate: bool = strawberry.field(default=False, description=ALLOW_DUPLICATE)


@strawberry.input(
    description="What to correct on a card; fields left out keep their value. The payer cannot "
    "change: a card at another payer is another card (end this one, add the other)."
)
class UpdateCoverageInput:
    id: strawberry.ID
    member_id: str | None = UNSET
    group_number: str | None = UNSET
    plan_name: str | None = UNSET
    relation: SubscriberRelationEnum | None = UNSET  # type: ignore[valid-type]
    priority: int | None = UNSET
    effective_from: date | None = UNSET
    effective_to: date | None = UNSET
    subscriber: SubscriberInput | None = UNSET


@strawberry.type
class UpdatePatientPayload:
    patient: Patient | None
    errors: list[FieldError]
    existing_patient: Patient | None = strawberry.field(
        default=None,
        description="With DUPLICATE_PATIENT: the other patient with this name and birth date.",
    )


@strawberry.type
class CoveragePayload:
    coverage: Coverage | None
    errors: list[FieldError]


def _given(value: Any, current: Any) -> Any:
    return current if value is UNSET else value


def _not_found(field: list[str], what: str) -> list[FieldError]:
    return [FieldError(code="NOT_FOUND", field=field, message=f"No such {what}.")]


def _demographics(row: tables.Patient, change: UpdatePatientInput) -> Demographics:
    stored_address = AddressInput(
        line1=row.address_line1, city=row.city, state=row.state, postal_code=row.postal_code
    )
    return Demographics(
        first_name=_given(change.first_name, row.first_name),
        last_name=_given(change.last_name, row.last_name),
        birth_date=_given(change.birth_date, row.birth_date),
        gender=_given(change.gender, row.gender),
        phone=_given(change.phone, row.phone),
        address=_given(change.address, stored_address),
    )


def _corrected(row: tables.Coverage, change: UpdateCoverageInput) -> CoverageInput:
    stored = coverage_input_of(row)
    values = {
        name: getattr(change, name)
        for name in (
            "member_id",
            "group_number",
            "plan_name",
            "relation",
            "priority",
            "effective_from",
            "effective_to",
            "subscriber",
        )
        if getattr(change, name) is not UNSET
    }
    return replace(stored, **values)  # type: ignore[type-var]


async def _save_card(
    info: Info,
    coverage_id: str,
    problems: Problems,
    change: Callable[[tables.Coverage], CoverageInput],
) -> CoveragePayload:
    """Load the card, apply ``change(row) -> CoverageInput``, run the card edits, store it."""
    practice_id = info.context.practice_id
    try:
        async with info.context.services.database.transaction() as session:
            row = await session.get(tables.Coverage, coverage_id)
            if row is None or row.practice_id != practice_id:
                return CoveragePayload(
                    coverage=None, errors=_not_found([*problems.prefix, "id"], "card")
                )
            patient = await find_patient(session, practice_id, row.patient_id)
            assert patient is not None  # a card's patient is in the card's practice
            card = change(row)
            cards = await patient_cards(session, practice_id, row.patient_id)
            others = [c for c in cards if c.id != row.id]
            check_coverage(problems, info, card, slots_in_force(others, today()))
            if any(same_card(c, card.payer_id, card.member_id) for c in others):
                duplicate_card_error(problems)
            if problems:
                return CoveragePayload(coverage=None, errors=problems.errors)
            fill_coverage_row(row, card)
            await note_activity(session, row.patient_id)
    except IntegrityError:  # another request gave another card these ids at the same moment
        duplicate_card_error(problems)
        return CoveragePayload(coverage=None, errors=problems.errors)
    return CoveragePayload(
        coverage=Coverage.of(row, patient, info.context.services.payers), errors=[]
    )


@strawberry.type
class PatientChangeMutations:
    @strawberry.mutation(
        description="Correct a patient's demographics. A change that makes the patient look like "
        "another one (same name and birth date) answers DUPLICATE_PATIENT unless allowDuplicate.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def update_patient(
        self, info: Info, input: UpdatePatientInput
    ) -> UpdatePatientPayload | None:
        patient_id = parse_id(input.id, "patient")
        practice_id = info.context.practice_id
        async with info.context.services.database.transaction() as session:
            row = await find_patient(session, practice_id, patient_id)
            if row is None:
                return UpdatePatientPayload(
                    patient=None, errors=_not_found(["input", "id"], "patient")
                )
            person = _demographics(row, input)
            problems = Problems()
            check_demographics(problems, person)
            if problems:
                return UpdatePatientPayload(patient=None, errors=problems.errors)
            fields = patient_row_fields(person)
            identity_changed = any(
                fields[name] != getattr(row, name)
                for name in ("first_name", "last_name", "birth_date")
            )
            if identity_changed and not input.allow_duplicate:
                existing = await same_person(
                    info, session, person, "UpdatePatientPayload.existingPatient", other_than=row.id
                )
                if existing is not None:
                    error = FieldError(
                        code="DUPLICATE_PATIENT", field=["input"], message=DUPLICATE_PATIENT_MESSAGE
                    )
                    return UpdatePatientPayload(
                        patient=None, errors=[error], existing_patient=Patient(row=existing)
                    )
            changed = sorted(name for name, value in fields.items() if getattr(row, name) != value)
            for name, value in fields.items():
                setattr(row, name, value)
            row.last_activity_at = tables.utcnow()
        if changed:
            # Which fields changed, never their values: the trail must not become a copy of the PHI.
            info.context.audit.event(
                "patient.updated", detail={"patient": row.id, "fields": ",".join(changed)}
            )
        return UpdatePatientPayload(patient=Patient(row=row), errors=[])

    @strawberry.mutation(
        description="Correct an insurance card (member ID, group, plan, priority, relation, "
        "subscriber, dates), with the same edits as addCoverage.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def update_coverage(
        self, info: Info, input: UpdateCoverageInput
    ) -> CoveragePayload | None:
        coverage_id = parse_id(input.id, "coverage")
        if input.relation is None or input.priority is None:
            problems = Problems()
            for name, value in (("relation", input.relation), ("priority", input.priority)):
                if value is None:
                    problems.add(name, "REQUIRED", f"A card's {name} cannot be removed.")
            return CoveragePayload(coverage=None, errors=problems.errors)
        return await _save_card(
            info, coverage_id, Problems(("input",)), lambda row: _corrected(row, input)
        )

    @strawberry.mutation(
        description="A card that ended: it is kept (its claims and payments stay), marked with its "
        "last day of coverage. From the day after, it is no longer asked for eligibility, claims "
        "dated after it are refused (COVERAGE_INACTIVE), and its priority is free for a new card.",
        extensions=needs(PATIENTS_WRITE),
    )
    async def end_coverage(
        self, info: Info, id: strawberry.ID, end_date: date
    ) -> CoveragePayload | None:
        coverage_id = parse_id(id, "coverage")

        def ended(row: tables.Coverage) -> CoverageInput:
            return replace(coverage_input_of(row), effective_to=end_date)  # type: ignore[type-var]

        payload = await _save_card(info, coverage_id, Problems(()), ended)
        for error in payload.errors:  # endCoverage has one input: its edits point at it
            if error.field == ["effectiveTo"]:
                error.field = ["endDate"]
        return payload
