"""271 answers from the corpus read into EligibilityResult; 270 requests built and read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from payers.contract import MemberNotFound, PayerProtocolError, PayerRejected, PayerUnavailable
from payers.model import BenefitKind, CoverageLevel, MemberQuery, Network, SubscriberRelation
from payers.x12.eligibility import build_270, parse_271
from payers.x12.envelope import transactions
from payers.x12.outgoing import ControlNumbers, Parties, PayerParty, ProviderParty

SERVICE_TYPES = ["1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"]


def test_subscriber_plan_and_copays(corpus, payer_id):
    result = parse_271(
        corpus("271_5010_subscriber_plan_copay_lfh.x12"), payer_id, as_of=date(2006, 5, 1)
    )
    assert (result.payer_id, result.member_id, result.active) == (payer_id, "123456789", True)
    assert result.as_of == date(2006, 5, 1)
    assert result.plan is not None
    assert (result.plan.name, result.plan.start) == ("GOLD 123 PLAN", date(2006, 1, 1))
    assert [b.code.code for b in result.benefits] == ["1", "L", "1", "B", "B"]
    in_net, out_net = result.benefits[3], result.benefits[4]
    assert in_net.kind is BenefitKind.COPAY
    assert [c.code for c in in_net.service_types] == SERVICE_TYPES  # EB03 split on ISA11 '^'
    assert in_net.service_types[0].description != ""
    assert (in_net.amount, in_net.network) == (Decimal("10.00"), Network.IN_NETWORK)
    assert (out_net.amount, out_net.network) == (Decimal("30.00"), Network.OUT_OF_NETWORK)
    assert in_net.time_period is not None and in_net.time_period.code == "27"
    assert in_net.plan_description == "GOLD 123 PLAN"
    # the PCP's NM1*P3 inside LS/LE 2120 is not taken for the member
    assert result.benefits[1].kind is BenefitKind.PRIMARY_CARE_PROVIDER


def test_dependent_loop_benefits(corpus, payer_id):
    result = parse_271(corpus("271_5010_dependent_plan_copay_lfh.x12"), payer_id)
    assert result.member_id == "123456789"  # the subscriber's id from 2100C
    assert result.as_of == date(2006, 5, 1)  # BHT04 when no DTP*291
    assert len(result.benefits) == 5
    assert sum(b.kind is BenefitKind.COPAY for b in result.benefits) == 2


def test_rich_5010_pipe_file(corpus, payer_id):
    result = parse_271(corpus("271_5010_rich_eb_pipe_zentist.txt"), payer_id, strict=False)
    assert result.member_id == "1234567899"
    assert result.plan is not None
    assert result.plan.group_number == "030030001000120"
    assert result.plan.group_name == "NEVADA EXCHANGE"
    assert result.plan.plan_number == "0404044"  # REF*18
    assert result.plan.start == date(2016, 2, 1)  # DTP*346
    assert len(result.benefits) == 18  # the EB06=29 line is folded into the OOP it states
    oop = result.benefits[3]
    assert (oop.kind, oop.amount, oop.remaining, oop.coverage_level) == (
        BenefitKind.OUT_OF_POCKET,
        Decimal("2100"),
        Decimal("2100"),
        CoverageLevel.INDIVIDUAL,
    )
    assert len(oop.messages) == 2 and oop.messages[1] == "INT MED AND RX"
    active = result.benefits[7]
    assert [c.code for c in active.service_types] == [
        "1",
        "33",
        "47",
        "48",
        "50",
        "86",
        "98",
        "UC",
        "AL",
        "MH",
        "88",
    ]  # split on '}'
    coins = result.benefits[10]
    assert (coins.kind, coins.percent) == (BenefitKind.COINSURANCE, Decimal(".1"))
    visits = result.benefits[12]
    assert (visits.kind, visits.quantity, visits.quantity_unit) == (
        BenefitKind.LIMITATION,
        Decimal("35"),
        "VS",
    )  # from HSD
    assert result.benefits[4].authorization_required is None
    assert result.benefits[-1].network is Network.OUT_OF_NETWORK
    assert [b.kind for b in result.benefits].count(BenefitKind.NON_COVERED) == 3


def test_4010_rich_benefits_with_used_and_remaining(corpus, payer_id):
    result = parse_271(corpus("271_4010_rich_eb_tigershark.txt"), payer_id)
    assert len(result.benefits) == 93  # 16 year-to-date/remaining lines folded into their amounts
    # EB*R's 2120 NM1*PR names the other payer: a coordination-of-benefits hint
    assert [o.payer_name for o in result.other_coverage] == ["MEDICARE"]
    assert result.plan is not None and result.plan.name == "MANAGED INDEMNITY"
    family_oop = result.benefits[1]
    assert (family_oop.amount, family_oop.used, family_oop.remaining) == (
        Decimal("3000"),
        Decimal("3025.9"),  # EB06=24 year to date
        Decimal("0"),  # EB06=29 remaining
    )
    assert family_oop.network is Network.IN_NETWORK
    assert sum(b.kind is BenefitKind.COINSURANCE for b in result.benefits) == 26
    assert sum(b.kind is BenefitKind.ACTIVE_COVERAGE for b in result.benefits) == 27
    assert result.benefits[-2].code.code == "R"  # other payer (Medicare)
    assert result.benefits[-2].kind is BenefitKind.OTHER_PAYER


def test_4010_dependent_benefits(corpus, payer_id):
    result = parse_271(corpus("271_4010_dependent_benefits_tigershark.txt"), payer_id, strict=False)
    assert result.member_id == "111111111"
    assert result.plan is not None
    assert (result.plan.plan_number, result.plan.group_number) == ("1234567", "11111")
    assert result.plan.group_name == "ACME MEDICAL, INC"
    assert len(result.benefits) == 17
    deductibles = [b for b in result.benefits if b.kind is BenefitKind.DEDUCTIBLE]
    assert len(deductibles) == 4
    assert (deductibles[0].amount, deductibles[0].remaining) == (Decimal("600"), Decimal("186.89"))
    assert (deductibles[2].amount, deductibles[2].remaining) == (Decimal("200"), Decimal("78.8"))
    assert deductibles[0].messages == ("Med Dent", "LAB OP DIR ACC", "OP LAB")  # not repeated
    assert result.benefits[-1].percent == Decimal(".3")


def test_4010_related_entity_and_disclaimer(corpus, payer_id):
    result = parse_271(corpus("271_4010_related_entity_tigershark.txt"), payer_id, strict=False)
    assert len(result.benefits) == 11
    assert result.benefits[0].coverage_level is CoverageLevel.EMPLOYEE_AND_SPOUSE
    assert result.plan is not None
    assert (result.plan.start, result.plan.end) == (date(2012, 1, 1), date(9999, 12, 31))
    assert [(b.amount, b.remaining) for b in result.benefits[1:4]] == [
        (Decimal("1000"), Decimal("870")),
        (Decimal("1500"), Decimal("1370")),
        (Decimal("500"), Decimal("460")),
    ]
    assert len(result.messages) == 1 and result.messages[0].startswith("UNLESS OTHERWISE REQUIRED")


def test_aaa_member_not_found(corpus, payer_id):
    with pytest.raises(MemberNotFound) as e:
        parse_271(corpus("271_4010_aaa_not_found_tigershark.txt"), payer_id)
    assert e.value.payer_id == payer_id
    for code in ("72", "73", "58"):
        assert f" {code} " in e.value.message or f": {code} " in e.value.message
    assert "Please Correct and Resubmit" in e.value.message


def test_aaa_at_subscriber_with_dependent_following(corpus, payer_id):
    with pytest.raises(MemberNotFound, match="72"):
        parse_271(corpus("271_4010_aaa_dependent_tigershark.txt"), payer_id)


def test_aaa_provider_rejection_carries_reasons(corpus, payer_id):
    with pytest.raises(PayerRejected) as e:
        parse_271(corpus("271_5010_aaa_provider_rejection_lfh.x12"), payer_id, strict=False)
    (reason,) = e.value.reasons
    assert reason.code.system == "aaa-reject-reason"
    assert reason.code.code == "50"
    assert reason.follow_up is not None and reason.follow_up == "Resubmission Not Allowed"
    assert "information receiver" in e.value.message


def test_aaa_42_is_unavailable(corpus, payer_id):
    text = corpus("271_5010_aaa_provider_rejection_lfh.x12").replace("AAA*Y**50*N", "AAA*Y**42*R")
    with pytest.raises(PayerUnavailable) as e:
        parse_271(text, payer_id, strict=False)
    assert e.value.retryable
    # the reasons are machine-readable, as on PayerRejected
    assert [(r.code.system, r.code.code, r.follow_up) for r in e.value.reasons] == [
        ("aaa-reject-reason", "42", "Resubmission Allowed")
    ]


def test_malformed_271_is_a_protocol_error(corpus, payer_id):
    with pytest.raises(PayerProtocolError, match="terminator"):
        parse_271(corpus("271_5010_in_out_network_malformed_zentist.txt"), payer_id, strict=False)


def test_bad_amount_leaves_that_benefit_out_with_a_finding(corpus, payer_id):
    text = corpus("271_5010_subscriber_plan_copay_lfh.x12").replace("*27*10.00*", "*27*10,00*")
    result = parse_271(text, payer_id)
    assert [b.code.code for b in result.benefits] == ["1", "L", "1", "B"]  # the other four kept
    assert result.benefits[3].amount == Decimal("30.00")
    (finding,) = result.findings
    assert finding.code == "271_BENEFIT_UNREADABLE"
    assert finding.severity.value == "error"
    assert finding.message.startswith("EB07 (segment 22) benefit amount is not a number")
    assert (finding.location, finding.segment) == ("loop 2110C, EB (segment 22)", 22)
    assert [c.code for c in finding.codes] == ["B"]


def _build(member: MemberQuery) -> str:
    return build_270(
        member,
        ["30", "98"],
        date(2025, 3, 3),
        payer=PayerParty("60054", "AETNA"),
        provider=ProviderParty("1234567893", "RIVERSIDE FAMILY MEDICINE"),
        parties=Parties("CLINIC01", "PAYER01", usage="T"),
        numbers=ControlNumbers.from_number(42),
        trace="000000042",
        created=datetime(2025, 3, 3, 9, 30),
    )


def test_built_270_for_subscriber_reads_back(payer_id):
    member = MemberQuery("W123456789", "Maria", "Lopez", date(1985, 3, 14), "GRP1001")
    (transaction,) = transactions(_build(member), payer_id, "270")
    assert transaction.implementation == "005010X279A1"
    ids = [s.id for s in transaction.segments]
    assert ids == [
        "BHT",
        "HL",
        "NM1",
        "HL",
        "NM1",
        "HL",
        "TRN",
        "NM1",
        "REF",
        "DMG",
        "DTP",
        "EQ",
        "EQ",
    ]
    nm1 = transaction.segments[7]
    assert [nm1.get(n) for n in (1, 3, 4, 8, 9)] == ["IL", "Lopez", "Maria", "MI", "W123456789"]
    assert transaction.segments[10].get(3) == "20250303"
    assert transaction.segments[5].get(4) == "0"  # no dependent loop


def test_built_270_for_dependent_uses_2000d(payer_id):
    member = MemberQuery(
        "W123456789", "Leo", "Lopez", date(2015, 6, 2), relation=SubscriberRelation.CHILD
    )
    (transaction,) = transactions(_build(member), payer_id, "270")
    hl = [s for s in transaction.segments if s.id == "HL"]
    assert [s.get(3) for s in hl] == ["20", "21", "22", "23"]
    dependent = next(s for s in transaction.segments if s.id == "NM1" and s.get(1) == "03")
    assert (dependent.get(3), dependent.get(4)) == ("Lopez", "Leo")


def test_corpus_270_key_fields(corpus, payer_id):
    (transaction,) = transactions(corpus("270_5010_dependent_inquiry_lfh.x12"), payer_id, "270")
    eq = [s.get(1) for s in transaction.segments if s.id == "EQ"]
    dtp = next(s for s in transaction.segments if s.id == "DTP")
    assert eq == ["30"] and (dtp.get(1), dtp.get(3)) == ("291", "20060501")
