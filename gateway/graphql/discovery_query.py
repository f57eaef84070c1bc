"""discoverCoverage: find a patient's insurance without a card, at every payer that can search.

Refused before anything is sent when the demographics are bad (names, birth date, gender, ZIP) or
when the caller has spent the discovery budget (``discovery_per_minute`` per user or key, and three
times that per practice: each discovery calls every payer). Audited like every PHI read: the fields
shown are noted for the patient (or for no patient when asked by demographics), plus a
``coverage.discovered`` event with the number of payers asked and coverages found (never who).
"""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.discovery.search import Outcome, discover
from gateway.graphql.ids import parse_id
from gateway.graphql.mutations.patient_inputs import normalized_member_id, today
from gateway.graphql.permissions import needs
from gateway.graphql.types.common import FieldError
from gateway.graphql.types.discovery import (
    CoverageDiscovery,
    DiscoveryDemographicsInput,
    PayerDiscovery,
)
from gateway.graphql.types.patient import Patient
from gateway.graphql.validation import Problems
from gateway.identity import ELIGIBILITY_READ, PHI_READ
from gateway.storage import tables
from payers.model import Demographics

GENDERS = frozenset({"F", "M", "U"})


def _refused(errors: list[FieldError]) -> CoverageDiscovery:
    return CoverageDiscovery(patient=None, payers=[], errors=errors)


def checked(given: DiscoveryDemographicsInput, problems: Problems) -> Demographics | None:
    """The demographics to send, or None with ``problems`` saying what is wrong."""
    problems.name("firstName", given.first_name, "First name")
    problems.name("lastName", given.last_name, "Last name")
    problems.birth_date("birthDate", given.birth_date, today())
    gender = (given.gender or "").strip().upper() or None
    if gender is not None and gender not in GENDERS:
        problems.add("gender", "INVALID_GENDER", "Gender must be F, M or U.")
    postal = (given.postal_code or "").strip() or None
    problems.postal_code("postalCode", postal)
    if problems:
        return None
    return Demographics(
        " ".join(given.first_name.split()),
        " ".join(given.last_name.split()),
        given.birth_date,
        gender,
        postal.replace("-", "")[:5] if postal else None,
    )


async def _over_budget(info: Info) -> float:
    context = info.context
    limiter = context.limiter
    if limiter is None:  # a schema executed outside the app (tests of the schema alone)
        return 0.0
    per_minute = context.services.settings.discovery_per_minute
    burst = max(1, min(per_minute, 5))
    waits = [
        await limiter.take(f"discovery:actor:{context.principal.actor_id}", per_minute, burst),
        await limiter.take(f"discovery:practice:{context.practice_id}", per_minute * 3, burst * 3),
    ]
    return max(waits)


@strawberry.type
class DiscoveryQueries:
    @strawberry.field(
        description="Find the insurance of a patient (patientId: their stored demographics) or of "
        "anyone (demographics), asking every payer that can search at once. Each payer answers "
        "FOUND with graded coverages, NOT_FOUND, NOT_ANSWERING or CANNOT_SEARCH. Expensive: "
        "rate-limited per user and per practice (RATE_LIMITED in errors).",
        extensions=needs(ELIGIBILITY_READ, PHI_READ),
    )
    async def discover_coverage(
        self,
        info: Info,
        patient_id: strawberry.ID | None = None,
        demographics: DiscoveryDemographicsInput | None = None,
    ) -> CoverageDiscovery | None:
        refuse_response_cache()  # every discovery asks the payers and is audited
        practice_id = info.context.practice_id
        if (patient_id is None) == (demographics is None):
            error = "Give either patientId or demographics."
            return _refused([FieldError(code="INVALID_INPUT", field=[], message=error)])
        patient_row: tables.Patient | None = None
        on_file: set[tuple[str, str]] = set()
        if patient_id is not None:
            wanted = parse_id(patient_id, "patient", field="patientId")
            async with info.context.services.database.session() as session:
                patient_row = await session.scalar(
                    select(tables.Patient).where(
                        tables.Patient.id == wanted, tables.Patient.practice_id == practice_id
                    )
                )
                if patient_row is not None:
                    cards = await session.scalars(
                        select(tables.Coverage).where(
                            tables.Coverage.practice_id == practice_id,
                            tables.Coverage.patient_id == wanted,
                        )
                    )
                    on_file = {(c.payer_id, normalized_member_id(c.member_id)) for c in cards}
            if patient_row is None:
                missing = FieldError(
                    code="NOT_FOUND", field=["patientId"], message="No such patient."
                )
                return _refused([missing])
            demographics = _of_patient(patient_row)
        assert demographics is not None
        problems = Problems(("demographics",))
        who = checked(demographics, problems)
        if who is None:
            return _refused(problems.errors)
        wait = await _over_budget(info)
        if wait > 0:
            seconds = max(1, round(wait))
            message = f"Too many coverage searches; retry in {seconds} s."
            return _refused([FieldError(code="RATE_LIMITED", field=[], message=message)])
        audit = info.context.audit
        audit.remember_patient(info.path, patient_row.id if patient_row else None)
        searches = await discover(info.context.services.payers, practice_id, who)
        audit.event(
            "coverage.discovered",
            detail={
                "patientId": patient_row.id if patient_row else "",
                "payersAsked": str(sum(s.outcome is not Outcome.CANNOT_SEARCH for s in searches)),
                "found": str(sum(len(s.found) for s in searches)),
            },
        )
        return CoverageDiscovery(
            patient=Patient(row=patient_row) if patient_row else None,
            payers=[PayerDiscovery.of(s, on_file) for s in searches],
            errors=[],
        )


def _of_patient(row: tables.Patient) -> DiscoveryDemographicsInput:
    return DiscoveryDemographicsInput(
        first_name=row.first_name or "",
        last_name=row.last_name or "",
        birth_date=row.birth_date or date.min,
        gender=row.gender,
        postal_code=row.postal_code,
    )
