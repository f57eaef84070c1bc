"""Every 271 fixture read for what a biller needs beyond amounts: the payer's AAA reasons (on the
result beside benefits, on the benefit inside its EB loop, or as the error when there is no
benefit), the dependent, 2120 related entities, EB04/EB09/EB12/EB13, benefit dates and references.

The OopFactory samples also carry layout quirks (a byte order mark, tab indentation, blank lines, a
carriage return as terminator): tests/x12/test_x12_layout.py checks those findings; here they are
set aside so each test names the 271's own.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from payers.codesets import lookup
from payers.contract import MemberNotFound, PayerProtocolError, PayerRejected, PayerUnavailable
from payers.model import (
    Benefit,
    BenefitDate,
    BenefitKind,
    Contact,
    ContactNumber,
    EligibilityResult,
    Finding,
    FindingSeverity,
    Network,
    Reference,
    RelatedEntity,
)
from payers.sandbox.x12_eligibility import benefit_lines
from payers.x12.eligibility import parse_271
from payers.x12.outgoing import ControlNumbers, Parties, build_interchange

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"


def read(name: str, payer_id: str = "acme-x12") -> EligibilityResult:
    # utf-8, not ascii: the OopFactory samples start with a byte order mark
    result = parse_271((FIXTURES / name).read_bytes().decode("utf-8"), payer_id, strict=False)
    return replace(result, findings=without_layout(result.findings))


def without_layout(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if not f.code.startswith("X12_LAYOUT"))


def codes(finding_codes: tuple) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(c.system, c.code) for c in finding_codes]


# --- AAA beside benefits: findings, not errors ---------------------------------------------------


def test_dhhs_aaa_at_three_levels_beside_benefits_are_findings() -> None:
    result = read("271_4010_aaa_beside_benefits_dhhs_oopfactory.txt")
    assert (result.member_id, result.active, result.as_of) == (
        "Recipient ID",
        True,
        date(2000, 6, 15),
    )
    assert [f.code for f in result.findings] == ["271_PAYER_AAA"] * 3
    assert [f.location for f in result.findings] == [
        "loop 2100A, AAA (segment 6)",
        "loop 2100B, AAA (segment 10)",
        "loop 2100C, AAA (segment 21)",
    ]
    assert {f.severity for f in result.findings} == {FindingSeverity.WARNING}
    first = result.findings[0]
    assert first.segment == 6
    assert codes(first.codes) == [
        ("aaa-valid-request", "N"),
        ("aaa-reject-reason", "RC"),
        ("aaa-follow-up", "C"),
    ]
    assert first.codes[2].description == "Please Correct and Resubmit"
    assert "AAA RC" in first.message and "Recipient" not in first.message  # no member data
    assert [b.code.code for b in result.benefits] == [
        *("6", "1", "R", "1", "D", "J", "J", "D", "L", "R", "R", "R"),
    ]
    assert [b.kind for b in result.benefits[4:9]] == [
        BenefitKind.BENEFIT_DESCRIPTION,
        BenefitKind.COST_CONTAINMENT,
        BenefitKind.COST_CONTAINMENT,
        BenefitKind.BENEFIT_DESCRIPTION,
        BenefitKind.PRIMARY_CARE_PROVIDER,
    ]
    visits = result.benefits[4]
    assert (visits.quantity, visits.quantity_unit) == (Decimal("999"), "VS")
    assert visits.quantity_qualifier is not None
    assert visits.quantity_qualifier.description == "Visits"
    assert [c.code for c in visits.service_types] == ["44"]
    qmb = result.benefits[2]
    assert qmb.insurance_type is not None
    assert (qmb.insurance_type.code, qmb.insurance_type.description) == (
        "QM",
        "Qualified Medicare Beneficiary",
    )
    (pcp,) = result.benefits[8].related_entities
    assert pcp.entity is not None and pcp.entity.code == "1P"
    assert (pcp.name, pcp.first_name, pcp.identifier) == ("Public", "John", "ProviderID")
    assert pcp.identifier_qualifier is not None and pcp.identifier_qualifier.code == "SV"
    (contact,) = pcp.contacts
    assert [(n.qualifier.code, n.value) for n in contact.numbers] == [("TE", "PhoneNbr")]
    medicare_b = result.benefits[10]
    assert [(r.qualifier.code, r.value) for r in medicare_b.references] == [
        ("F6", "Medicare Claim No.")
    ]
    policy = result.benefits[11]
    assert [(r.qualifier.code, r.value, r.description) for r in policy.references] == [
        ("IG", "PolicyNo", "Carrier Name")
    ]
    assert [e.entity.code for e in policy.related_entities if e.entity] == ["IL"]
    # DTP*356/357 with YYYYMMDD placeholders: the benefit stays, each date is a finding
    assert policy.dates == ()
    assert [(f.code, f.segment, f.severity) for f in policy.findings] == [
        ("271_BENEFIT_DATE_UNREADABLE", 43, FindingSeverity.ERROR),
        ("271_BENEFIT_DATE_UNREADABLE", 44, FindingSeverity.ERROR),
    ]
    assert [c.code for f in policy.findings for c in f.codes] == ["356", "357"]
    # the REFs inside the EB loops are the benefits', not the member's plan's
    assert result.plan is not None
    assert (result.plan.group_number, result.plan.plan_number) == (None, None)
    assert result.plan.name == "PCAT: payment category description"


def test_aaa_in_every_loop_and_inside_a_benefit() -> None:
    result = read("271_5010_aaa_every_loop_tabs_oopfactory.txt")
    assert (result.member_id, result.active, len(result.benefits)) == ("123456789", True, 6)
    assert [(f.location, codes(f.codes)[1][1]) for f in result.findings] == [
        ("loop 2100A, AAA (segment 6)", "80"),
        ("loop 2100A, AAA (segment 7)", "79"),
        ("loop 2100A, AAA (segment 10)", "79"),
        ("loop 2100A, AAA (segment 11)", "80"),
        ("loop 2100B, AAA (segment 14)", "41"),
        ("loop 2100B, AAA (segment 15)", "41"),
        ("loop 2100C, AAA (segment 21)", "42"),
    ]
    # AAA 42 at the subscriber beside benefits: a warning, not PayerUnavailable
    assert codes(result.findings[-1].codes) == [
        ("aaa-valid-request", "Y"),
        ("aaa-reject-reason", "42"),
        ("aaa-follow-up", "Y"),
    ]
    active = result.benefits[0]
    assert [(f.code, f.location) for f in active.findings] == [
        ("271_BENEFIT_AAA", "loop 2110C, AAA (segment 25)"),
        ("271_BENEFIT_AAA", "loop 2110C, AAA (segment 26)"),
    ]
    assert [[c.code for c in f.codes] for f in active.findings] == [
        ["N", "51", "N"],
        ["Y", "60", "W"],
    ]
    (coventry,) = active.related_entities
    assert (coventry.name, coventry.entity and coventry.entity.code) == (
        "COVENTRY HEALTH AND LIFE INSURANCE",
        "PR",
    )
    assert [(n.qualifier.code, n.value) for c in coventry.contacts for n in c.numbers] == [
        ("TE", "8008823822")
    ]
    limit = result.benefits[1]
    assert (limit.authorization_required, limit.in_plan_network, limit.network) == (
        True,
        False,
        Network.OUT_OF_NETWORK,
    )
    assert limit.time_period is not None and limit.time_period.code == "32"
    assert [b.amount for b in result.benefits[4:]] == [Decimal("10"), Decimal("30")]


def test_aaa_with_no_benefit_is_unavailable_with_structured_reasons() -> None:
    with pytest.raises(PayerUnavailable) as e:
        read("271_5010_aaa_no_benefit_tabs_oopfactory.txt")
    assert [(r.code.code, r.follow_up) for r in e.value.reasons] == [
        ("80", "Please Resubmit Original Transaction"),
        ("79", "Resubmission Not Allowed"),
        ("41", "Please Correct and Resubmit"),
        ("42", "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly"),
    ]
    assert e.value.retryable


# --- AAA and no benefit at all: errors with machine-readable reasons -----------------------------


def test_aaa_not_found_reasons() -> None:
    with pytest.raises(MemberNotFound) as e:
        read("271_4010_aaa_not_found_tigershark.txt")
    assert [(r.code.system, r.code.code) for r in e.value.reasons] == [
        ("aaa-reject-reason", "72"),
        ("aaa-reject-reason", "73"),
        ("aaa-reject-reason", "58"),
    ]
    assert {r.follow_up for r in e.value.reasons} == {"Please Correct and Resubmit"}


def test_aaa_at_subscriber_with_an_empty_dependent_loop_is_still_an_error() -> None:
    with pytest.raises(MemberNotFound) as e:
        read("271_4010_aaa_dependent_tigershark.txt")
    assert [(r.code.code, r.follow_up) for r in e.value.reasons] == [
        ("72", "Resubmission Not Allowed")
    ]


def test_aaa_at_information_receiver_is_a_rejection() -> None:
    with pytest.raises(PayerRejected) as e:
        read("271_5010_aaa_provider_rejection_lfh.x12")
    assert not isinstance(e.value, MemberNotFound)
    assert [(r.code.code, r.follow_up) for r in e.value.reasons] == [
        ("50", "Resubmission Not Allowed")
    ]


def test_malformed_file_is_refused_naming_the_segment() -> None:
    # an EB without its terminator glued to the next: refused until the layout part reads it
    with pytest.raises(PayerProtocolError, match=r"segment 46 \(EB\)"):
        read("271_5010_in_out_network_malformed_zentist.txt")


# --- the dependent (2100D) -----------------------------------------------------------------------


def test_5010_dependent_is_a_person_of_its_own() -> None:
    result = read("271_5010_dependent_plan_copay_lfh.x12")
    assert result.member_id == "123456789"  # the subscriber's
    dependent = result.dependent
    assert dependent is not None
    assert (dependent.first_name, dependent.last_name) == ("MARY", "SMITH")
    assert (dependent.birth_date, dependent.gender) == (date(1998, 10, 14), "F")
    assert dependent.relationship is not None
    assert (dependent.relationship.code, dependent.relationship.description) == ("19", "Child")
    assert dependent.member_id is None
    (pcp,) = result.benefits[1].related_entities
    assert pcp.entity is not None
    assert (pcp.entity.code, pcp.entity.description) == ("P3", "Primary Care Provider")
    assert (pcp.name, pcp.first_name, pcp.identifier) == ("JONES", "MARCUS", "0202034")
    in_net, out_net = result.benefits[3], result.benefits[4]
    assert in_net.insurance_type is not None
    assert in_net.insurance_type.description == "Health Maintenance Organization (HMO)"
    assert (in_net.in_plan_network, out_net.in_plan_network) == (True, False)
    assert result.findings == ()


def test_5010_subscriber_has_no_dependent() -> None:
    result = read("271_5010_subscriber_plan_copay_lfh.x12")
    assert result.dependent is None
    assert result.benefits[1].kind is BenefitKind.PRIMARY_CARE_PROVIDER
    assert [e.identifier for e in result.benefits[1].related_entities] == ["0202034"]
    assert [b.findings for b in result.benefits] == [()] * 5


def test_4010_dependent_benefits() -> None:
    result = read("271_4010_dependent_benefits_tigershark.txt")
    dependent = result.dependent
    assert dependent is not None
    assert (dependent.first_name, dependent.last_name, dependent.birth_date) == (
        "JANE",
        "DOE",
        date(1937, 3, 5),
    )
    assert (dependent.gender, dependent.relationship) == ("F", None)  # no INS in this 2100D
    other_source = result.benefits[1]
    assert other_source.kind is BenefitKind.OTHER_SOURCE_OF_DATA
    assert [(e.entity and e.entity.code, e.name) for e in other_source.related_entities] == [
        ("PR", "Aetna")
    ]
    deductible = result.benefits[3]
    assert (deductible.amount, deductible.remaining) == (Decimal("600"), Decimal("186.89"))
    assert [(d.qualifier.code, d.start) for d in deductible.dates] == [("307", date(2012, 1, 1))]
    assert result.benefits[0].insurance_type is not None
    assert result.benefits[0].insurance_type.code == "PS"
    assert [b.in_plan_network for b in result.benefits[7:9]] == [False, False]
    assert result.plan is not None and result.plan.group_number == "11111"  # 2100C REF*6P


def test_4010_related_entities_with_and_without_nm1() -> None:
    result = read("271_4010_related_entity_tigershark.txt")
    assert result.dependent is not None and result.dependent.first_name == "JANE"
    kinds = [b.kind for b in result.benefits[-3:]]
    assert kinds == [
        BenefitKind.SERVICES_RESTRICTED_TO_PROVIDER,
        BenefitKind.PRIMARY_CARE_PROVIDER,
        BenefitKind.BENEFIT_DISCLAIMER,
    ]
    restricted, pcp = result.benefits[-3], result.benefits[-2]
    (no_name,) = restricted.related_entities  # N3/N4/PER without NM1: contact kept
    assert (no_name.entity, no_name.name) == (None, None)
    assert [(n.qualifier.code, n.value) for c in no_name.contacts for n in c.numbers] == [
        ("TE", "8005554160")
    ]
    assert [(d.qualifier.code, d.start, d.end) for d in restricted.dates] == [
        ("295", date(2011, 7, 1), date(9999, 12, 31))
    ]
    (employer,) = pcp.related_entities
    assert employer.entity is not None
    assert (employer.entity.code, employer.name) == ("36", "EMPLOYER")
    assert [(n.qualifier.code, n.value) for c in employer.contacts for n in c.numbers] == [
        ("TE", "2065551234")
    ]


# --- rich EB segments ----------------------------------------------------------------------------


def test_medicare_hets_reserve_procedure_dates_and_quantities() -> None:
    result = read("271_4010_medicare_hets_rich_eb_oopfactory.txt")
    assert (result.member_id, result.active, len(result.benefits)) == ("HICN", True, 26)
    assert result.dependent is None and result.findings == ()
    part_a = result.benefits[0]
    assert part_a.insurance_type is not None
    assert (part_a.insurance_type.code, part_a.insurance_type.description) == (
        "MA",
        "Medicare Part A",
    )
    assert [(d.qualifier.code, d.start) for d in part_a.dates] == [("307", date(1985, 4, 1))]
    reserve = result.benefits[1]
    assert (reserve.kind, reserve.quantity) == (BenefitKind.RESERVE, Decimal("60"))
    assert reserve.quantity_qualifier is not None
    assert reserve.quantity_qualifier.description == "Life-time Reserve - Actual"
    assert result.benefits[2].remaining == Decimal("992")  # EB*C ... 29 992
    days = result.benefits[3]
    assert (days.kind, days.quantity, days.quantity_unit) == (
        BenefitKind.LIMITATION,
        Decimal("60"),
        "DY",
    )
    admission = result.benefits[8]
    assert [(d.qualifier.code, d.start, d.end) for d in admission.dates] == [
        ("435", date(2008, 8, 13), date(2008, 8, 30))
    ]
    vaccine = result.benefits[14]
    assert vaccine.kind is BenefitKind.BENEFIT_DESCRIPTION
    assert vaccine.procedure is not None
    assert (vaccine.procedure.system, vaccine.procedure.code) == ("procedure", "90669")
    assert [(d.qualifier.description, d.start) for d in vaccine.dates] == [
        ("Benefit Begin", date(2009, 4, 6))
    ]
    assert (result.benefits[15].quantity, result.benefits[15].quantity_unit) == (Decimal("8"), "P6")
    blood = result.benefits[18]
    assert (blood.quantity, blood.quantity_unit) == (Decimal("3"), "DB")
    assert [(d.start, d.end) for d in blood.dates] == [(date(2009, 1, 1), date(2009, 12, 31))]
    facility = result.benefits[21]
    assert facility.kind is BenefitKind.HEALTH_CARE_FACILITY
    assert [d.qualifier.code for d in facility.dates] == ["193", "194", "193", "194"]
    assert len(facility.messages) == 4
    (contract,) = facility.related_entities
    assert (
        contract.identifier,
        contract.identifier_qualifier and contract.identifier_qualifier.code,
    ) == (
        "CONTRACTNUMBER",
        "PI",
    )
    hmo = result.benefits[23]
    assert [(r.qualifier.code, r.value) for r in hmo.references] == [("18", "PLANNUMBER")]
    assert [
        (n.qualifier.code, n.value)
        for e in hmo.related_entities
        for c in e.contacts
        for n in c.numbers
    ] == [("TE", "AAABBBCCCC")]
    # the three EB*R other payers stay COB hints, generalized entities beside them
    assert [(o.payer_name, o.member_id) for o in result.other_coverage] == [
        ("ORGNAME", "POLICYNUMBER"),
        ("ORGNAME", "PLANNUMBER"),
        ("ORGNAME", "CONTRACTNUMBER PLANNUMBER"),
    ]
    inactive = result.benefits[-1]
    assert inactive.kind is BenefitKind.INACTIVE
    assert [(d.start, d.end) for d in inactive.dates] == [(date(2007, 9, 1), date(2007, 9, 30))]


def test_other_payers_with_employer_group_in_the_benefit_loop() -> None:
    result = read("271_4010_other_payers_cr_terminator_oopfactory.txt")
    assert (result.member_id, result.active, len(result.benefits)) == ("444115555", True, 4)
    # REF*6P sits in the EB*R loops: the other coverage's employer group, not the member's plan
    assert result.plan is not None and result.plan.group_number is None
    first = result.benefits[1]
    assert [(r.qualifier.code, r.value, r.description) for r in first.references] == [
        ("6P", "G123456", "EMPLOYERNAME")
    ]
    assert [(d.qualifier.code, d.start) for d in first.dates] == [
        ("193", date(2000, 5, 1)),
        ("194", date(2000, 6, 1)),
    ]
    (company,) = first.related_entities
    assert (company.name, [n.value for c in company.contacts for n in c.numbers]) == (
        "INCOMPANYNAME",
        ["2145551212"],
    )
    (holder,) = result.benefits[3].related_entities
    assert (holder.entity and holder.entity.code, holder.identifier) == ("IL", "345678901")
    assert [(o.payer_name, o.member_id) for o in result.other_coverage] == [
        ("INCOMPANYNAME", "G123456")
    ]


def test_4010_rich_eb_facility_and_other_payer_entities() -> None:
    result = read("271_4010_rich_eb_tigershark.txt")
    facility, other = result.benefits[-1], result.benefits[-2]
    assert (facility.kind, other.kind) == (
        BenefitKind.HEALTH_CARE_FACILITY,
        BenefitKind.OTHER_PAYER,
    )
    (npi,) = facility.related_entities
    assert (npi.identifier, npi.identifier_qualifier and npi.identifier_qualifier.code) == (
        "1234567890",
        "XX",
    )
    assert [e.name for e in other.related_entities] == ["MEDICARE"]
    # 64 EB lines say EB12=Y; 8 of them (remaining/year to date) fold into their amounts
    assert sum(b.in_plan_network is True for b in result.benefits) == 56
    assert result.dependent is None and result.findings == ()


def test_5010_pipe_file_insurance_type_and_visit_qualifier() -> None:
    result = read("271_5010_rich_eb_pipe_zentist.txt")
    assert result.benefits[0].insurance_type is not None
    assert result.benefits[0].insurance_type.description == "Exclusive Provider Organization"
    assert [e.name for e in result.benefits[1].related_entities] == ["Mala Compania"]
    visits = result.benefits[12]
    assert visits.quantity_qualifier is not None
    assert (visits.quantity_qualifier.code, visits.quantity_qualifier.description) == (
        "VS",
        "Visits",
    )
    assert result.benefits[-1].in_plan_network is False
    assert result.plan is not None and result.plan.group_number == "030030001000120"


# --- the sandbox payer writes what the model holds, and it reads back -----------------------------


def test_sandbox_writer_states_every_benefit_fact_and_they_read_back() -> None:
    stated = Benefit(
        kind=BenefitKind.LIMITATION,
        code=lookup("benefit-kind", "F"),
        service_types=(lookup("service-type", "AD"),),
        network=Network.IN_NETWORK,
        quantity=Decimal("20"),
        quantity_unit="VS",
        authorization_required=True,
        insurance_type=lookup("insurance-type", "PR"),
        procedure=lookup("procedure", "97110"),
        quantity_qualifier=lookup("quantity-qualifier", "VS"),
        in_plan_network=True,
        dates=(BenefitDate(lookup("date-qualifier", "292"), date(2026, 1, 1), date(2026, 12, 31)),),
        references=(Reference(lookup("reference-qualifier", "G1"), "PA-55120", "THERAPY"),),
        related_entities=(
            RelatedEntity(
                entity=lookup("entity-identifier", "P3"),
                name="RIVERBEND PHYSICAL THERAPY",
                identifier="1497758544",
                identifier_qualifier=lookup("id-code-qualifier", "XX"),
                contacts=(
                    Contact(
                        numbers=(
                            ContactNumber(lookup("contact-number-qualifier", "TE"), "5550100"),
                        )
                    ),
                ),
            ),
        ),
        findings=(
            Finding(
                code="271_BENEFIT_AAA",
                message="",
                codes=(
                    lookup("aaa-valid-request", "Y"),
                    lookup("aaa-reject-reason", "15"),
                    lookup("aaa-follow-up", "C"),
                ),
            ),
        ),
    )
    body = [
        ("BHT", "0022", "11", "T1", "20260105", "0900"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", "SUMMIT HEALTH ALLIANCE", "", "", "", "", "PI", "SHA12"),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", "RIVERSIDE FAMILY MEDICINE", "", "", "", "", "XX", "1234567893"),
        ("HL", "3", "2", "22", "0"),
        ("NM1", "IL", "1", "PLACEHOLDER", "PRIYA", "", "", "", "MI", "SHA300917265"),
        *benefit_lines(stated),
    ]
    text = build_interchange(
        Parties("SHA12", "CLINIC01", usage="T"),
        ControlNumbers.from_number(7),
        functional_id="HB",
        transaction_code="271",
        implementation="005010X279A1",
        body=body,
        created=datetime(2026, 1, 5, 9, 0),
    )
    (read,) = parse_271(text, "summit").benefits
    (finding,) = read.findings
    assert (finding.code, finding.location) == ("271_BENEFIT_AAA", "loop 2110C, AAA (segment 14)")
    assert codes(finding.codes) == codes(stated.findings[0].codes)
    assert read.procedure is not None and read.procedure.code == "97110"
    assert replace(read, findings=stated.findings) == stated
