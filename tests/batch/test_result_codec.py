"""A batch check's stored result keeps what the parser reported: findings on the answer and on a
benefit, with their codes and amounts, read back equal; a result stored before findings were kept
reads back with none."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from gateway.jobs.results import result_from_json, result_to_json
from payers.codesets import lookup
from payers.model import (
    Benefit,
    BenefitKind,
    EligibilityResult,
    Finding,
    FindingSeverity,
    Network,
    Plan,
)

AAA = Finding(
    code="271_PAYER_AAA",
    message="the payer noted: invalid/missing provider identification (AAA 43)",
    location="loop 2100B, AAA (segment 10)",
    segment=10,
    codes=(lookup("aaa-reject-reason", "43"), lookup("aaa-follow-up", "C")),
)
INDENTED = Finding(
    code="X12_LAYOUT_INDENTED",
    message="12 segments are indented with spaces or tabs",
    severity=FindingSeverity.WARNING,
    location="interchange",
    expected=Decimal("10.00"),
    actual=Decimal("-2.50"),
)


def answer() -> EligibilityResult:
    copay = Benefit(
        kind=BenefitKind.COPAY,
        code=lookup("benefit-kind", "B"),
        network=Network.IN_NETWORK,
        amount=Decimal("25.00"),
        findings=(AAA,),
    )
    return EligibilityResult(
        payer_id="summit",
        member_id="SUM123",
        active=True,
        as_of=date(2026, 12, 7),
        plan=Plan(name="Summit Gold PPO", group_number="G100"),
        benefits=(copay,),
        findings=(INDENTED, AAA),
    )


def test_findings_survive_the_stored_json() -> None:
    stored = json.loads(json.dumps(result_to_json(answer())))  # as the JSON column holds it
    back = result_from_json(stored)
    assert back.findings == (INDENTED, AAA)
    assert back.findings[0].actual == Decimal("-2.50") and back.findings[1].segment == 10
    assert [c.code for c in back.findings[1].codes] == ["43", "C"]
    assert back.benefits[0].findings == (AAA,)
    assert stored["findings"][0]["expected"] == "10.00"  # money as a decimal string, not a float


def test_a_result_stored_before_findings_were_kept_reads_back_with_none() -> None:
    stored = result_to_json(answer())
    del stored["findings"]
    for benefit in stored["benefits"]:
        del benefit["findings"]
    back = result_from_json(stored)
    assert back.findings == () and back.benefits[0].findings == ()
    assert back.benefits[0].amount == Decimal("25.00")
