"""submitClaim with a dependent patient and a drug line reaches the X12 sandbox payer in loops
2000C and 2410, and the payer reads them back: it adjudicates the dependent as herself.

The world here adds one Summit member: Lily, billed under Priya's family card (the card's member id
is Priya's), so the practice's card for Lily names Priya as the card holder.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gateway.storage.tables import Coverage
from payers.model import ClaimProvider, DrugIdentification, SubscriberRelation
from payers.sandbox.world import SandboxMember, World, build_world
from tests.claims.conftest import SUBMIT, as_input, new_key, office_visit
from tests.gateway.conftest import Gateway

PRIYA = "SHA300917265"
LILY_AT_SUMMIT = "SHA300917273"  # her own member record, under Priya's card


@pytest.fixture
def world(today: date) -> World:
    base = build_world(today)
    summit = base.books["summit"]
    priya = summit.members[PRIYA]
    lily = SandboxMember(
        payer_key="summit",
        person=base.people["lily"],
        member_id=LILY_AT_SUMMIT,
        group_number=priya.group_number,
        plan=priya.plan,
        relation=SubscriberRelation.CHILD,
        subscriber=priya.person,
        order=2,
        active=priya.active,
        subscriber_member_id=PRIYA,
        family=True,
        practice_member_id=PRIYA,  # the card shows the family's (card holder's) id
    )
    book = replace(
        summit,
        members={**summit.members, LILY_AT_SUMMIT: lily},
        benefits={**summit.benefits, LILY_AT_SUMMIT: summit.benefits[PRIYA]},
    )
    return replace(base, books={**base.books, "summit": book})


async def _lily_at_summit(gateway: Gateway) -> tuple[str, str]:
    patient_id = gateway.patient_ids["lily"]
    async with gateway.services.database.session() as session:
        coverage = await session.scalar(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.payer_id == "summit")
        )
    assert coverage is not None and coverage.member_id == PRIYA and coverage.relation == "child"
    return patient_id, coverage.id


def _input(world: World, today: date, patient_id: str, coverage_id: str) -> dict[str, Any]:
    from tests.claims.conftest import Billed

    draft = office_visit(world, Billed(patient_id, coverage_id, "summit", PRIYA, "lily"), today)
    values = as_input(draft)
    clinician = world.providers["dr_exampleton"]
    day = (today - timedelta(days=3)).isoformat()
    values["lines"].append(
        {
            "procedureCode": "J1100",
            "charge": "30.00",
            "serviceDate": day,
            "units": "4",
            "diagnosisPointers": [1],
            "drug": {"ndc": "00641-0367-21", "quantity": "4", "unit": "ml"},
            "orderingProvider": {"npi": clinician.npi, "lastName": "EXAMPLETON"},
        }
    )
    values["totalCharge"] = "217.00"
    values["referringProvider"] = {
        "npi": clinician.npi,
        "lastName": "EXAMPLETON",
        "firstName": "AVA",
    }
    values["priorAuthorization"] = "AUTH-5521"
    values["medicalRecordNumber"] = "MRN-0042"
    return values


async def test_dependent_claim_with_a_drug_line_reaches_the_x12_payer(
    claims_gateway: Gateway, world: World, today: date
) -> None:
    gateway = claims_gateway
    patient_id, coverage_id = await _lily_at_summit(gateway)
    body = await gateway.query(
        SUBMIT, {"input": _input(world, today, patient_id, coverage_id), "key": new_key()}
    )
    assert "errors" not in body, body.get("errors")
    submitted = body["data"]["submitClaim"]
    assert submitted["errors"] == [], submitted["errors"]
    assert await gateway.services.claims.dispatcher.run_once() == 1  # type: ignore[union-attr]

    intake = gateway.sandbox_apps["summit"].state.intake
    (claim,) = [
        c for c in intake.received() if c.control_number == submitted["claim"]["controlNumber"]
    ]
    assert claim.member_id == LILY_AT_SUMMIT  # adjudicated as Lily, not as Priya
    assert claim.total_charge == Decimal("217.00")
    assert [line.procedure.code for line in claim.lines] == ["99213", "83036", "J1100"]
    assert claim.lines[2].drug == DrugIdentification("00641036721", Decimal("4"), "ML")
    clinician = world.providers["dr_exampleton"]
    assert claim.lines[2].ordering_provider == ClaimProvider(clinician.npi, "EXAMPLETON")

    history = await gateway.query(
        """query($id: ID!) { claim(id: $id) { state payerClaimId
             statusHistory { source rawExchange { request } } } }""",
        {"id": submitted["claim"]["id"]},
    )
    found = history["data"]["claim"]
    assert found["state"] == "ACKNOWLEDGED" and found["payerClaimId"] == claim.payer_claim_id
    request = found["statusHistory"][1]["rawExchange"]["request"]
    segments = [s.strip() for s in request.split("~")]
    patient = segments.index("HL*3*2*23*0")
    assert segments[patient + 1 : patient + 3] == ["PAT*19", "NM1*QC*1*Sample*Lily"]
    assert segments[patient - 4 : patient - 2] == [
        f"SBR*P**{found_group(segments)}******CI",  # SBR02 blank: the patient is not the card holder
        f"NM1*IL*1*Placeholder*Priya****MI*{PRIYA}",
    ]
    drug = segments.index("LIN**N4*00641036721")
    assert segments[drug + 1 : drug + 3] == [
        "CTP****4*ML",
        f"NM1*DK*1*EXAMPLETON*****XX*{clinician.npi}",
    ]
    for segment in (
        f"NM1*DN*1*EXAMPLETON*AVA****XX*{clinician.npi}",
        "REF*G1*AUTH-5521",
        "REF*EA*MRN-0042",
    ):
        assert segment in segments, segment


def found_group(segments: list[str]) -> str:
    (sbr,) = [s for s in segments if s.startswith("SBR*P*")]
    return sbr.split("*")[3]


async def test_drug_and_provider_input_is_checked_field_by_field(
    claims_gateway: Gateway, world: World, today: date
) -> None:
    gateway = claims_gateway
    patient_id, coverage_id = await _lily_at_summit(gateway)
    values = _input(world, today, patient_id, coverage_id)
    values["lines"][2]["drug"] = {"ndc": "0641-0367-21", "quantity": "0", "unit": "CC"}
    values["referringProvider"]["npi"] = "1234567890"  # Luhn check digit fails
    body = await gateway.query(SUBMIT, {"input": values, "key": new_key()})
    errors = body["data"]["submitClaim"]["errors"]
    assert body["data"]["submitClaim"]["claim"] is None
    assert {(e["code"], ".".join(e["field"][1:])) for e in errors} == {
        ("NDC_FORMAT", "lines.2.drug.ndc"),
        ("DRUG_QUANTITY_NOT_POSITIVE", "lines.2.drug.quantity"),
        ("DRUG_UNIT_INVALID", "lines.2.drug.unit"),
        ("NPI_CHECK_DIGIT", "referringProvider.npi"),
    }
