"""EOB facts kept on the claim payment (subType, precedence, accident, focal coverage, process
notes) and balancing findings (totals against items, payment against benefit). Every EOB fixture."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from payers.fhir.eob_balance import PAYMENT_MISMATCH, TOTAL_MISMATCH
from payers.fhir.remittance import eob_to_claim_payment, eobs_to_payments
from payers.fhir.resources import parse_bundle, parse_resource
from payers.model import ClaimPayment, FindingSeverity

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
D = Decimal


def paid(name: str) -> ClaimPayment:
    return eob_to_claim_payment(parse_resource((FIXTURES / name).read_bytes()))


def findings(payment: ClaimPayment) -> list[tuple[str, str | None, Decimal | None, Any]]:
    return [(f.code, f.location, f.expected, f.actual) for f in payment.findings]


def test_r4_example2_notes_subtype_precedence_accident_focal() -> None:
    payment = paid("r4_eob_example2.json")
    assert payment.payer_claim_id == "error-1" and payment.charge == D("2478.57")
    assert payment.paid == D("0.0") and payment.lines == ()
    assert payment.sub_type is not None
    assert (payment.sub_type.code, payment.sub_type.description) == ("emergency", "emergency")
    assert payment.precedence == 2
    accident = payment.accident
    assert accident is not None and accident.occurred_on == date(2014, 2, 14)
    assert accident.type is not None and accident.type.code == "SPT"
    assert accident.location == "Location/ph"
    assert payment.focal_coverage is not None
    assert payment.focal_coverage.coverage == "Coverage/9876B1"
    assert payment.focal_coverage.pre_auth_refs == ()
    assert len(payment.process_notes) == 1
    note = payment.process_notes[0]
    assert (note.number, note.type, note.text) == (1, "display", "Invalid claim")
    assert note.language is not None and note.language.code == "en-CA"
    # totals without items: nothing to compare, so no finding
    assert payment.findings == ()


def test_r4_example_benefit_total_disagrees_with_its_items() -> None:
    payment = paid("r4_eob_example.json")
    assert findings(payment) == [
        (TOTAL_MISMATCH, "ExplanationOfBenefit.total[benefit]", D("276.0"), D("96.0"))
    ]
    finding = payment.findings[0]
    assert finding.severity is FindingSeverity.WARNING
    assert "96.0" in finding.message and "276.0" in finding.message
    # the payment keeps the stated total; the finding says it does not add up
    assert payment.paid == D("96.0")
    assert (payment.precedence, payment.sub_type, payment.accident) == (None, None, None)
    assert payment.focal_coverage is not None
    assert payment.focal_coverage.coverage == "Coverage/9876B1"
    assert payment.process_notes == ()


def test_blue_button_outpatient_submitted_total_disagrees_with_its_lines() -> None:
    payment = paid("bb2_eob_outpatient_v2.json")
    # five revenue lines charge 60 + 80 + 70 + 50 + 50; the claim and its 0001 line say 300
    assert findings(payment) == [
        (TOTAL_MISMATCH, "ExplanationOfBenefit.total[submitted]", D("310.0"), D("300.0"))
    ]
    assert payment.charge == D("300.0") and len(payment.lines) == 5
    assert payment.focal_coverage is not None
    assert payment.focal_coverage.coverage == "Coverage/part-b--20140000008325"


@pytest.mark.parametrize(
    ("name", "coverage", "charge", "amount"),
    [
        (
            "bb2_eob_carrier_professional_v2.json",
            "Coverage/part-b--20140000008325",
            "250.0",
            "50.0",
        ),
        ("bb2_eob_inpatient_v2.json", "Coverage/part-a--20140000008325", "10000.0", "10000.0"),
        ("carinbb_eob_inpatient_example1.json", "Coverage/CoverageEx2", "7147.2", "1393.57"),
        ("carinbb_eob_outpatient_example1.json", "Coverage/CoverageEx1", "84.4", "56.52"),
        ("carinbb_eob_professional_example1.json", "Coverage/CoverageEx1", "820.0", "258.91"),
        (
            "carinbb_eob_professional_fr123.json",
            "Coverage/01234567801-20190801-20191231-SEA17",
            "260.0",
            "0.0",
        ),
    ],
)
def test_balanced_eobs_name_their_focal_coverage(
    name: str, coverage: str, charge: str, amount: str
) -> None:
    payment = paid(name)
    assert payment.findings == ()
    assert payment.focal_coverage is not None and payment.focal_coverage.coverage == coverage
    assert (payment.charge, payment.paid) == (D(charge), D(amount))
    assert (payment.sub_type, payment.precedence, payment.accident) == (None, None, None)
    assert payment.process_notes == ()


def test_carin_fr123_deductible_balances_across_two_items() -> None:
    read = parse_resource((FIXTURES / "carinbb_eob_professional_fr123.json").read_bytes())
    # the connectathon example numbers no procedure: read leniently, the gaps named
    assert read.missing == ("procedure[0].sequence", "procedure[1].sequence")
    payment = paid("carinbb_eob_professional_fr123.json")
    assert payment.patient_responsibility == D("139.86") and len(payment.lines) == 2
    assert sum((line.charge for line in payment.lines), D(0)) == D("260.0")
    assert payment.payer_claim_id == "01234567801-FR123E1230000010000010001"


def test_a_focal_false_insurance_is_not_the_focal_coverage() -> None:
    payment = paid("carinbb_eob_pharmacy_example1.json")  # insurance[0].focal = false
    assert payment.focal_coverage is None and payment.findings == ()
    assert payment.charge == D("40.28")


def test_blue_button_part_d_events_have_no_focal_coverage_and_balance() -> None:
    bundle = parse_bundle((FIXTURES / "bb2_eob_pharmacy_searchset_v2.json").read_bytes())
    payments = [eob_to_claim_payment(e) for e in bundle.of_type("ExplanationOfBenefit")]
    assert len(payments) == 10
    # three insurance entries, none marked focal: none is chosen
    assert all(p.focal_coverage is None and p.findings == () for p in payments)
    assert sorted({p.charge for p in payments}) == [D("10.0"), D("30.0"), D("400.0")]


def _eob_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_payment_that_is_not_the_benefit_total_is_a_finding() -> None:
    data = _eob_json("carinbb_eob_professional_example1.json")  # benefit total 258.91
    data["payment"] = {"amount": {"value": 250.00, "currency": "USD"}, "date": "2020-08-20"}
    payment = eob_to_claim_payment(parse_resource(data))
    assert findings(payment) == [
        (PAYMENT_MISMATCH, "ExplanationOfBenefit.payment.amount", D("258.91"), D("250.0"))
    ]
    remittances = eobs_to_payments([parse_resource(data)], "upmc")
    assert remittances[0].amount == D("250.0")
    assert remittances[0].claims[0].findings == payment.findings


def test_payment_adjustment_of_either_sign_balances() -> None:
    data = _eob_json("carinbb_eob_professional_example1.json")
    for adjustment in (-8.91, 8.91):
        data["payment"] = {
            "adjustment": {"value": adjustment, "currency": "USD"},
            "amount": {"value": 250.00, "currency": "USD"},
        }
        assert eob_to_claim_payment(parse_resource(data)).findings == ()


def test_add_item_adjudications_count_towards_the_totals() -> None:
    data = _eob_json("r4_eob_example.json")  # items' benefit 96 + 180; total 96
    data["total"][1]["amount"]["value"] = 300.0
    data["addItem"] = [
        {
            "productOrService": {"coding": [{"code": "1101"}]},
            "adjudication": [
                {"category": {"coding": [{"code": "benefit"}]}, "amount": {"value": 24.0}}
            ],
        }
    ]
    assert eob_to_claim_payment(parse_resource(data)).findings == ()
    data["addItem"][0]["adjudication"][0]["amount"]["value"] = 20.0
    assert findings(eob_to_claim_payment(parse_resource(data))) == [
        (TOTAL_MISMATCH, "ExplanationOfBenefit.total[benefit]", D("296.0"), D("300.0"))
    ]


def test_accident_address_and_pre_authorizations() -> None:
    data = _eob_json("r4_eob_example2.json")
    data["accident"]["locationAddress"] = {"line": ["1 Rink Rd"], "city": "Anytown"}
    del data["accident"]["locationReference"]
    data["insurance"][0]["preAuthRef"] = ["PA-1", "PA-2"]
    payment = eob_to_claim_payment(parse_resource(data))
    assert payment.accident is not None and payment.accident.location == "1 Rink Rd, Anytown"
    assert payment.focal_coverage is not None
    assert payment.focal_coverage.pre_auth_refs == ("PA-1", "PA-2")
