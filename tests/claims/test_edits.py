"""Front-end edits: every code is reachable, and all problems come back at once, field by field."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from gateway.claims.coverage_edits import check_payer_rules
from gateway.claims.desk import build_submission
from gateway.claims.draft import ClaimDraft, DraftDrug, DraftLine
from gateway.claims.edits import EDIT_CODES
from gateway.graphql.validation import Problems
from gateway.payers import ConfiguredPayer
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.tables import Coverage
from payers.contract import ClaimEdit
from payers.model import ClaimSubmission
from payers.rest.adapter import RestPayerAdapter
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway


def _line(draft: ClaimDraft, index: int = 0, **changes: Any) -> tuple[DraftLine, ...]:
    lines = list(draft.lines)
    lines[index] = dataclasses.replace(lines[index], **changes)
    return tuple(lines)


def _cases(base: ClaimDraft, today: Any) -> list[tuple[str, dict[str, Any], str, str]]:
    """(case, changes to the valid claim, expected code, expected path)."""
    old = today - timedelta(days=400)
    one = base.lines[0]
    return [
        ("no npi", {"billing_provider_npi": " "}, "REQUIRED", "billingProvider.npi"),
        (
            "npi 9 digits",
            {"billing_provider_npi": "158866763"},
            "NPI_FORMAT",
            "billingProvider.npi",
        ),
        (
            "npi typo",
            {"rendering_provider_npi": "1234567890"},
            "NPI_CHECK_DIGIT",
            "renderingProviderNpi",
        ),
        (
            "tax id",
            {"billing_provider_tax_id": "84-73012"},
            "TAX_ID_FORMAT",
            "billingProvider.taxId",
        ),
        ("name", {"billing_provider_name": "E" * 61}, "NAME_TOO_LONG", "billingProvider.name"),
        ("pos", {"place_of_service": "98"}, "PLACE_OF_SERVICE_INVALID", "placeOfService"),
        ("frequency", {"frequency_code": "5"}, "FREQUENCY_CODE_INVALID", "frequencyCode"),
        ("replacement", {"frequency_code": "7"}, "ORIGINAL_CLAIM_REQUIRED", "originalPayerClaimId"),
        (
            "original",
            {"original_payer_claim_id": "LHP2025001"},
            "ORIGINAL_CLAIM_UNEXPECTED",
            "originalPayerClaimId",
        ),
        (
            "pcn",
            {"patient_control_number": "ACCT-2093100000000000"},
            "PATIENT_CONTROL_NUMBER_TOO_LONG",
            "patientControlNumber",
        ),
        (
            "no dx",
            {"diagnoses": (), "lines": _line(base, 0, diagnosis_pointers=(1,))[:1]},
            "DIAGNOSES_REQUIRED",
            "diagnoses",
        ),
        (
            "13 dx",
            {"diagnoses": tuple(f"M54.{n}" for n in range(13))},
            "TOO_MANY_DIAGNOSES",
            "diagnoses",
        ),
        ("dx shape", {"diagnoses": ("E11.9", "250.00")}, "DIAGNOSIS_FORMAT", "diagnoses.1"),
        ("dx twice", {"diagnoses": ("E11.9", "E119")}, "DIAGNOSIS_DUPLICATE", "diagnoses.1"),
        ("no lines", {"lines": (), "total_charge": Decimal("187.00")}, "LINES_REQUIRED", "lines"),
        ("51 lines", {"lines": (one,) * 51}, "TOO_MANY_LINES", "lines"),
        (
            "cpt shape",
            {"lines": _line(base, 0, procedure_code="9921")},
            "PROCEDURE_FORMAT",
            "lines.0.procedureCode",
        ),
        (
            "modifier",
            {"lines": _line(base, 0, modifiers=("2",))},
            "MODIFIER_FORMAT",
            "lines.0.modifiers.0",
        ),
        (
            "5 modifiers",
            {"lines": _line(base, 0, modifiers=("25", "59", "GT", "95", "XU"))},
            "TOO_MANY_MODIFIERS",
            "lines.0.modifiers",
        ),
        (
            "modifier twice",
            {"lines": _line(base, 0, modifiers=("25", "25"))},
            "MODIFIER_DUPLICATE",
            "lines.0.modifiers",
        ),
        (
            "no pointer",
            {"lines": _line(base, 1, diagnosis_pointers=())},
            "DIAGNOSIS_POINTER_REQUIRED",
            "lines.1.diagnosisPointers",
        ),
        (
            "pointer 3",
            {"lines": _line(base, 1, diagnosis_pointers=(3,))},
            "DIAGNOSIS_POINTER_INVALID",
            "lines.1.diagnosisPointers.0",
        ),
        (
            "5 pointers",
            {
                "diagnoses": ("E11.9", "Z79.84", "I10", "E78.5", "Z68.30"),
                "lines": _line(base, 0, diagnosis_pointers=(1, 2, 3, 4, 5)),
            },
            "TOO_MANY_POINTERS",
            "lines.0.diagnosisPointers",
        ),
        (
            "pointer twice",
            {"lines": _line(base, 0, diagnosis_pointers=(1, 1))},
            "DIAGNOSIS_POINTER_DUPLICATE",
            "lines.0.diagnosisPointers",
        ),
        (
            "units",
            {"lines": _line(base, 0, units=Decimal(0))},
            "UNITS_NOT_POSITIVE",
            "lines.0.units",
        ),
        (
            "charge",
            {"lines": _line(base, 0, charge=Decimal("-145.00"))},
            "CHARGE_NOT_POSITIVE",
            "lines.0.charge",
        ),
        ("cents", {"total_charge": Decimal("187.001")}, "CHARGE_PRECISION", "totalCharge"),
        ("total", {"total_charge": Decimal("178.00")}, "TOTAL_MISMATCH", "totalCharge"),
        (
            "future",
            {"lines": _line(base, 0, service_date=today + timedelta(days=1))},
            "SERVICE_DATE_IN_FUTURE",
            "lines.0.serviceDate",
        ),
        (
            "lcn twice",
            {"lines": _line(base, 1, line_control_number="L1")},
            "LINE_CONTROL_NUMBER_DUPLICATE",
            "lines.1.lineControlNumber",
        ),
        (
            "lcn long",
            {"lines": _line(base, 1, line_control_number="L" * 31)},
            "LINE_CONTROL_NUMBER_TOO_LONG",
            "lines.1.lineControlNumber",
        ),
        (
            "patient",
            {"patient_id": "00000000-0000-4000-8000-000000000000"},
            "PATIENT_NOT_FOUND",
            "patientId",
        ),
        (
            "coverage",
            {"coverage_id": "00000000-0000-4000-8000-000000000000"},
            "COVERAGE_NOT_FOUND",
            "coverageId",
        ),
        (
            "old",
            {"lines": _line(base, 0, service_date=old)},
            "TIMELY_FILING_EXPIRED",
            "lines.0.serviceDate",
        ),
        (
            "before birth",
            {"lines": _line(base, 0, service_date=today - timedelta(days=365 * 150))},
            "SERVICE_DATE_BEFORE_BIRTH",
            "lines.0.serviceDate",
        ),
        (
            "ndc 10 digits",
            {"lines": _line(base, 0, drug=DraftDrug("0026-0635-12", Decimal(10), "ML"))},
            "NDC_FORMAT",
            "lines.0.drug.ndc",
        ),
        (
            "drug quantity",
            {"lines": _line(base, 0, drug=DraftDrug("00026-0635-12", Decimal(0), "ML"))},
            "DRUG_QUANTITY_NOT_POSITIVE",
            "lines.0.drug.quantity",
        ),
        (
            "drug unit",
            {"lines": _line(base, 0, drug=DraftDrug("00026063512", Decimal(10), "CC"))},
            "DRUG_UNIT_INVALID",
            "lines.0.drug.unit",
        ),
        (
            "prior auth",
            {"prior_authorization": "P" * 51},
            "REFERENCE_TOO_LONG",
            "priorAuthorization",
        ),
    ]


def _codes(errors: Sequence[Any]) -> set[tuple[str, str]]:
    return {(e.code, ".".join(e.field[1:])) for e in errors}


async def test_each_edit_reports_its_code_at_its_field(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    desk = gateway.services.claims.desk  # type: ignore[union-attr]
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    base = office_visit(world, who, today)
    assert (await desk.submit(gateway.practice_id, new_key(), base)).errors == []
    for case, changes, code, path in _cases(base, today):
        result = await desk.submit(
            gateway.practice_id, new_key(), dataclasses.replace(base, **changes)
        )
        assert result.claim is None, case
        assert (code, path) in _codes(result.errors), (case, _codes(result.errors))
        assert all(e.message and not e.message.startswith(" ") for e in result.errors)


async def test_coverage_edits(claims_gateway: Gateway, world: Any, today: Any) -> None:
    gateway = claims_gateway
    database, desk = gateway.services.database, gateway.services.claims.desk  # type: ignore[union-attr]
    who = await billed(database, gateway.patient_ids, world, "lakeshore")
    other = await billed(database, gateway.patient_ids, world, "cascade")
    ended = await billed(database, gateway.patient_ids, world, "lakeshore", active=False)

    def codes(result: Any) -> set[tuple[str, str]]:
        return _codes(result.errors)

    mismatch = await desk.submit(
        gateway.practice_id,
        new_key(),
        office_visit(world, who, today, coverage_id=other.coverage_id),
    )
    assert ("COVERAGE_PATIENT_MISMATCH", "coverageId") in codes(mismatch)
    inactive = await desk.submit(gateway.practice_id, new_key(), office_visit(world, ended, today))
    assert ("COVERAGE_INACTIVE", "lines.0.serviceDate") in codes(inactive)
    # the card shows no end date, but the payer's eligibility answer says inactive on that day
    async with database.transaction() as session:
        await session.execute(
            update(Coverage).where(Coverage.id == ended.coverage_id).values(effective_to=None)
        )
    by_payer = await desk.submit(gateway.practice_id, new_key(), office_visit(world, ended, today))
    assert any("not active" in e.message for e in by_payer.errors if e.code == "COVERAGE_INACTIVE")
    async with database.transaction() as session:
        await session.execute(
            update(Coverage)
            .where(Coverage.id == who.coverage_id)
            .values(effective_from=today - timedelta(days=1), member_id=" ", payer_id="bluecrest")
        )
    early = await desk.submit(gateway.practice_id, new_key(), office_visit(world, who, today))
    assert {
        ("SERVICE_DATE_BEFORE_COVERAGE", "lines.0.serviceDate"),
        ("MEMBER_ID_MISSING", "coverageId"),
        ("PAYER_NOT_CONFIGURED", "coverageId"),
    } <= codes(early)


async def test_a_payer_without_submission_is_refused(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    payer = gateway.services.payers.get("lakeshore")
    assert payer is not None
    reader = type("ReadOnlyRest", (RestPayerAdapter,), {"capabilities": frozenset()})
    gateway.services.payers._payers["lakeshore"] = ConfiguredPayer(
        payer.settings, reader(payer.settings, None)
    )
    result = await gateway.services.claims.desk.submit(  # type: ignore[union-attr]
        gateway.practice_id, new_key(), office_visit(world, who, today)
    )
    assert ("PAYER_NO_SUBMISSION", "coverageId") in _codes(result.errors)


class StrictRest(RestPayerAdapter):
    """A payer that wants the rendering provider on every claim and no more than 2 lines."""

    def claim_edits(self, claim: ClaimSubmission) -> list[ClaimEdit]:
        edits = []
        if claim.rendering_provider_npi is None:
            edits.append(
                ClaimEdit(
                    "LAKESHORE_RENDERING_REQUIRED",
                    ("renderingProviderNpi",),
                    "Lakeshore needs the rendering provider's NPI.",
                )
            )
        if len(claim.lines) > 2:
            edits.append(
                ClaimEdit("LAKESHORE_MAX_LINES", ("lines",), "Lakeshore takes at most 2 lines.")
            )
        return edits


async def test_payer_rules_declared_by_the_adapter(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    payer = gateway.services.payers.get("lakeshore")
    assert payer is not None
    strict = ConfiguredPayer(payer.settings, StrictRest(payer.settings, None))  # type: ignore[arg-type]
    from gateway.claims.coverage_edits import ClaimParties
    from gateway.storage.tables import Patient

    async with gateway.services.database.session() as session:
        parties = ClaimParties(
            await session.get(Patient, who.patient_id),
            await session.get(Coverage, who.coverage_id),
            strict,
        )
    base = office_visit(world, who, today)
    draft = dataclasses.replace(
        base,
        rendering_provider_npi=None,
        lines=(*base.lines, base.lines[1]),
        total_charge=Decimal("229.00"),
    )
    problems = Problems()
    check_payer_rules(problems, strict, build_submission(draft, parties))
    assert _codes(problems.errors) == {
        ("LAKESHORE_RENDERING_REQUIRED", "renderingProviderNpi"),
        ("LAKESHORE_MAX_LINES", "lines"),
    }


async def test_every_problem_comes_back_at_once_through_graphql(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, "lakeshore")
    base = office_visit(world, who, today)
    bad = dataclasses.replace(
        base,
        billing_provider_npi="1588667630",
        place_of_service="",
        diagnoses=("E11.9", "E11.9"),
        lines=_line(
            base, 0, procedure_code="99213X", modifiers=("25", "GTX"), diagnosis_pointers=(4,)
        ),
        total_charge=Decimal("100.00"),
    )
    result = await gateway.query(SUBMIT, {"input": as_input(bad), "key": new_key()})
    payload = result["data"]["submitClaim"]
    assert payload["claim"] is None
    got = {(e["code"], ".".join(e["field"])) for e in payload["errors"]}
    assert got == {
        ("NPI_CHECK_DIGIT", "input.billingProvider.npi"),
        ("REQUIRED", "input.placeOfService"),
        ("DIAGNOSIS_DUPLICATE", "input.diagnoses.1"),
        ("PROCEDURE_FORMAT", "input.lines.0.procedureCode"),
        ("MODIFIER_FORMAT", "input.lines.0.modifiers.1"),
        ("DIAGNOSIS_POINTER_INVALID", "input.lines.0.diagnosisPointers.0"),
        ("TOTAL_MISMATCH", "input.totalCharge"),
    }
    async with gateway.services.database.session() as session:
        assert (await session.scalars(__import__("sqlalchemy").select(SubmittedClaim))).all() == []


ELSEWHERE = {
    "COVERAGE_PATIENT_MISMATCH",
    "COVERAGE_INACTIVE",
    "SERVICE_DATE_BEFORE_COVERAGE",
    "MEMBER_ID_MISSING",
    "PAYER_NOT_CONFIGURED",
    "PAYER_NO_SUBMISSION",
}


def test_every_documented_code_has_a_test(world: Any, today: Any) -> None:
    from tests.claims.conftest import Billed

    base = office_visit(world, Billed("p", "c", "lakeshore", "m", "x"), today)
    assert len(EDIT_CODES) >= 30
    assert {code for _, _, code, _ in _cases(base, today)} | ELSEWHERE == set(EDIT_CODES)
