"""Our 837P writer's dependent (2000C), drug (2410), provider (2310A/2420E/F) and reference loops:
pyx12's X222A1 map accepts them, and the sandbox payer's reader reads back the same values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from payers.model import (
    ClaimProvider,
    ClaimSubmission,
    Demographics,
    DrugIdentification,
    PostalAddress,
    SubscriberRelation,
)
from payers.sandbox.x12_claims import ReceivedClaim, read_837p
from payers.x12.envelope import transactions
from payers.x12.submission import ClaimBuildError
from tests.x12.test_x12_submission import CLAIM, _build

HOLDER = Demographics("Rosa", "Lopez", date(1961, 2, 3), "F")
HOME = PostalAddress("12 Birch Lane", "Springfield", "IL", "62701-1234")
WELBY = ClaimProvider("1245319599", "WELBY", "MARCUS")
DEPENDENT = replace(
    CLAIM,
    member=replace(CLAIM.member, relation=SubscriberRelation.CHILD),
    subscriber=HOLDER,
    patient_gender="F",
    patient_address=HOME,
)
DETAILED = replace(
    CLAIM,
    referring_provider=ClaimProvider("1234567893", "DOE", "JOHN"),
    prior_authorization="PA-77120",
    referral_number="RF-3301",
    medical_record_number="MRN-000912",
    frequency_code="7",
    original_payer_claim_id="SH2533150001",
    lines=(
        replace(
            CLAIM.lines[0],
            drug=DrugIdentification("00026063512", Decimal("10.5"), "ML"),
            ordering_provider=WELBY,
        ),
        replace(CLAIM.lines[1], referring_provider=ClaimProvider("1245319599", "ROE")),
    ),
)


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def _read_back(text: str) -> ReceivedClaim:
    (transaction,) = transactions(text, "test-payer", "837")
    (claim,) = read_837p(transaction)
    return claim


def test_a_dependent_goes_in_loop_2000c_under_the_card_holder() -> None:
    segments = _segments(_build(DEPENDENT))
    start = segments.index("HL*2*1*22*1")  # the subscriber level has a child level
    assert segments[start : start + 13] == [
        "HL*2*1*22*1",
        "SBR*P**GRP1001******CI",  # SBR02 blank: the subscriber is not the patient
        "NM1*IL*1*Lopez*Rosa****MI*W123456789",
        "DMG*D8*19610203*F",
        "NM1*PR*2*AETNA*****PI*60054",
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*Lopez*Maria",
        "N3*12 Birch Lane",
        "N4*Springfield*IL*627011234",
        "DMG*D8*19850314*F",
        "CLM*RFM-2025-0001*185.00***11:B:1*Y*A*Y*Y",
        "HI*ABK:E119*ABF:I10",
    ]


def test_the_sandbox_reads_the_dependent_back() -> None:
    claim = _read_back(_build(DEPENDENT))
    member = claim.submission.member
    assert (member.member_id, member.first_name, member.last_name) == (
        "W123456789",
        "Maria",
        "Lopez",
    )
    assert (member.birth_date, member.relation) == (date(1985, 3, 14), SubscriberRelation.CHILD)
    assert claim.patient_relationship is not None
    assert (claim.patient_relationship.code, claim.patient_relationship.description) == (
        "19",
        "Child",
    )
    assert claim.subscriber_name == ("Lopez", "Rosa")
    assert claim.submission.subscriber == HOLDER
    assert claim.submission.patient_address == PostalAddress(
        "12 Birch Lane", "Springfield", "IL", "627011234"
    )
    assert claim.submission.patient_gender == "F"
    assert [(d.system, d.code) for d in claim.diagnoses] == [
        ("icd10cm", "E11.9"),
        ("icd10cm", "I10"),
    ]


def test_a_patient_who_is_the_subscriber_is_written_as_before() -> None:
    segments = _segments(_build(CLAIM))
    assert "HL*2*1*22*0" in segments and "SBR*P*18*GRP1001******CI" in segments
    assert not [s for s in segments if s.startswith(("PAT", "NM1*QC", "HL*3"))]
    claim = _read_back(_build(CLAIM))
    assert claim.submission.member.relation is SubscriberRelation.SELF
    assert claim.patient_relationship is None and claim.submission.subscriber is None


def test_drug_providers_and_references_are_written_in_their_loops() -> None:
    segments = _segments(_build(DETAILED))
    clm = next(i for i, s in enumerate(segments) if s.startswith("CLM*"))
    assert segments[clm + 1 : clm + 7] == [
        "REF*9F*RF-3301",
        "REF*G1*PA-77120",
        "REF*F8*SH2533150001",
        "REF*EA*MRN-000912",
        "HI*ABK:E119*ABF:I10",
        "NM1*DN*1*DOE*JOHN****XX*1234567893",  # 2310A before the rendering provider's 2310B
    ]
    first = segments.index("DTP*472*D8*20250303")
    assert segments[first + 1 : first + 4] == [
        "LIN**N4*00026063512",
        "CTP****10.5*ML",
        "NM1*DK*1*WELBY*MARCUS****XX*1245319599",
    ]
    assert "NM1*DN*1*ROE*****XX*1245319599" in segments  # line 2's 2420F


def test_the_sandbox_reads_drug_providers_and_references_back() -> None:
    claim = _read_back(_build(DETAILED)).submission
    assert claim.referring_provider == ClaimProvider("1234567893", "DOE", "JOHN")
    assert (claim.prior_authorization, claim.referral_number, claim.medical_record_number) == (
        "PA-77120",
        "RF-3301",
        "MRN-000912",
    )
    assert (claim.frequency_code, claim.original_payer_claim_id) == ("7", "SH2533150001")
    first, second = claim.lines
    assert first.drug == DrugIdentification("00026063512", Decimal("10.5"), "ML")
    assert first.ordering_provider == WELBY and first.referring_provider is None
    assert second.drug is None and second.ordering_provider is None
    assert second.referring_provider == ClaimProvider("1245319599", "ROE")
    assert (first.charge, second.charge, claim.total_charge) == (
        Decimal("150.00"),
        Decimal("35.00"),
        Decimal("185.00"),
    )


@pytest.mark.parametrize(
    ("claim", "problem"),
    [
        (
            replace(DEPENDENT, patient_address=None),
            "a dependent patient needs an address (loop 2010CA N3/N4)",
        ),
        (
            replace(CLAIM, subscriber=HOLDER),
            "a claim whose patient is the subscriber carries no separate subscriber",
        ),
        (
            replace(
                CLAIM,
                lines=(
                    replace(
                        CLAIM.lines[0], drug=DrugIdentification("0026063512", Decimal(1), "ML")
                    ),
                    CLAIM.lines[1],
                ),
            ),
            "line 1: the NDC must be 11 digits (5-4-2)",
        ),
        (
            replace(
                CLAIM,
                lines=(
                    replace(
                        CLAIM.lines[0], drug=DrugIdentification("00026063512", Decimal(1), "CC")
                    ),
                    CLAIM.lines[1],
                ),
            ),
            "line 1: drug unit must be F2, GR, ME, ML or UN",
        ),
        (
            replace(CLAIM, diagnosis_code_list="icd9cm"),
            "our 837P writes ICD-10-CM diagnoses only (HI ABK/ABF)",
        ),
    ],
)
def test_what_cannot_be_written_is_refused_before_pyx12(
    claim: ClaimSubmission, problem: str
) -> None:
    with pytest.raises(ClaimBuildError) as refused:
        _build(claim)
    assert refused.value.problems == (problem,)
