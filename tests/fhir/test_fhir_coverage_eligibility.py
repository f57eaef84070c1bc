"""Coverage, CoverageEligibilityRequest and CoverageEligibilityResponse from the corpus."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from payers.fhir.coverage import read_coverage
from payers.fhir.eligibility import EligibilityRejected, build_request, read_response
from payers.fhir.intake import read_request
from payers.fhir.resources import ParsedResource, parse_bundle, parse_resource
from payers.model import BenefitKind, CoverageLevel, MemberQuery, Network, SubscriberRelation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
D = Decimal


def parsed(name: str) -> ParsedResource[Any]:
    return parse_resource((FIXTURES / name).read_bytes())


def test_carin_coverage() -> None:
    record = read_coverage(parsed("carinbb_coverage_example1.json"))
    assert record.member_id == "88800933501"  # the MB identifier, not subscriberId 888009335
    assert record.plan.group_number == "MCHMO1" and record.plan.group_name == "MEDICARE HMO PLAN"
    assert record.plan.plan_number == "GR5" and record.plan.name == "GR5-HMO DEDUCTIBLE"
    assert record.start == date(2020, 1, 1) and record.end is None
    assert record.relation is SubscriberRelation.SELF and record.payors == ("UPMC Health Plan",)
    assert record.discovered("upmc").member_id == "88800933501"


def test_r4_core_coverage() -> None:
    record = read_coverage(parsed("r4_coverage_example.json"))
    assert record.member_id == "12345"
    assert (record.plan.group_number, record.plan.plan_number) == ("CB135", "B37FC")
    assert record.plan.name == "Full Coverage: Medical, Dental, Pharmacy, Vision, EHC"
    assert (record.start, record.end) == (date(2011, 5, 23), date(2012, 5, 23))
    assert record.payors == ("Organization/2",)


def test_bb2_coverages() -> None:
    single = read_coverage(parsed("bb2_coverage_part_a_v2.json"))
    assert single.member_id == "2SW4N00AA00" and single.plan.name == "Part A"
    assert single.plan.group_name == "Medicare" and single.start == date(1983, 3, 24)
    bundle = parse_bundle((FIXTURES / "bb2_coverage_searchset_v2.json").read_bytes())
    records = [read_coverage(e) for e in bundle.of_type("Coverage")]
    assert [r.plan.name for r in records] == ["Part A", "Part B", "Part C", "Part D"]
    assert {r.member_id for r in records} == {"2SW4N00AA00"}
    assert all(r.active for r in records)
    assert records[0].payors == ("Centers for Medicare and Medicaid Services",)


def test_benefits_response() -> None:
    result = read_response(
        parsed("r4_coverageeligibilityresponse_benefits.json"), "bi", "M1", date(2014, 9, 1)
    )
    assert result.active and result.as_of == date(2014, 9, 17)
    assert len(result.benefits) == 8
    first, oop, coinsurance = result.benefits[:3]
    assert first.kind is BenefitKind.BENEFIT_MAXIMUM and first.amount == D("500000")
    assert [s.code for s in first.service_types] == ["30"]
    assert first.service_types[0].description == "Health Benefit Plan Coverage"
    assert first.network is Network.IN_NETWORK and first.coverage_level is CoverageLevel.INDIVIDUAL
    assert first.time_period is not None and first.time_period.code == "annual"
    assert "amounts in SAR" in first.messages
    assert oop.kind is BenefitKind.OUT_OF_POCKET and oop.amount == D("100")
    assert coinsurance.kind is BenefitKind.COINSURANCE and coinsurance.percent == D("0.2")
    room = result.benefits[6]
    assert room.kind is BenefitKind.LIMITATION and room.messages == ("allowed: shared",)
    assert room.time_period is not None and room.time_period.code == "day"
    assert [b.service_types[0].code for b in result.benefits] == [
        "30",
        "30",
        "30",
        "69",
        "F3",
        "F6",
        "49",
        "49",
    ]


def test_benefits2_used_remaining_excluded_and_contained_coverage() -> None:
    result = read_response(
        parsed("r4_coverageeligibilityresponse_benefits2.json"), "bi", "M1", date(2014, 9, 16)
    )
    assert len(result.benefits) == 6
    plan_max = result.benefits[0]
    assert (plan_max.amount, plan_max.used, plan_max.remaining) == (
        D("500000"),
        D("3748.0"),
        D("496252.0"),
    )
    vision = result.benefits[-1]
    assert vision.kind is BenefitKind.NON_COVERED and vision.service_types[0].code == "F6"
    assert vision.plan_description == "Vision"
    assert result.plan is not None and result.plan.name == "Trainee Part-time Benefits"
    assert result.as_of == date(2014, 9, 16)  # no servicedDate: the date we asked for


def test_minimal_response_is_active_without_benefits() -> None:
    result = read_response(
        parsed("r4_coverageeligibilityresponse_example.json"), "bi", "M1", date(2014, 8, 16)
    )
    assert result.active and result.benefits == ()
    assert result.messages == ("Policy is currently in-force.",)


def test_error_response_raises_with_codes() -> None:
    with pytest.raises(EligibilityRejected) as caught:
        read_response(
            parsed("r4_coverageeligibilityresponse_error.json"), "bi", "M1", date(2014, 9, 16)
        )
    [code] = caught.value.codes
    assert (code.code, code.description) == ("a001", "Missing Identifier")
    assert (
        caught.value.disposition is not None
        and "could not be processed" in caught.value.disposition
    )


def test_corpus_requests_are_read() -> None:
    simple = read_request(parsed("r4_coverageeligibilityrequest_example.json"))
    assert simple.member is None and simple.purposes == ("validation",)
    second = read_request(parsed("r4_coverageeligibilityrequest_example2.json"))
    assert second.service_types == ("69",) and second.as_of == date(2014, 9, 17)
    assert second.purposes == ("validation", "benefits")


def test_built_request_round_trips() -> None:
    member = MemberQuery(
        "W123456789", "Ana", "Ruiz", date(1980, 5, 2), "GRP-77", SubscriberRelation.CHILD
    )
    request = build_request(
        member,
        ["30", "98"],
        date(2024, 3, 1),
        insurer={"display": "Acme Health"},
        provider_npi="1234567893",
    )
    assert request["item"][1]["category"]["coding"][0]["code"] == "98"
    inquiry = read_request(parse_resource(request, ("CoverageEligibilityRequest",)))
    assert inquiry.member == member
    assert inquiry.service_types == ("30", "98") and inquiry.as_of == date(2024, 3, 1)
