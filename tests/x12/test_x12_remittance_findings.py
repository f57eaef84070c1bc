"""835 files as they really arrive: findings for what does not balance, broken parts left out and
reported (never the whole remittance), codes read in the list their qualifier names, and the payer
and payee facts a biller needs. Every public 835 fixture has its findings (or none) checked here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from payers.contract import PayerProtocolError
from payers.model import Finding, FindingSeverity, Payment
from payers.x12.remittance import parse_835 as parse_835_with_layout

ERROR, WARNING = FindingSeverity.ERROR, FindingSeverity.WARNING


def parse_835(*args, **kwargs):
    """The 835's own findings; how the file is laid out is tests/x12/test_x12_layout.py's part."""
    return [
        replace(p, findings=tuple(f for f in p.findings if not f.code.startswith("X12_LAYOUT")))
        for p in parse_835_with_layout(*args, **kwargs)
    ]


def _read(corpus, payer_id, name, strict=False) -> list[Payment]:
    return parse_835(corpus(name), payer_id, strict=strict)


def _f(finding: Finding) -> tuple:
    return (finding.code, finding.severity, finding.location, finding.segment)


def _numbers(finding: Finding) -> tuple:
    return (finding.code, finding.expected, finding.actual)


def _every_finding(payment: Payment) -> list[str]:
    found = [f.code for f in payment.findings]
    for claim in payment.claims:
        found += [f.code for f in claim.findings]
        found += [f.code for line in claim.lines for f in line.findings]
    return found


# --- new public fixtures ----------------------------------------------------------------------------


def test_tertiary_with_broken_svc_composite_keeps_payment_and_claim(corpus, payer_id):
    # SVC*HC*24599.00*...: the code sits where the charge belongs; the line cannot be trusted.
    (p,) = _read(corpus, payer_id, "835_5010_tertiary_broken_svc_composite_lfh.x12", strict=True)
    assert (p.trace_number, p.amount, p.method.code, p.payment_date) == (
        "0012524879",
        D("187.50"),
        "CHK",
        None,  # the sender put the date in BPR15, one place early: not a payment date
    )
    assert (p.payer_name, p.payee_name, p.payee_tax_id) == (
        "YOUR TAX DOLLARS AT WORK",
        "ACME MEDICAL CENTER",
        "599944521",
    )
    assert [(i.qualifier.code, i.value) for i in p.payee_ids] == [
        ("FI", "599944521"),
        ("PQ", "10488"),
    ]
    assert p.findings == ()  # BPR02 187.50 is the one claim's payment
    (claim,) = p.claims
    assert (claim.control_number, claim.status.code, claim.charge, claim.paid) == (
        "0001000054",
        "3",
        D("1766.50"),
        D("187.50"),
    )
    assert claim.filing_indicator.code == "12"  # type: ignore[union-attr]
    assert claim.filing_indicator.description == "Preferred Provider Organization (PPO)"  # type: ignore[union-attr]
    assert claim.lines == ()
    (broken,) = claim.findings
    assert _f(broken) == ("835_LINE_UNREADABLE", ERROR, "loop 2110, claim 1, line 1", 18)
    assert "SVC01 has no qualifier and procedure code" in broken.message
    assert "segment 20" not in broken.message  # its place in the file is not its place in the set


def test_4010_two_transaction_sets_with_wrong_counts(corpus, payer_id):
    name = "835_4010_two_sets_leading_terminator_tigershark.txt"
    with pytest.raises(PayerProtocolError, match="SE count of 28 for SE02=0001 is wrong"):
        _read(corpus, payer_id, name, strict=True)
    first, second = _read(corpus, payer_id, name)
    assert [(p.trace_number, p.amount) for p in (first, second)] == [
        ("1QG11111111", D("12345.67")),
        ("1QG11111112", D("12000.65")),
    ]
    assert [_numbers(f) for f in first.findings] == [
        ("835_PAYMENT_UNBALANCED", D("200.02"), D("12345.67")),
        ("835_SEGMENT_COUNT", D("29"), D("28")),
        ("835_TRANSACTION_COUNT", D("2"), D("1")),
    ]
    assert first.findings[1].segment == 29 and first.findings[1].location == "SE"
    assert [_numbers(f) for f in second.findings] == [
        ("835_SEGMENT_COUNT", D("30"), D("28")),
        ("835_TRANSACTION_COUNT", D("2"), D("1")),
    ]
    (claim,) = second.claims
    assert (claim.control_number, claim.charge, claim.paid, claim.patient_responsibility) == (
        "001-SSSSSSSSST",
        D("23276.56"),
        D("12000.65"),
        D("145.00"),
    )
    assert [(a.group.code, a.reason.code, a.amount) for a in claim.adjustments] == [
        ("PR", "1", D("145.00"))
    ]
    (line,) = claim.lines
    assert [(a.group.code, a.reason.code, a.amount) for a in line.adjustments] == [
        ("CO", "45", D("11130.91"))
    ]
    assert claim.findings == () and line.findings == ()  # 23276.56 - 12000.65 = 145 + 11130.91
    assert (claim.filing_indicator.code, claim.facility_code.code) == ("14", "81")  # type: ignore[union-attr]
    assert claim.facility_code.description == "Independent Laboratory"  # type: ignore[union-attr]
    assert [(i.qualifier.code, i.value) for i in second.payer_ids] == [
        ("XV", "87726"),
        ("2U", "87726"),
    ]


def test_4010_unbalanced_claim_payment_and_segment_count(corpus, payer_id):
    name = "835_4010_unbalanced_bad_se_count_zentist.txt"
    with pytest.raises(PayerProtocolError, match="SE count of 5109"):
        _read(corpus, payer_id, name, strict=True)
    (p,) = _read(corpus, payer_id, name)
    assert (p.trace_number, p.amount, len(p.claims)) == ("1QG11111111", D("12345.67"), 2)
    assert [_numbers(f) for f in p.findings] == [
        ("835_PAYMENT_UNBALANCED", D("12200.67"), D("12345.67")),
        ("835_SEGMENT_COUNT", D("44"), D("5109")),
    ]
    assert p.findings[0].segment == 2 and p.findings[0].location == "BPR"
    first, second = p.claims
    assert first.findings == ()
    # Charge 23276.56 - paid 12000.65 = 11275.91, but the only CAS is CO 45 11130.91: 145.00 short,
    # which is also CLP05's patient responsibility with no PR adjustment to carry it.
    assert [_numbers(f) for f in second.findings] == [
        ("835_CLAIM_UNBALANCED", D("23131.56"), D("23276.56")),
        ("835_PATIENT_RESPONSIBILITY_MISMATCH", D("0"), D("145.00")),
    ]
    assert {_f(f)[1:] for f in second.findings} == {(WARNING, "loop 2100, claim 2", 30)}
    assert second.lines[0].findings == ()  # the line itself balances


def test_two_interchanges_of_835s_without_bpr_are_refused(corpus, payer_id):
    # Five empty 835 sets (ST/SE only) across two interchanges: there is no payment to keep.
    for strict in (True, False):
        with pytest.raises(PayerProtocolError, match="835 has no BPR financial information"):
            _read(corpus, payer_id, "835_4010_two_interchanges_no_bpr_pyx12.txt", strict=strict)


def test_4010_denied_claim_lines_balance(corpus, payer_id):
    (p,) = _read(corpus, payer_id, "835_4010_mult_loops_pyx12.txt", strict=True)
    assert (p.trace_number, p.amount, p.method.code) == ("000000000", D("0"), "NON")
    (claim,) = p.claims
    assert (claim.status.code, claim.charge, claim.paid, claim.filing_indicator.code) == (  # type: ignore[union-attr]
        "4",
        D("915.39"),
        D("0"),
        "MC",
    )
    assert [(ln.procedure.code, ln.units, ln.charge) for ln in claim.lines] == [
        ("T1005", D("68"), D("500.04")),
        ("T1005", D("16"), D("127.8")),
        ("T1005", D("36"), D("287.55")),
    ]
    assert [a.reason.code for ln in claim.lines for a in ln.adjustments] == ["16", "A7", "A7"]
    assert _every_finding(p) == []


# --- findings of the other fixtures -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "strict", "head", "expected"),
    [
        (
            "835_4010_plb_lq_leading_terminator_tigershark.txt",
            False,
            ("1QG11111111", D("12345.67"), 2),
            [
                ("835_PAYMENT_UNBALANCED", D("12561.86"), D("12345.67")),
                ("835_SEGMENT_COUNT", D("47"), D("43")),
            ],
        ),
        # Claims 510.25 short of zero (two reversals), PLB -977.94 adds: 467.69, not 5950.21.
        (
            "835_4010_reversal_plb_pyx12.txt",
            True,
            ("0004926", D("5950.21"), 3),
            [("835_PAYMENT_UNBALANCED", D("467.69"), D("5950.21"))],
        ),
        ("835_5010_cob_negative_cas_lfh.x12", True, ("0063158ABC", D("34.00"), 1), []),
        ("835_5010_dental_predetermination_zentist.txt", True, ("123456789", D("1790"), 3), []),
        ("835_5010_emedny_keironstoddart.txt", True, ("10100000000", D("45.75"), 3), []),
        ("835_5010_institutional_denial_zentist.txt", False, ("123456789", D("100"), 2), []),
        (
            "835_5010_managed_care_lfh.x12",
            True,
            ("7170066655", D("945.00"), 2),
            [("835_ELEMENT_UNREADABLE", None, None)],
        ),
        ("835_5010_medicare_part_a_lfh.x12", True, ("12345", D("150000.00"), 2), []),
        ("835_5010_mult_loops_pyx12.txt", True, ("000000000", D("0"), 1), []),
        ("835_5010_prof_denial_paid_zentist.txt", True, ("123456789", D("57.44"), 2), []),
        ("835_5010_secondary_payment_lfh.x12", True, ("0012524965", D("1222.00"), 2), []),
        ("835_5010_uhc_gt_component_keironstoddart.txt", True, ("1234567890", D("349.99"), 2), []),
    ],
)
def test_findings_of_every_fixture(corpus, payer_id, name, strict, head, expected):
    (p,) = _read(corpus, payer_id, name, strict=strict)
    assert (p.trace_number, p.amount, len(p.claims)) == head
    assert [_numbers(f) for f in p.findings] == expected
    assert [f for c in p.claims for f in c.findings] == []
    assert [f for c in p.claims for ln in c.lines for f in ln.findings] == []


def test_an_impossible_bpr16_is_reported_not_hidden(corpus, payer_id):
    (p,) = _read(corpus, payer_id, "835_5010_managed_care_lfh.x12", strict=True)
    (finding,) = p.findings
    assert _f(finding) == ("835_ELEMENT_UNREADABLE", ERROR, "BPR", 2)
    assert "BPR16" in finding.message and p.payment_date is None


def test_the_file_without_an_envelope_is_refused(corpus, payer_id):
    with pytest.raises(PayerProtocolError, match="must start with an ISA segment"):
        _read(corpus, payer_id, "835_5010_no_envelope_keironstoddart.txt")


def test_reversals_balance_with_their_negative_amounts(corpus, payer_id):
    (p,) = _read(corpus, payer_id, "835_4010_reversal_plb_pyx12.txt", strict=True)
    reversal = p.claims[0]
    assert (reversal.status.code, reversal.charge, reversal.paid) == ("22", D("-310"), D("-210"))
    assert [a.amount for a in reversal.lines[0].adjustments] == [D("-100")]
    assert reversal.findings == () and reversal.lines[0].findings == ()
    assert [(a.provider_id, a.fiscal_period_end) for a in p.provider_adjustments] == [
        ("382999999", date(2009, 9, 30))
    ] * 3


def test_a_negative_plb_adds_to_the_payment(corpus, payer_id):
    # 138018.40 + 11980.33 - (-1.27) = 150000.00: balanced, so no finding.
    (p,) = _read(corpus, payer_id, "835_5010_medicare_part_a_lfh.x12", strict=True)
    assert p.findings == ()
    (plb,) = p.provider_adjustments
    assert (plb.provider_id, plb.fiscal_period_end, plb.amount) == (
        "6543210903",
        date(2002, 12, 31),
        D("-1.27"),
    )
    assert [(i.qualifier.code, i.value) for i in p.payer_ids] == [("2U", "999")]
    # MIA on the first claim: an institutional remittance, CLP08 is the bill's facility type.
    assert [c.facility_code.code for c in p.claims] == ["11", "13"]  # type: ignore[union-attr]
    assert p.claims[1].facility_code.description == "Hospital - outpatient"  # type: ignore[union-attr]
    assert [c.filing_indicator.code for c in p.claims] == ["MA", "MB"]  # type: ignore[union-attr]


# --- codes in their own code lists -------------------------------------------------------------------


def test_revenue_codes_are_not_procedure_codes(corpus, payer_id):
    (p,) = _read(corpus, payer_id, "835_5010_institutional_denial_zentist.txt")
    lines = p.claims[1].lines
    assert [
        (ln.procedure_qualifier.code, ln.procedure.system, ln.procedure.code) for ln in lines
    ] == [  # type: ignore[union-attr]
        ("NU", "revenue-code", "0250"),
        ("NU", "revenue-code", "0271"),
        ("HC", "procedure", "85025"),
        ("NU", "revenue-code", "0636"),
        ("HC", "procedure", "36591"),
    ]
    assert lines[0].procedure.description == "Pharmacy (general)"
    assert p.claims[0].lines[0].procedure.description == "Emergency room (general)"
    assert p.claims[1].facility_code.description == "Hospital - outpatient"  # type: ignore[union-attr]


def test_dental_codes_keep_their_list(corpus, payer_id):
    (p,) = _read(corpus, payer_id, "835_5010_dental_predetermination_zentist.txt", strict=True)
    line = p.claims[0].lines[0]
    assert (line.procedure.system, line.procedure.code, line.procedure_qualifier.code) == (  # type: ignore[union-attr]
        "cdt",
        "D1110",
        "AD",
    )
    assert line.procedure.description == "ADA dental procedure code D1110"


@pytest.mark.parametrize(
    ("qualifier", "system", "description"),
    [
        ("ZZ", "mutually-defined", "mutually defined code 99211"),
        ("N4", "ndc", "National Drug Code 99211"),
        ("ER", "jurisdiction-specific", "jurisdiction-specific procedure or supply code 99211"),
        ("IV", "hiec", "Home Infusion EDI Coalition (HIEC) product/service code 99211"),
        ("NU", "revenue-code", "revenue code 99211"),
    ],
)
def test_svc01_qualifier_names_the_code_list(corpus, payer_id, qualifier, system, description):
    text = corpus("835_5010_managed_care_lfh.x12").replace("SVC*HC:99211", f"SVC*{qualifier}:99211")
    (p,) = parse_835(text, payer_id)
    line = p.claims[0].lines[0]
    assert (line.procedure.system, line.procedure.code) == (system, "99211")
    assert line.procedure.description.startswith(description)
    assert line.procedure_qualifier.code == qualifier  # type: ignore[union-attr]
    assert _every_finding(p) == ["835_ELEMENT_UNREADABLE"]  # only BPR16


def test_an_unknown_qualifier_is_kept_and_reported(corpus, payer_id):
    text = corpus("835_5010_managed_care_lfh.x12").replace("SVC*HC:99211", "SVC*Q9:99211")
    (p,) = parse_835(text, payer_id)
    line = p.claims[0].lines[0]
    assert (line.procedure.system, line.procedure.code) == ("service-code", "99211")
    (finding,) = line.findings
    assert _f(finding) == ("835_UNKNOWN_CODE", WARNING, "loop 2110, claim 1, line 1", 14)


# --- one broken part, everything else kept -----------------------------------------------------------


def _managed_care(corpus, old: str, new: str) -> str:
    text = corpus("835_5010_managed_care_lfh.x12")
    assert old in text
    return text.replace(old, new)


def test_a_claim_with_an_unreadable_payment_is_left_out_alone(corpus, payer_id):
    text = _managed_care(corpus, "*1*800.00*450.00*", "*1*800.00*45O.00*")
    (p,) = parse_835(text, payer_id)
    assert (p.trace_number, p.amount) == ("7170066655", D("945.00"))
    assert [c.control_number for c in p.claims] == ["8765432112"]
    codes = [_f(f) for f in p.findings]
    assert ("835_CLAIM_UNREADABLE", ERROR, "loop 2100, claim 1", 11) in codes
    assert "835_PAYMENT_UNBALANCED" not in [f.code for f in p.findings]  # not with a claim missing
    assert "CLP04" in next(f.message for f in p.findings if f.code == "835_CLAIM_UNREADABLE")


def test_a_claim_missing_its_charge_is_left_out(corpus, payer_id):
    text = _managed_care(corpus, "CLP*8765432112*1*1200.00*", "CLP*8765432112*1**")
    (p,) = parse_835(text, payer_id)
    assert [c.control_number for c in p.claims] == ["5554555444"]
    unreadable = [f for f in p.findings if f.code == "835_CLAIM_UNREADABLE"]
    assert [(f.location, f.segment) for f in unreadable] == [("loop 2100, claim 2", 18)]
    assert "CLP03" in unreadable[0].message and "missing" in unreadable[0].message


def test_a_line_with_an_unreadable_charge_is_left_out_alone(corpus, payer_id):
    text = _managed_care(corpus, "SVC*HC:93555*1200.00*", "SVC*HC:93555*12,00.00*")
    (p,) = parse_835(text, payer_id)
    first, second = p.claims
    assert len(first.lines) == 1 and first.findings == ()
    assert second.lines == ()
    (finding,) = second.findings  # no CLAIM_UNBALANCED beside it: a line is missing
    assert _f(finding) == ("835_LINE_UNREADABLE", ERROR, "loop 2110, claim 2, line 1", 21)
    assert (second.charge, second.paid) == (D("1200.00"), D("495.00"))
    assert [a.amount for a in second.adjustments] == [D("55.00")]


def test_an_unreadable_cas_amount_is_left_out_and_named(corpus, payer_id):
    text = _managed_care(corpus, "CAS*PR*1*600.00~", "CAS*PR*1*6OO.00~")
    (p,) = parse_835(text, payer_id)
    line = p.claims[1].lines[0]
    assert [(a.reason.code, a.amount) for a in line.adjustments] == [("45", D("50.00"))]
    (finding,) = line.findings
    assert _f(finding) == ("835_ADJUSTMENT_UNREADABLE", ERROR, "loop 2110, claim 2, line 1", 24)
    assert p.claims[1].findings == ()  # the claim is not balanced without that adjustment


def test_an_unknown_claim_status_and_a_bad_date_keep_the_claim(corpus, payer_id):
    text = _managed_care(corpus, "CLP*5554555444*1*", "CLP*5554555444*77*")
    text = text.replace("DTM*150*20020301~", "DTM*150*20021301~")
    (p,) = parse_835(text, payer_id)
    claim = p.claims[0]
    assert (claim.status.code, claim.paid) == ("77", D("450.00"))
    assert "not in the gateway's table" in claim.status.description
    assert [_f(f) for f in claim.findings] == [
        ("835_UNKNOWN_CODE", WARNING, "loop 2100, claim 1", 11)
    ]
    line = claim.lines[0]
    assert line.service_date is None
    assert [_f(f) for f in line.findings] == [
        ("835_ELEMENT_UNREADABLE", ERROR, "loop 2110, claim 1, line 1", 15)
    ]


def test_an_unreadable_plb_amount_is_left_out(corpus, payer_id):
    text = corpus("835_5010_medicare_part_a_lfh.x12").replace("CV:CP*-1.27~", "CV:CP*-1.2.7~")
    (p,) = parse_835(text, payer_id)
    assert p.provider_adjustments == ()
    assert len(p.claims) == 2
    assert [_f(f) for f in p.findings] == [("835_PROVIDER_ADJUSTMENT_UNREADABLE", ERROR, "PLB", 27)]


def test_a_line_that_does_not_balance(corpus, payer_id):
    text = _managed_care(corpus, "SVC*HC:99211*800.00*500.00~", "SVC*HC:99211*810.00*500.00~")
    (p,) = parse_835(text, payer_id)
    line = p.claims[0].lines[0]
    (finding,) = line.findings
    assert _f(finding) == ("835_LINE_UNBALANCED", WARNING, "loop 2110, claim 1, line 1", 14)
    assert (finding.expected, finding.actual) == (D("800.00"), D("810.00"))
    assert p.claims[0].findings == ()  # the claim's own figures still balance


def test_every_835_finding_code_is_documented():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = "".join(
        (root / "payers" / "x12" / name).read_text()
        for name in ("remittance.py", "remittance_balancing.py")
    )
    codes = set(re.findall(r'"(835_[A-Z_]+)"', source))
    assert len(codes) == 12
    section = (root / "docs" / "x12.md").read_text().split("## 835 findings", 1)[1]
    assert {c for c in codes if f"`{c}`" not in section} == set()


def test_several_interchanges_in_one_file_give_every_payment(corpus, payer_id):
    text = corpus("835_5010_managed_care_lfh.x12") + corpus("835_5010_mult_loops_pyx12.txt")
    first, second = parse_835(text, payer_id)
    assert [(p.trace_number, p.amount, len(p.claims)) for p in (first, second)] == [
        ("7170066655", D("945.00"), 2),
        ("000000000", D("0"), 1),
    ]
    assert [f.code for f in first.findings] == ["835_ELEMENT_UNREADABLE"]  # its BPR16
    assert second.findings == ()
