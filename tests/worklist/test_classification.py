"""The worklist classification: every kind, with real X12 code sets, and what must not be flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gateway.jobs.procedure_service_types import service_type_of
from gateway.jobs.worklist import (
    CheckFailure,
    PlanFieldChange,
    PlannedVisit,
    WorklistKind,
    classify,
    spoken_date,
)
from payers.codesets import lookup
from payers.model import Benefit, BenefitKind, CoverageLevel, EligibilityResult, Network, Plan

VISIT_DAY = date(2026, 12, 7)
PLAN = Plan(
    name="Northwind Blue Advantage PPO",
    group_number="0072215",
    group_name="Heron Logistics LLC",
    plan_number="NWB-ADV-PPO",
    start=date(2024, 1, 1),
)


def st(code: str):
    return lookup("service-type", code)


def cpt(code: str):
    return lookup("procedure", code)


def aaa(code: str):
    return lookup("aaa-reject-reason", code)


def kind_code(letter: str):
    return lookup("benefit-kind", letter)


ACTIVE_LINE = Benefit(BenefitKind.ACTIVE_COVERAGE, kind_code("1"), (st("30"),))


def deductible(
    remaining: str | None,
    *,
    amount: str | None = "2000.00",
    used: str | None = None,
    level: CoverageLevel = CoverageLevel.INDIVIDUAL,
    network: Network = Network.IN_NETWORK,
    service_type: str = "30",
) -> Benefit:
    return Benefit(
        BenefitKind.DEDUCTIBLE,
        kind_code("C"),
        (st(service_type),),
        network=network,
        coverage_level=level,
        time_period=lookup("time-period", "23"),
        amount=Decimal(amount) if amount is not None else None,
        remaining=Decimal(remaining) if remaining is not None else None,
        used=Decimal(used) if used is not None else None,
    )


def therapy_limit(auth: bool | None) -> Benefit:
    return Benefit(
        BenefitKind.LIMITATION,
        kind_code("F"),
        (st("PT"),),
        network=Network.BOTH,
        quantity=Decimal(20),
        quantity_unit="visits",
        authorization_required=auth,
    )


def result(*benefits: Benefit, active: bool = True, plan: Plan | None = PLAN) -> EligibilityResult:
    return EligibilityResult(
        payer_id="northwind",
        member_id="NWB700314562",
        active=active,
        as_of=VISIT_DAY,
        plan=plan,
        benefits=(ACTIVE_LINE, *benefits) if active else benefits,
    )


def kinds(items) -> list[WorklistKind]:
    return [item.kind for item in items]


# --- nothing to do ------------------------------------------------------------------------------------


def test_active_coverage_with_met_deductible_and_no_visit_needs_nothing() -> None:
    assert classify(result(deductible("0.00"))) == ()


def test_a_failure_still_being_retried_is_not_on_the_worklist() -> None:
    assert classify(CheckFailure("PAYER_TIMEOUT", attempts=3, final=False)) == ()


# --- coverage not in force -----------------------------------------------------------------------------


def test_an_ended_coverage_says_when_it_ended() -> None:
    ended = Plan(
        name=PLAN.name, group_number="0072215", start=date(2023, 1, 1), end=date(2026, 11, 30)
    )
    (item,) = classify(result(active=False, plan=ended))
    assert item.kind is WorklistKind.COVERAGE_ENDED
    assert item.end_date == date(2026, 11, 30)
    assert "ended on November 30, 2026" in item.explanation
    assert "December 7, 2026" in item.explanation


def test_inactive_without_an_end_date_is_inactive() -> None:
    (item,) = classify(result(active=False, plan=PLAN))
    assert item.kind is WorklistKind.INACTIVE
    assert item.end_date is None
    assert "not active on December 7, 2026" in item.explanation


def test_inactive_because_the_plan_starts_later_names_the_start() -> None:
    later = Plan(name=PLAN.name, start=date(2027, 1, 1))
    (item,) = classify(result(active=False, plan=later))
    assert item.kind is WorklistKind.INACTIVE
    assert item.start_date == date(2027, 1, 1)
    assert "starts on January 1, 2027" in item.explanation


def test_an_inactive_coverage_lists_nothing_else() -> None:
    """Deductible, auth and plan changes mean nothing when the coverage is not in force."""
    ended = Plan(name="Other plan", end=date(2026, 10, 31))
    visit = PlannedVisit(VISIT_DAY, (st("PT"),), (cpt("97110"),))
    items = classify(
        result(deductible("900.00"), therapy_limit(True), active=False, plan=ended),
        previous=result(),
        visit=visit,
    )
    assert kinds(items) == [WorklistKind.COVERAGE_ENDED]


def test_an_end_date_on_the_visit_day_is_not_ended() -> None:
    """Coverage is in force through its end date: a payer saying inactive then is just inactive."""
    plan = Plan(name=PLAN.name, end=VISIT_DAY)
    assert kinds(classify(result(active=False, plan=plan))) == [WorklistKind.INACTIVE]


# --- failures ------------------------------------------------------------------------------------------


def test_member_not_found_gives_the_reasons_in_plain_words() -> None:
    (item,) = classify(CheckFailure("MEMBER_NOT_FOUND", (aaa("75"),)))
    assert item.kind is WorklistKind.MEMBER_NOT_FOUND
    assert item.reasons == (aaa("75"),)
    assert "cannot find this subscriber" in item.explanation
    assert "member ID" in item.explanation


def test_member_not_found_without_reasons_still_says_what_to_check() -> None:
    (item,) = classify(CheckFailure("MEMBER_NOT_FOUND"))
    assert item.kind is WorklistKind.MEMBER_NOT_FOUND
    assert "birth date" in item.explanation


@pytest.mark.parametrize("code", ["PAYER_UNAVAILABLE", "PAYER_TIMEOUT"])
def test_a_payer_down_after_the_retries_is_not_answering(code: str) -> None:
    (item,) = classify(CheckFailure(code, attempts=7))
    assert item.kind is WorklistKind.PAYER_NOT_ANSWERING
    assert item.attempts == 7
    assert "tried 7 times" in item.explanation
    assert item.error_code == code


def test_a_refusal_for_another_reason_names_the_payers_codes() -> None:
    (item,) = classify(CheckFailure("PAYER_REJECTED", (aaa("41"),)))
    assert item.kind is WorklistKind.CHECK_FAILED
    assert "41 Authorization/Access Restrictions" in item.explanation


def test_an_unreadable_answer_is_a_failed_check() -> None:
    (item,) = classify(CheckFailure("PAYER_PROTOCOL_ERROR"))
    assert item.kind is WorklistKind.CHECK_FAILED
    assert "could not be read" in item.explanation


# --- plan changes ----------------------------------------------------------------------------------------


def test_a_new_group_since_the_last_check_is_a_plan_change() -> None:
    moved = Plan(
        name=PLAN.name,
        group_number="0081340",
        group_name="Quillfeather Press",
        plan_number=PLAN.plan_number,
        start=date(2026, 12, 1),
    )
    (item,) = classify(result(plan=moved), previous=result())
    assert item.kind is WorklistKind.PLAN_CHANGED
    assert item.changes == (
        PlanFieldChange("group number", "0072215", "0081340"),
        PlanFieldChange("group name", "Heron Logistics LLC", "Quillfeather Press"),
    )
    assert item.start_date == date(2026, 12, 1)
    assert "group number 0072215 → 0081340" in item.explanation


def test_a_new_plan_id_and_name_are_plan_changes() -> None:
    other = Plan(
        name="Northwind Blue Essential EPO",
        group_number=PLAN.group_number,
        group_name=PLAN.group_name,
        plan_number="NWB-ESS-EPO",
    )
    (item,) = classify(result(plan=other), previous=result())
    assert [c.field for c in item.changes] == ["plan name", "plan id"]


def test_spacing_and_case_are_not_a_plan_change() -> None:
    same = Plan(
        name="NORTHWIND BLUE  ADVANTAGE PPO",
        group_number=" 0072215",
        group_name="heron logistics llc",
        plan_number="nwb-adv-ppo",
    )
    assert classify(result(plan=same), previous=result()) == ()


def test_a_field_stated_only_once_is_not_a_change() -> None:
    """Payers leave out what they like (the X12 payer may skip REF*18): silence is not a change."""
    terse = Plan(name=PLAN.name, group_number=PLAN.group_number)
    assert classify(result(plan=terse), previous=result()) == ()
    assert classify(result(), previous=result(plan=terse)) == ()


def test_no_previous_check_or_an_inactive_one_is_no_plan_change() -> None:
    other = Plan(name="Another plan", group_number="X1")
    assert classify(result(plan=other)) == ()
    assert classify(result(plan=other), previous=result(active=False, plan=PLAN)) == ()


# --- deductible ------------------------------------------------------------------------------------------


def test_deductible_left_in_network_is_stated_in_decimal_dollars() -> None:
    items = classify(
        result(
            deductible("1180.00"),
            deductible("3000.00", amount="3000.00", network=Network.OUT_OF_NETWORK),
        )
    )
    (item,) = items
    assert item.kind is WorklistKind.DEDUCTIBLE_REMAINING
    assert item.amount_left == Decimal("1180.00")
    assert isinstance(item.amount_left, Decimal)
    assert item.deductible_amount == Decimal("2000.00")
    assert item.explanation.startswith("$1,180.00 of $2,000.00 deductible left in network")


def test_a_met_family_deductible_meets_the_individual_one() -> None:
    items = classify(
        result(
            deductible("700.00"),
            deductible("0.00", amount="4000.00", level=CoverageLevel.FAMILY),
        )
    )
    assert items == ()


def test_the_smaller_of_individual_and_family_left_applies() -> None:
    (item,) = classify(
        result(
            deductible("700.00"),
            deductible("250.00", amount="4000.00", level=CoverageLevel.FAMILY),
        )
    )
    assert item.amount_left == Decimal("250.00")


def test_deductible_left_is_computed_from_amount_and_used_when_not_stated() -> None:
    (item,) = classify(result(deductible(None, amount="1500.00", used="420.50")))
    assert item.amount_left == Decimal("1079.50")


def test_only_an_out_of_network_deductible_is_still_reported_as_such() -> None:
    (item,) = classify(result(deductible("500.00", network=Network.OUT_OF_NETWORK)))
    assert "out of network" in item.explanation


def test_a_deductible_for_another_service_type_does_not_apply_to_the_visit() -> None:
    mental_health = deductible("300.00", service_type="MH")
    office = PlannedVisit(VISIT_DAY, (st("98"),), (cpt("99213"),))
    assert classify(result(mental_health), visit=office) == ()
    therapy = PlannedVisit(VISIT_DAY, (st("MH"),))
    assert kinds(classify(result(mental_health), visit=therapy)) == [
        WorklistKind.DEDUCTIBLE_REMAINING
    ]


def test_a_deductible_without_any_amount_left_stated_is_not_flagged() -> None:
    assert classify(result(deductible(None, amount="2000.00"))) == ()


# --- authorization and exclusions --------------------------------------------------------------------


def test_physical_therapy_at_a_plan_requiring_auth() -> None:
    visit = PlannedVisit(VISIT_DAY, (st("PT"),), (cpt("97110"), cpt("97140")))
    (item,) = classify(result(therapy_limit(True)), visit=visit)
    assert item.kind is WorklistKind.AUTH_REQUIRED
    assert item.service_types == (st("PT"),)
    assert [p.code for p in item.procedures] == ["97110", "97140"]
    assert "prior authorization for Physical Therapy" in item.explanation
    assert "97110 Therapeutic exercise" in item.explanation
    assert "December 7, 2026" in item.explanation


def test_auth_found_from_the_planned_procedure_alone() -> None:
    """A visit type naming only "office visit" still needs auth when an MRI is planned."""
    # EB*1**62*********Y: MRI/CAT scans are covered, with prior authorization (EB11 Y)
    mri_auth = Benefit(
        BenefitKind.ACTIVE_COVERAGE, kind_code("1"), (st("62"),), authorization_required=True
    )
    visit = PlannedVisit(VISIT_DAY, (st("98"),), (cpt("99213"), cpt("72148")))
    (item,) = classify(result(mri_auth), visit=visit)
    assert item.service_types == (st("62"),)
    assert [p.code for p in item.procedures] == ["72148"]


def test_no_auth_when_the_plan_says_no_or_does_not_say() -> None:
    visit = PlannedVisit(VISIT_DAY, (st("PT"),), (cpt("97110"),))
    assert classify(result(therapy_limit(False)), visit=visit) == ()
    assert classify(result(therapy_limit(None)), visit=visit) == ()


def test_auth_for_a_service_the_visit_does_not_plan_is_not_flagged() -> None:
    office = PlannedVisit(VISIT_DAY, (st("98"),), (cpt("99213"),))
    assert classify(result(therapy_limit(True)), visit=office) == ()
    assert classify(result(therapy_limit(True))) == ()  # a check with no visit at all


def test_a_service_the_plan_excludes() -> None:
    vision = Benefit(
        BenefitKind.NON_COVERED,
        kind_code("I"),
        (st("AL"),),
        network=Network.BOTH,
        messages=("Routine vision care is not covered",),
    )
    (item,) = classify(result(vision), visit=PlannedVisit(VISIT_DAY, (st("AL"),)))
    assert item.kind is WorklistKind.SERVICE_NOT_COVERED
    assert item.service_types == (st("AL"),)
    assert "Routine vision care is not covered" in item.explanation
    assert classify(result(vision), visit=PlannedVisit(VISIT_DAY, (st("98"),))) == ()


def test_several_kinds_come_back_in_a_stable_order() -> None:
    moved = Plan(name=PLAN.name, group_number="0081340", plan_number=PLAN.plan_number)
    visit = PlannedVisit(VISIT_DAY, (st("PT"),), (cpt("97110"),))
    items = classify(result(deductible("400.00"), therapy_limit(True), plan=moved), result(), visit)
    assert kinds(items) == [
        WorklistKind.PLAN_CHANGED,
        WorklistKind.DEDUCTIBLE_REMAINING,
        WorklistKind.AUTH_REQUIRED,
    ]


# --- helpers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("procedure", "service_type"),
    [
        ("72148", "62"),  # MRI lumbar spine
        ("70553", "62"),  # MRI brain
        ("74177", "62"),  # CT abdomen and pelvis
        ("71046", "4"),  # chest x-ray
        ("97110", "PT"),
        ("97161", "PT"),  # PT evaluation
        ("90837", "A6"),  # psychotherapy 60 minutes
        ("99213", "98"),
    ],
)
def test_procedures_map_to_the_service_type_payers_state(procedure: str, service_type: str) -> None:
    assert service_type_of(cpt(procedure)) == st(service_type)


@pytest.mark.parametrize("procedure", ["36415", "G0438", "0001U", "80053"])
def test_procedures_outside_the_ranges_map_to_nothing(procedure: str) -> None:
    assert service_type_of(lookup("procedure", procedure)) is None


def test_spoken_date_has_no_leading_zero() -> None:
    assert spoken_date(date(2026, 3, 5)) == "March 5, 2026"
