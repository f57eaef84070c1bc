"""Professional Claim building and ClaimResponse reading."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from payers.fhir.claims import (
    CONTROL_NUMBER_SYSTEM,
    build_claim,
    read_claim_response,
    response_status,
)
from payers.fhir.intake import read_claim
from payers.fhir.resources import dump_json, load_json, parse_resource
from payers.model import ClaimLine, ClaimState, ClaimSubmission, Code, MemberQuery

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
D = Decimal

SUBMISSION = ClaimSubmission(
    member=MemberQuery("W123456789", "Ana", "Ruiz", date(1980, 5, 2)),
    billing_provider_npi="1234567893",
    billing_provider_tax_id="123456789",
    billing_provider_name="Riverside Family Medicine",
    rendering_provider_npi="1679576722",
    place_of_service="11",
    frequency_code="1",
    diagnoses=("E119", "I10"),
    lines=(
        ClaimLine(
            1, Code("procedure", "99214", ""), D("145.00"), D(1), ("25",), (1, 2), date(2024, 3, 1)
        ),
        ClaimLine(2, Code("procedure", "G0008", ""), D("30.10"), D(1), (), (1,), date(2024, 3, 1)),
        ClaimLine(3, Code("procedure", "90686", ""), D("49.80"), D(2), (), (1,), date(2024, 3, 1)),
    ),
    total_charge=D("224.90"),
)


def test_built_claim_is_valid_r4_and_reads_back() -> None:
    resource = build_claim(
        SUBMISSION, "CN-0001", insurer={"display": "Acme"}, created=date(2024, 3, 2)
    )
    assert resource["identifier"] == [{"system": CONTROL_NUMBER_SYSTEM, "value": "CN-0001"}]
    assert resource["item"][1]["productOrService"]["coding"][0]["system"].endswith(
        "HCPCSReleaseCodeSets"
    )
    assert b'"total":{"value":224.90' in dump_json(resource)
    claim = read_claim(parse_resource(load_json(dump_json(resource))), "acme")
    assert claim.control_number == "CN-0001" and claim.member_id == "W123456789"
    assert claim.total_charge == D("224.90")
    assert [d.code for d in claim.diagnoses] == ["E11.9", "I10"]
    assert [
        (x.procedure.code, x.charge, x.units, x.modifiers, x.diagnosis_pointers)
        for x in claim.lines
    ] == [
        ("99214", D("145.00"), D(1), ("25",), (1, 2)),
        ("G0008", D("30.10"), D(1), (), (1,)),
        ("90686", D("49.80"), D(2), (), (1,)),
    ]
    assert claim.billing_provider_npi == "1234567893"
    assert claim.rendering_provider_npi == "1679576722"
    assert claim.place_of_service is not None and claim.place_of_service.code == "11"


def test_corpus_professional_claim_is_read() -> None:
    claim = read_claim(
        parse_resource((FIXTURES / "r4_claim_professional.json").read_bytes()), "payer"
    )
    assert claim.claim_type == "professional" and claim.member_id == "Patient/1"
    assert [(x.procedure.code, x.charge) for x in claim.lines] == [("exam", D("75.0"))]
    assert claim.total_charge == D("75.0") and claim.service_date_from == date(2014, 8, 16)
    assert [d.code for d in claim.diagnoses] == ["654456"]


def test_corpus_claim_response_complete() -> None:
    parsed = parse_resource((FIXTURES / "r4_claimresponse_example.json").read_bytes())
    status = response_status(parsed)
    assert status.category.code == "F1" and status.state is ClaimState.FINALIZED
    assert status.paid_amount == D("100.47") and status.total_charge == D("135.57")
    assert status.effective_date == date(2014, 8, 31) and status.payer_claim_id == "R3500"
    ack = read_claim_response(parsed, "CN-9")
    assert ack.accepted and ack.payer_claim_id == "R3500" and ack.control_number == "CN-9"
    assert ack.reasons == () and not ack.duplicate


def test_error_and_queued_responses() -> None:
    data = json.loads((FIXTURES / "r4_claimresponse_example.json").read_bytes())
    data.pop("payment")
    data.update(
        outcome="error",
        error=[
            {
                "code": {
                    "coding": [
                        {
                            "system": "https://x12.org/codes/claim-adjustment-reason-codes",
                            "code": "18",
                        }
                    ]
                }
            }
        ],
    )
    ack = read_claim_response(parse_resource(data), "CN-9")
    assert not ack.accepted and ack.duplicate and ack.payer_claim_id is None
    assert ack.status is not None and ack.status.state is ClaimState.REJECTED
    assert [r.code for r in ack.reasons] == ["18"] and ack.reasons[0].system == "carc"
    data.update(outcome="queued", error=None)
    queued = read_claim_response(parse_resource(data), "CN-9")
    assert queued.accepted and queued.status is not None
    assert queued.status.category.code == "A1" and queued.status.state is ClaimState.ACKNOWLEDGED
