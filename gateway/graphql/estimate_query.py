"""Root fields ``estimate`` (what a planned visit will cost the patient) and ``feeSchedule``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.estimates.fee_schedule import list_entries
from gateway.estimates.service import (
    EstimateRequest,
    PlannedProcedure,
    estimate_for,
    problems_of,
)
from gateway.graphql.field_errors import as_field_errors
from gateway.graphql.ids import parse_id
from gateway.graphql.permissions import needs
from gateway.graphql.types.estimates import (
    CostEstimate,
    EstimatePayload,
    EstimateProcedureInput,
    FeeScheduleEntryType,
)
from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ
from gateway.storage import tables

MAX_FEE_ENTRIES_LISTED = 500


@strawberry.type
class EstimateQueries:
    @strawberry.field(
        description="What a planned visit will cost the patient and each payer covering them on "
        "the date, primary then secondary, from each payer's live benefits (the eligibility "
        "cache's rules apply; fresh asks again) and allowed amounts. Reading the patient's "
        "benefits is audited as a PHI read.",
        extensions=needs(ELIGIBILITY_READ),
    )
    async def estimate(
        self,
        info: Info,
        patient_id: strawberry.ID,
        date: date,
        procedures: list[EstimateProcedureInput],
        provider_npi: str,
        out_of_network_payer_ids: list[str] | None = None,
        fresh: bool | None = False,
    ) -> EstimatePayload | None:
        refuse_response_cache()  # benefits move as claims adjudicate; the payer-call cache applies
        request = EstimateRequest(
            patient_id=parse_id(patient_id, "patient", "patientId"),
            day=date,
            procedures=tuple(
                PlannedProcedure(p.code, p.units, p.charge, tuple(p.modifiers or ()))
                for p in procedures
            ),
            provider_npi=provider_npi.strip(),
            out_of_network=frozenset(out_of_network_payer_ids or ()),
            fresh=bool(fresh),
        )
        problems = problems_of(request)
        payers = info.context.services.payers
        unknown = sorted(p for p in request.out_of_network if payers.get(p) is None)
        if unknown:
            problems.append(
                ("outOfNetworkPayerIds", "UNKNOWN_PAYER", "No payer with this id is configured.")
            )
        if problems:
            return EstimatePayload(estimate=None, errors=as_field_errors(problems, ()))
        practice_id = info.context.practice_id
        async with info.context.services.database.session() as session:
            patient = await session.scalar(
                select(tables.Patient).where(
                    tables.Patient.id == request.patient_id,
                    tables.Patient.practice_id == practice_id,
                )
            )
            if patient is None:
                return EstimatePayload(
                    estimate=None,
                    errors=as_field_errors([("patientId", "NOT_FOUND", "No such patient.")], ()),
                )
            found = await estimate_for(session, payers, practice_id, patient, request)
        info.context.audit.read(patient.id, "Query.estimate")
        return EstimatePayload(
            estimate=CostEstimate.of(
                found,
                payers,
                request.day,
                request.provider_npi,
                datetime.now(UTC),
                request.out_of_network,
            ),
            errors=[],
        )

    @strawberry.field(
        description="The practice's fee schedule: what each payer (or any payer) allows per unit "
        "for a code, from a date. Optionally one payer's entries or one code's.",
        extensions=needs(PATIENTS_READ),
    )
    async def fee_schedule(
        self, info: Info, payer_id: str | None = None, code: str | None = None
    ) -> list[FeeScheduleEntryType] | None:
        refuse_response_cache()
        async with info.context.services.database.session() as session:
            rows = await list_entries(
                session,
                info.context.practice_id,
                payer_id=payer_id,
                procedure_code=code.strip().upper() if code else None,
                limit=MAX_FEE_ENTRIES_LISTED,
            )
        return [FeeScheduleEntryType.of(row) for row in rows]
