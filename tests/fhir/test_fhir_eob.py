"""CARIN Blue Button and Blue Button 2.0 EOBs from the corpus -> Claim and Payment."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from payers.fhir.eob import eob_to_claim
from payers.fhir.remittance import eob_to_claim_payment, eobs_to_payments
from payers.fhir.resources import ParsedResource, parse_bundle, parse_resource
from payers.model import ClaimState

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
D = Decimal


def eob(name: str) -> ParsedResource[Any]:
    return parse_resource((FIXTURES / name).read_bytes(), ("ExplanationOfBenefit",))


def adjustments(line: Any) -> list[tuple[str, str, Decimal]]:
    return [(a.group.code, a.reason.code, a.amount) for a in line.adjustments]


def test_carin_professional_claim() -> None:
    claim = eob_to_claim(eob("carinbb_eob_professional_example1.json"), "upmc", "88800933501")
    assert claim.payer_claim_id == "ProfessionalEOBExample1"
    assert claim.claim_type == "professional"
    assert claim.member_id == "88800933501"
    assert claim.status.category.code == "F1" and claim.status.state is ClaimState.FINALIZED
    assert claim.total_charge == D("820.0") and claim.paid_amount == D("258.91")
    assert claim.patient_responsibility == D("0.0")
    assert claim.service_date_from == claim.service_date_to == date(2020, 8, 4)
    assert [d.code for d in claim.diagnoses] == ["I70.249", "L97.929"]
    assert claim.place_of_service is not None and claim.place_of_service.code == "21"
    assert [(x.procedure.code, x.charge) for x in claim.lines] == [
        ("75710", D("68.8")),
        ("75710", D("-68.8")),
        ("75710", D("68.8")),
        ("37228", D("751.2")),
        ("37228", D("751.2")),
        ("37228", D("-751.2")),
    ]
    assert claim.lines[3].allowed_amount == D("224.11") and claim.lines[3].paid_amount == D("0.0")
    assert (
        claim.billing_provider_npi is None
    )  # Organization/ProviderOrganization1 is not resolvable


def test_carin_professional_payment_adjustments() -> None:
    paid = eob_to_claim_payment(eob("carinbb_eob_professional_example1.json"))
    assert len(paid.lines) == 6
    assert adjustments(paid.lines[0]) == [("CO", "45", D("34.0"))]
    assert adjustments(paid.lines[1]) == [("CO", "45", D("-34.0"))]  # reversal line
    assert adjustments(paid.lines[3]) == [("CO", "96", D("224.11")), ("CO", "45", D("527.09"))]
    assert paid.lines[3].adjustments[0].reason.description.startswith("Non-covered charge")
    assert paid.lines[3].charge == paid.lines[3].paid + sum(
        a.amount for a in paid.lines[3].adjustments
    )


def test_carin_inpatient_claim() -> None:
    parsed = eob("carinbb_eob_inpatient_example1.json")
    claim = eob_to_claim(parsed, "upmc")
    assert claim.claim_type == "institutional" and claim.member_id == "ExamplePatient1"
    assert len(claim.lines) == 13 and len(claim.diagnoses) == 4
    assert claim.total_charge == D("7147.2") and claim.paid_amount == D("1393.57")
    assert claim.lines[7].charge == D("1258.0") and claim.lines[7].allowed_amount == D("1542.01")
    paid = eob_to_claim_payment(parsed)
    # eligible above submitted: no CO 45, only the copay
    assert adjustments(paid.lines[7]) == [("PR", "3", D("120.0"))]
    assert adjustments(paid.lines[0]) == [("CO", "45", D("386.5"))]


def test_carin_outpatient_claim() -> None:
    claim = eob_to_claim(eob("carinbb_eob_outpatient_example1.json"), "upmc")
    assert claim.total_charge == D("84.4") and claim.paid_amount == D("56.52")
    assert [x.charge for x in claim.lines] == [D("84.4"), D("0.0")]
    assert claim.place_of_service is not None and claim.place_of_service.code == "12"
    assert [d.code for d in claim.diagnoses] == ["I95.1", "I95.1", "L97.529", "I73.9"]


def test_carin_pharmacy_claim_and_no_payment_amount() -> None:
    parsed = eob("carinbb_eob_pharmacy_example1.json")
    claim = eob_to_claim(parsed, "payer")
    assert claim.claim_type == "pharmacy"
    assert claim.lines[0].procedure.code == "748856" and claim.lines[0].procedure.system.endswith(
        "ndc"
    )
    assert claim.lines[0].charge == D("40.28") and claim.total_charge == D("40.28")
    assert claim.paid_amount == D("40.28") and claim.patient_responsibility == D("0.0")
    assert claim.billing_provider_npi == "272595349073"
    assert eobs_to_payments([parsed], "payer") == []  # payment states a date but no amount


def test_bb2_carrier_claim_and_payment() -> None:
    parsed = eob("bb2_eob_carrier_professional_v2.json")
    claim = eob_to_claim(parsed, "cms", "2SW4N00AA00")
    assert claim.payer_claim_id == "22639159481"
    assert claim.status.category.code == "F1" and claim.paid_amount == D("50.0")
    assert claim.total_charge == D("250.0")
    assert claim.patient_responsibility == D("10.0")  # coinsurance; no deductible
    assert claim.rendering_provider_npi == "999999999999"
    assert [d.code for d in claim.diagnoses] == ["M81.0", "999.9999"]
    line = claim.lines[0]
    assert (line.procedure.code, line.units, line.diagnosis_pointers) == ("77085", D(1), (2,))
    assert line.allowed_amount == D("250.0") and line.paid_amount == D("50.0")
    [payment] = eobs_to_payments([parsed], "cms", "2SW4N00AA00")
    assert payment.trace_number == "ExplanationOfBenefit/carrier-22639159481"
    assert payment.amount == D("50.0") and payment.payment_date is None
    assert payment.method.code == "unknown"
    assert adjustments(payment.claims[0].lines[0]) == [("PR", "2", D("10.0"))]


def test_bb2_inpatient_reads_revenue_lines_and_total_line() -> None:
    claim = eob_to_claim(eob("bb2_eob_inpatient_v2.json"), "cms")
    assert len(claim.lines) == 10  # the 0001 total-charge line is not a service
    assert [x.procedure.code for x in claim.lines[:3]] == ["0111", "0250", "0271"]
    assert claim.lines[1].units == D(147) and claim.lines[1].charge == D("650.0")
    assert claim.total_charge == D("10000.0")  # from the 0001 line
    assert claim.billing_provider_npi == "9999999999"  # contained Organization
    assert len(claim.diagnoses) == 7  # the DRG packageCode is not a diagnosis


def test_bb2_outpatient_takes_hcpcs_from_modifier() -> None:
    parsed = eob("bb2_eob_outpatient_v2.json")
    claim = eob_to_claim(parsed, "cms")
    assert [x.procedure.code for x in claim.lines] == ["80048", "80061", "83036", "84450", "84460"]
    assert all(x.modifiers == () for x in claim.lines)
    assert [x.charge for x in claim.lines] == [
        D("60.0"),
        D("80.0"),
        D("70.0"),
        D("50.0"),
        D("50.0"),
    ]
    assert claim.total_charge == D("300.0") and claim.paid_amount == D("20.0")
    paid = eob_to_claim_payment(parsed)
    assert [len(x.adjustments) for x in paid.lines] == [0, 0, 1, 0, 0]
    assert adjustments(paid.lines[2]) == [("CO", "96", D("70.0"))]


def test_bb2_pharmacy_searchset() -> None:
    bundle = parse_bundle((FIXTURES / "bb2_eob_pharmacy_searchset_v2.json").read_bytes())
    claims = [eob_to_claim(e, "cms") for e in bundle.entries]
    assert len(claims) == 10
    levemir = claims[2]
    assert levemir.payer_claim_id == "-5764339373"
    assert levemir.lines[0].procedure.code == "00169643810"
    assert levemir.lines[0].procedure.description.startswith("Levemir")
    assert levemir.total_charge == D("400.0") and levemir.paid_amount == D("300.0")
    assert levemir.patient_responsibility == D("10.0")
    # Part D labels gross drug cost "coinsurance": no PR 2 is derived from it
    assert eob_to_claim_payment(bundle.entries[2]).lines[0].adjustments == ()
    assert [c.status.category.code for c in claims].count("F0") == 6


def test_r4_core_eob_example() -> None:
    claim = eob_to_claim(eob("r4_eob_example.json"), "benefits-inc")
    assert claim.payer_claim_id == "987654321" and claim.claim_type == "oral"
    assert claim.total_charge == D("135.57") and claim.paid_amount == D("96.0")
    assert [(x.procedure.code, x.charge, x.paid_amount) for x in claim.lines] == [
        ("1205", D("135.57"), D("96.0")),
        ("group", D("200.0"), D("180.0")),
    ]
    assert claim.status.message == "Claim settled as per contract."


def test_payments_group_eobs_by_payment_identifier() -> None:
    data = json.loads((FIXTURES / "bb2_eob_carrier_professional_v2.json").read_bytes())
    first = copy.deepcopy(data)
    second = copy.deepcopy(data)
    for resource, claim_id in ((first, "A1"), (second, "A2")):
        resource["id"] = claim_id
        resource["identifier"][0]["value"] = claim_id
        resource["payment"].update(
            identifier={"value": "EFT-778"},
            date="2016-01-15",
            type={"coding": [{"code": "complete"}]},
        )
    second["payment"].update(
        adjustment={"value": -5.25},
        adjustmentReason={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/payment-adjustment-reason",
                    "code": "a002",
                    "display": "Prior Overpayment",
                }
            ]
        },
    )
    [payment] = eobs_to_payments([parse_resource(first), parse_resource(second)], "cms")
    assert payment.trace_number == "EFT-778" and payment.payment_date == date(2016, 1, 15)
    assert payment.amount == D("100.0") and payment.method.code == "complete"
    assert [c.payer_claim_id for c in payment.claims] == ["A1", "A2"]
    [plb] = payment.provider_adjustments
    assert (plb.reason.code, plb.amount, plb.reference) == ("a002", D("-5.25"), "A2")
