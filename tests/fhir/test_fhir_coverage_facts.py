"""What a Coverage states beyond member and plan: cost sharing, type, network, dependent, classes;
and payer errors beside insurance in a CoverageEligibilityResponse. Every Coverage fixture."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from payers.fhir.coverage import read_coverage
from payers.fhir.eligibility import (
    PAYER_ERROR_FINDING,
    EligibilityRejected,
    read_response,
)
from payers.fhir.resources import ParsedResource, parse_bundle, parse_resource
from payers.model import BenefitKind, CoverageLevel, FindingSeverity, Network, SubscriberRelation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
D = Decimal
COPAY_TYPE = "fhir-copay-type"
C4DIC_COPAY = "http://terminology.hl7.org/CodeSystem/C4DICExtendedCopayTypeCS"


def parsed(name: str) -> ParsedResource[Any]:
    return parse_resource((FIXTURES / name).read_bytes())


def classes(name: str) -> list[tuple[str, str, str | None]]:
    plan = read_coverage(parsed(name)).plan
    return [(c.type.code, c.value, c.name) for c in plan.classes]


def test_r4_coverage_example2_copay_with_exception() -> None:
    record = read_coverage(parsed("r4_coverage_example2.json"))
    plan = record.plan
    assert (plan.network, plan.dependent) == ("5", "1")
    assert plan.coverage_type is not None
    assert (plan.coverage_type.code, plan.coverage_type.description) == (
        "EHCPOL",
        "extended healthcare",
    )
    assert [(c.type.code, c.type.description, c.value, c.name) for c in plan.classes] == [
        ("group", "Group", "WESTAIR", "Western Airlines"),
        ("plan", "Plan", "BG4352", "Full Coverage: Medical, Dental, Pharmacy, Vision, EHC"),
        ("subplan", "SubPlan", "D15C9", "Platinum"),
    ]
    assert (plan.group_number, plan.plan_number) == ("WESTAIR", "BG4352")
    assert (record.start, record.end, record.order) == (date(2011, 3, 17), date(2012, 3, 17), 2)
    assert len(record.benefits) == 1
    copay = record.benefits[0]
    assert copay.kind is BenefitKind.COPAY and copay.amount == D("20.0")
    assert (copay.code.system, copay.code.code, copay.code.description) == (
        COPAY_TYPE,
        "gpvisit",
        "GP Office Visit",
    )
    assert [s.code for s in copay.service_types] == ["98"]
    assert copay.percent is None and copay.network is Network.UNKNOWN
    assert len(copay.exceptions) == 1
    exception = copay.exceptions[0]
    assert (exception.type.code, exception.type.description) == ("retired", "Retired")
    assert (exception.start, exception.end) == (date(2018, 1, 1), date(2018, 12, 31))


def test_c4dic_card_classes_and_cost_sharing() -> None:
    record = read_coverage(parsed("c4dic_coverage_example1.json"))
    assert record.member_id == "102345672-02" and record.relation is SubscriberRelation.SPOUSE
    assert record.plan.dependent == "02" and record.plan.network is None
    assert record.plan.coverage_type is not None and record.plan.coverage_type.code == "HIP"
    assert classes("c4dic_coverage_example1.json") == [
        ("group", "993355", "Stars Inc"),
        ("plan", "11461128", "Acme Gold Plus"),
        ("division", "11", None),
        ("network", "561490", "Acme Gold Plus South"),
        ("rxbin", "100045", None),
        ("rxpcn", "1234000", None),
    ]
    rows = [
        (
            b.kind,
            b.code.code,
            b.network,
            b.coverage_level,
            b.amount,
            tuple(s.code for s in b.service_types),
        )
        for b in record.benefits
    ]
    fam, out, inn = CoverageLevel.FAMILY, Network.OUT_OF_NETWORK, Network.IN_NETWORK
    ded, oop = BenefitKind.DEDUCTIBLE, BenefitKind.OUT_OF_POCKET
    assert rows[:8] == [
        (ded, "FamOutDed", out, fam, D("10000.00"), ()),
        (ded, "FamInDed", inn, fam, D("8000.00"), ()),
        (ded, "FamRxOutDed", out, fam, D("2000.00"), ("88",)),
        (ded, "FamRxInDed", inn, fam, D("1500.00"), ("88",)),
        (oop, "FamOutMax", out, fam, D("12000.00"), ()),
        (oop, "FamInMax", inn, fam, D("10000.00"), ()),
        (oop, "FamRxOutMax", out, fam, D("3000.00"), ("88",)),
        (oop, "FamRxInMax", inn, fam, D("2000.00"), ("88",)),
    ]
    assert record.benefits[0].code.system == C4DIC_COPAY
    assert record.benefits[0].code.description == "Family Out of Network Deductible"
    # Copays the card states only in words: no amount, the words kept.
    words = [(b.kind, b.code.code, b.amount, b.messages) for b in record.benefits[8:]]
    assert words == [
        (BenefitKind.COPAY, "gpvisit", None, ("N/A",)),
        (BenefitKind.COPAY, "spvisit", None, ("N/A",)),
        (BenefitKind.COPAY, "emergency", None, ("N/A",)),
        (BenefitKind.COPAY, "rx", None, ("DED THEN $10/$40/$70/25%",)),
    ]
    assert [s.code for s in record.benefits[10].service_types] == ["86"]
    assert all(b.exceptions == () for b in record.benefits)


def test_r4_core_coverage_keeps_every_class_in_order() -> None:
    record = read_coverage(parsed("r4_coverage_example.json"))
    assert classes("r4_coverage_example.json") == [
        ("group", "CB135", "Corporate Baker's Inc. Local #35"),
        ("subgroup", "123", "Trainee Part-time Benefits"),
        ("plan", "B37FC", "Full Coverage: Medical, Dental, Pharmacy, Vision, EHC"),
        ("subplan", "P7", "Includes afterlife benefits"),
        ("class", "SILVER", "Silver: Family Plan spouse only"),
        ("subclass", "Tier2", "Low deductable, max $20 copay"),
        ("sequence", "9", None),
        ("rxid", "MDF12345", None),
        ("rxbin", "987654", None),
        ("rxgroup", "M35PT", None),
        ("rxpcn", "234516", None),
        ("sequence", "9", None),
    ]
    assert record.plan.dependent == "0" and record.plan.network is None
    assert record.plan.coverage_type is not None and record.plan.coverage_type.code == "EHCPOL"
    assert record.benefits == ()


def test_self_pay_and_ehic_coverages() -> None:
    selfpay = read_coverage(parsed("r4_coverage_selfpay.json"))
    assert selfpay.plan.coverage_type is not None
    assert (selfpay.plan.coverage_type.code, selfpay.plan.coverage_type.description) == (
        "pay",
        "PAY",
    )
    assert selfpay.member_id == "SP12345678" and selfpay.payors == ("Patient/5",)
    assert selfpay.plan.classes == () and selfpay.benefits == ()
    assert (selfpay.start, selfpay.end) == (None, date(2012, 3, 17))
    ehic = read_coverage(parsed("r4_coverage_ehic.json"))
    assert ehic.member_id == "A123456780" and ehic.payors == ("123456789",)
    assert ehic.plan.coverage_type is not None and ehic.plan.coverage_type.code == "EHCPOL"
    assert (ehic.plan.dependent, ehic.plan.network, ehic.plan.classes) == (None, None, ())
    assert ehic.active and ehic.end == date(2012, 3, 17)


def test_carin_coverages_network_dependent_classes() -> None:
    sea22 = read_coverage(parsed("carinbb_coverage_sea22.json"))
    assert (sea22.plan.network, sea22.plan.dependent) == ("SEA22-Advantage HSA EPO", "01")
    assert classes("carinbb_coverage_sea22.json") == [
        ("group", "007653", "CORPORATE SERVICES"),
        ("subgroup", "C24", "CRP SVCS ADV HSA"),
        ("plan", "SEA22", "SEA22-Advantage HSA EPO"),
    ]
    assert sea22.plan.group_number == "007653" and sea22.start == date(2020, 1, 1)
    assert sea22.plan.coverage_type is None and sea22.benefits == ()
    carin = read_coverage(parsed("carinbb_coverage_example1.json"))
    assert (carin.plan.network, carin.plan.dependent) == ("GR5-HMO DEDUCTIBLE", "01")
    assert classes("carinbb_coverage_example1.json") == [
        ("group", "MCHMO1", "MEDICARE HMO PLAN"),
        ("plan", "GR5", "GR5-HMO DEDUCTIBLE"),
    ]


def test_blue_button_coverages_state_subgroup_and_subplan() -> None:
    part_a = read_coverage(parsed("bb2_coverage_part_a_v2.json"))
    assert classes("bb2_coverage_part_a_v2.json") == [
        ("subgroup", "Medicare", None),
        ("subplan", "Part A", None),
    ]
    assert part_a.plan.coverage_type is not None and part_a.plan.coverage_type.code == "SUBSIDIZ"
    assert part_a.benefits == () and part_a.plan.dependent is None
    bundle = parse_bundle((FIXTURES / "bb2_coverage_searchset_v2.json").read_bytes())
    records = [read_coverage(e) for e in bundle.of_type("Coverage")]
    assert [[c.value for c in r.plan.classes] for r in records] == [
        ["Medicare", "Part A"],
        ["Medicare", "Part B"],
        ["Medicare", "Part C"],
        ["Medicare", "Part D"],
    ]
    assert {r.plan.coverage_type.code for r in records if r.plan.coverage_type} == {"SUBSIDIZ"}


def test_eligibility_response_plan_from_its_contained_coverage() -> None:
    result = read_response(
        parsed("r4_coverageeligibilityresponse_benefits2.json"), "bi", "M1", date(2014, 9, 1)
    )
    plan = result.plan
    assert plan is not None and plan.dependent == "1"
    assert plan.coverage_type is not None and plan.coverage_type.code == "EHCPOL"
    assert [(c.type.code, c.value, c.name) for c in plan.classes] == [
        ("EHCPOL", "CBI35", "Corporate Baker's Inc. Plan#35"),
        ("subplan", "123", "Trainee Part-time Benefits"),
        ("sequence", "1", None),
    ]
    assert len(result.benefits) == 6 and result.findings == ()


def _with_error_beside_insurance() -> dict[str, Any]:
    """The R4 benefits example with the R4 error example's error entry added beside its items."""
    benefits = json.loads((FIXTURES / "r4_coverageeligibilityresponse_benefits.json").read_text())
    error = json.loads((FIXTURES / "r4_coverageeligibilityresponse_error.json").read_text())
    mixed = copy.deepcopy(benefits)
    mixed["error"] = error["error"]
    return mixed


def test_errors_beside_insurance_are_findings_not_an_exception() -> None:
    result = read_response(
        parse_resource(_with_error_beside_insurance()), "bi", "M1", date(2014, 9, 1)
    )
    assert result.active and len(result.benefits) == 8
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.code == PAYER_ERROR_FINDING and finding.severity is FindingSeverity.WARNING
    assert finding.location == "CoverageEligibilityResponse.error[0]"
    assert "a001" in finding.message and "Missing Identifier" in finding.message


def test_errors_and_no_insurance_are_an_error() -> None:
    with pytest.raises(EligibilityRejected) as caught:
        read_response(
            parsed("r4_coverageeligibilityresponse_error.json"), "bi", "M1", date(2014, 9, 16)
        )
    assert [c.code for c in caught.value.codes] == ["a001"]


def test_every_fhir_fixture_is_read_by_name_in_a_test() -> None:
    """A fixture no test names checks nothing: each file is read by some tests/fhir module."""
    sources = "".join(p.read_text() for p in Path(__file__).parent.glob("test_fhir_*.py"))
    fixtures = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert len(fixtures) == 28
    assert [name for name in fixtures if f'"{name}"' not in sources] == []
