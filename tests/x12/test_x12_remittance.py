"""Every 835 of the corpus read into Payments, with the amounts and codes of the files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from payers.contract import PayerProtocolError
from payers.x12.remittance import parse_835


def _one(corpus, payer_id, name, strict=True):
    (payment,) = parse_835(corpus(name), payer_id, strict=strict)
    return payment


def _adj(adjustments):
    return [(a.group.code, a.reason.code, a.amount) for a in adjustments]


def test_managed_care(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_managed_care_lfh.x12")
    assert (p.payer_id, p.trace_number, p.amount, p.method.code) == (
        payer_id,
        "7170066655",
        D("945.00"),
        "ACH",
    )
    assert p.payment_date is None  # BPR16 20002316 is not a date
    assert p.payee_npi == "5544667733"
    first, second = p.claims
    assert (first.control_number, first.payer_claim_id, first.status.code) == (
        "5554555444",
        "94060555410000",
        "1",
    )
    assert (first.charge, first.paid, first.patient_responsibility) == (
        D("800.00"),
        D("450.00"),
        D("300.00"),
    )
    assert first.member_id == "33344555510"
    assert _adj(first.adjustments) == [("CO", "A2", D("50.00"))]
    (line,) = first.lines
    assert (line.procedure.code, line.charge, line.paid) == ("99211", D("800.00"), D("500.00"))
    assert line.service_date == date(2002, 3, 1)
    assert _adj(line.adjustments) == [("PR", "1", D("300.00"))]
    assert line.adjustments[0].explanation.startswith("The patient owes this amount")
    assert _adj(second.lines[0].adjustments) == [("PR", "1", D("600.00")), ("CO", "45", D("50.00"))]


def test_secondary_payment_with_gt_separator_in_svc(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_secondary_payment_lfh.x12")
    assert (p.trace_number, p.amount, p.method.code) == ("0012524965", D("1222.00"), "CHK")
    assert [c.status.code for c in p.claims] == ["2", "2"]
    assert _adj(p.claims[0].adjustments) == [("OA", "23", D("9411.64"))]
    assert (p.claims[0].service_date_from, p.claims[0].service_date_to) == (
        date(2005, 3, 3),
        date(2005, 3, 4),
    )
    line1, line2 = p.claims[1].lines
    assert (line1.procedure.code, line1.modifiers) == (
        "12345",
        ("26",),
    )  # 'HC>12345>26' with ISA16 ':'
    assert line1.allowed_amount == D("150.00")
    assert _adj(line2.adjustments) == [
        ("PR", "1", D("150.00")),
        ("PR", "2", D("70.00")),
        ("CO", "42", D("85.00")),
    ]


def test_medicare_part_a_plb_and_moa(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_medicare_part_a_lfh.x12")
    assert (p.amount, p.payment_date, p.payee_npi) == (
        D("150000.00"),
        date(2002, 9, 13),
        "6543210903",
    )
    assert [(c.control_number, c.paid) for c in p.claims] == [
        ("666123", D("138018.40")),
        ("777777", D("11980.33")),
    ]
    assert [r.code for r in p.claims[1].remarks] == ["MA02"]
    assert p.claims[1].adjustments[0].remarks[0].code == "MA02"
    (plb,) = p.provider_adjustments
    assert (plb.reason.code, plb.amount, plb.reference) == ("CV", D("-1.27"), "CP")


def test_negative_cas(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_cob_negative_cas_lfh.x12")
    (line,) = p.claims[0].lines
    assert line.procedure.code == "55669"
    assert _adj(line.adjustments) == [("OA", "23", D("516.00")), ("OA", "94", D("-9.00"))]
    assert line.units == D("1.00")


def test_dental_predetermination(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_dental_predetermination_zentist.txt")
    assert [c.status.code for c in p.claims] == ["25", "1", "1"]
    assert p.claims[0].paid == D("0") and len(p.claims[0].lines) == 7
    assert [ln.procedure.code for ln in p.claims[0].lines][:2] == [
        "D1110",
        "D2150",
    ]  # component sep '|'
    assert p.claims[0].lines[0].adjustments[0].quantity == D("1")
    assert sum(r.code == "N30" for ln in p.claims[0].lines for r in ln.remarks) == 5
    assert p.claims[2].patient_responsibility == D("3790")


def test_institutional_denial(corpus, payer_id):
    with pytest.raises(PayerProtocolError, match="SE id=0001 does not match ST id=1234"):
        parse_835(corpus("835_5010_institutional_denial_zentist.txt"), payer_id)
    p = _one(corpus, payer_id, "835_5010_institutional_denial_zentist.txt", strict=False)
    denied = p.claims[1]
    assert (denied.payer_claim_id, denied.paid, len(denied.lines)) == ("CLAIMNUMBER2", D("0"), 5)
    assert [ln.procedure.code for ln in denied.lines] == ["0250", "0271", "85025", "0636", "36591"]
    assert {a.reason.code for ln in denied.lines for a in ln.adjustments} == {"16"}
    assert all(ln.remarks[0].code == "N142" for ln in denied.lines)


def test_professional_denial_and_paid(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_prof_denial_paid_zentist.txt")
    denial, paid = p.claims
    assert _adj(denial.lines[0].adjustments) == [("PR", "29", D("1088"))]
    assert denial.lines[0].modifiers == ("P2",)
    assert denial.member_id == "BBB1A2A1A2A1A2A"  # NM1*IL preferred over NM1*QC
    assert _adj(paid.lines[0].adjustments) == [("PR", "3", D("30")), ("CO", "45", D("12.56"))]
    assert paid.lines[0].allowed_amount == D("87.44")
    assert (paid.service_date_from, paid.service_date_to) == (date(2011, 7, 29), date(2011, 7, 29))


def test_mult_loops_zero_payment(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_mult_loops_pyx12.txt")
    assert (p.amount, p.method.code, p.trace_number) == (D("0"), "NON", "000000000")
    (claim,) = p.claims
    assert claim.status.code == "4"
    assert [ln.units for ln in claim.lines] == [D("68"), D("16"), D("36")]
    assert _adj(claim.lines[1].adjustments) == [("OA", "A7", D("127.8"))]
    assert (claim.service_date_from, claim.service_date_to) == (
        date(2003, 10, 30),
        date(2003, 11, 29),
    )


def test_emedny_single_line(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_emedny_keironstoddart.txt")
    assert (p.amount, p.payee_npi, len(p.claims)) == (D("45.75"), "9999999995", 3)
    assert [c.paid for c in p.claims] == [D("34.25"), D("0"), D("11.5")]
    assert _adj(p.claims[1].lines[0].adjustments) == [("CO", "29", D("12"))]
    assert p.claims[2].lines[2].remarks[0].code == "N206"
    assert p.claims[0].lines[0].modifiers == ("RB",)


def test_uhc_gt_component_separator(corpus, payer_id):
    p = _one(corpus, payer_id, "835_5010_uhc_gt_component_keironstoddart.txt")
    assert (p.amount, p.payment_date) == (D("349.99"), date(2021, 2, 4))
    assert [ln.procedure.code for c in p.claims for ln in c.lines] == [
        "B4152",
        "B4152",
        "B4154",
        "B4034",
        "B4154",
    ]
    last = p.claims[1].lines[2].adjustments
    assert [(a.reason.code, a.amount, a.quantity) for a in last][:2] == [
        ("2", D("5.13"), None),
        ("1", D("110"), None),
    ]


def test_4010_reversal_and_plb(corpus, payer_id):
    p = _one(corpus, payer_id, "835_4010_reversal_plb_pyx12.txt")
    assert [c.status.code for c in p.claims] == ["22", "1", "22"]
    assert p.claims[0].charge == D("-310")
    assert _adj(p.claims[0].lines[0].adjustments) == [("CR", "45", D("-100"))]
    assert [(a.reason.code, a.amount) for a in p.provider_adjustments] == [
        ("CS", D("-1008.1")),
        ("CS", D("24.21")),
        ("CS", D("5.95")),
    ]
    assert p.claims[2].lines[0].modifiers == ("TG",)


def test_4010_leading_terminator(corpus, payer_id):
    p = _one(corpus, payer_id, "835_4010_plb_lq_leading_terminator_tigershark.txt", strict=False)
    assert (p.trace_number, p.amount, p.payee_npi) == ("1QG11111111", D("12345.67"), "1333333333")
    assert [c.paid for c in p.claims] == [D("200.02"), D("12000.65")]
    assert [r.code for r in p.claims[1].lines[0].remarks] == ["N220", "M68"]
    (plb,) = p.provider_adjustments
    assert (plb.reason.code, plb.amount, plb.reference) == (
        "WO",
        D("-361.19"),
        "12104411559120820 001GAL295513",
    )


def test_missing_bpr_is_a_protocol_error(corpus, payer_id):
    text = corpus("835_5010_managed_care_lfh.x12").replace("SE*26*", "SE*25*")
    text = text.replace(
        "BPR*I*945.00*C*ACH*CCP*01*888999777*DA*24681012*1935665544**01*111333555*DA*144444*20002316~\n",
        "",
    )
    with pytest.raises(PayerProtocolError, match="835 is invalid: 835 has no BPR"):
        parse_835(text, payer_id)
