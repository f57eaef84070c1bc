from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payers.codesets import is_known
from payers.model import (
    BenefitKind,
    ClaimState,
    Code,
    CoverageLevel,
    Demographics,
    Network,
    SubscriberRelation,
)
from payers.sandbox.npi import is_valid_npi, make_npi
from payers.sandbox.world import MemberMismatch, World, build_world

TODAY = date(2025, 11, 27)  # the same day as conftest.py builds the world for


def _codes(value: object) -> Iterator[Code]:
    if isinstance(value, Code):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _codes(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _codes(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _codes(item)


def _all_claims(world: World):
    for book in world.books.values():
        for claims in book.claims.values():
            yield from claims


@pytest.mark.parametrize("today", [TODAY, date(2026, 1, 3), date(2024, 2, 29)])
def test_the_world_is_deterministic_for_a_date(today: date) -> None:
    assert build_world(today) == build_world(today)


def test_dates_follow_today() -> None:
    a, b = build_world(TODAY), build_world(TODAY + timedelta(days=10))
    claim_a = a.books["lakeshore"].find_claim(control_number="EFM1000214")
    claim_b = b.books["lakeshore"].find_claim(control_number="EFM1000214")
    assert claim_a and claim_b
    assert claim_b.service_date_from - claim_a.service_date_from == timedelta(days=10)
    assert claim_a.service_date_from == TODAY - timedelta(days=52)


def test_four_payer_books_with_their_protocols(world: World) -> None:
    assert {k: (b.name, b.protocol) for k, b in world.books.items()} == {
        "lakeshore": ("Lakeshore Health Plan", "rest"),
        "cascade": ("Cascade Mutual Insurance", "rest"),
        "northwind": ("Northwind Blue", "fhir"),
        "summit": ("Summit Health Alliance", "x12"),
    }
    assert all(re.fullmatch(r"LHP\d{9}", m) for m in world.books["lakeshore"].members)
    assert all(re.fullmatch(r"CMI\d{10}", m) for m in world.books["cascade"].members)


def test_people_are_fictitious_and_local(world: World) -> None:
    assert len(world.people) == 26  # 12; 5 for discovery, 4 for estimates, 5 for the worklist
    for person in world.people.values():
        assert re.fullmatch(r"\d{3}-555-01\d\d", person.phone)
        assert (person.city, person.state) == ("Elmridge", "OH")
    ages = sorted(TODAY.year - p.birth_date.year for p in world.people.values())
    assert ages[0] < 18 and ages[-1] > 65


def test_coverage_mix(world: World) -> None:
    dual = {
        key for key in world.people if len([m for m in world.coverages_of(key) if m.active]) == 2
    }
    # the discovery people's second cards are not on the practice's file (only discovery finds them)
    assert dual == {
        *("harriet", "felix", "theo", "wanda", "victor"),
        *("jordan", "jordyn", "quincy", "olive"),
    }
    assert world.coverages_of("norma") == ()
    theo = world.coverages_of("theo")
    assert [(m.payer_key, m.order) for m in theo] == [("northwind", 1), ("summit", 2)]
    lily = world.books["lakeshore"].members["LHP205517612"]
    assert lily.relation is SubscriberRelation.CHILD
    assert lily.subscriber.key == "oscar" and lily.subscriber_member_id == "LHP205517604"
    inactive = {
        m.person.key for b in world.books.values() for m in b.members.values() if not m.active
    }
    assert inactive == {"samuel", "greta", "nora", "hank"}
    nora = world.coverages_of("nora")
    assert [(m.payer_key, m.active) for m in nora] == [("summit", True), ("cascade", False)]
    assert nora[1].plan.end is not None and nora[1].plan.end < TODAY
    assert nora[0].plan.start == nora[1].plan.end + timedelta(days=1)


def test_every_code_is_in_its_code_set(world: World) -> None:
    codes = list(_codes(list(world.books.values())))
    assert len(codes) > 500
    unknown = {(c.system, c.code) for c in codes if not is_known(c.system, c.code)}
    assert unknown == set()


def test_every_npi_passes_the_check_digit(world: World) -> None:
    assert make_npi("123456789") == "1234567893"
    assert not is_valid_npi("1234567890")
    npis = [p.npi for p in world.providers.values()]
    for claim in _all_claims(world):
        npis += [claim.billing_provider_npi, claim.rendering_provider_npi]
    npis += [p.payee_npi for b in world.books.values() for p in b.payments]
    assert all(is_valid_npi(n) for n in npis if n is not None)
    assert len([n for n in npis if n is None]) == 1  # the claim denied for a missing rendering NPI


def test_remittances_balance(world: World) -> None:
    for book in world.books.values():
        for payment in book.payments:
            assert payment.payment_date is not None and payment.payment_date <= TODAY
            total = sum(c.paid for c in payment.claims) - sum(
                a.amount for a in payment.provider_adjustments
            )
            assert payment.amount == total > 0
            for cp in payment.claims:
                adjustments = list(cp.adjustments) + [
                    a for line in cp.lines for a in line.adjustments
                ]
                assert cp.charge == cp.paid + sum(a.amount for a in adjustments)
                assert cp.patient_responsibility == sum(
                    a.amount for a in adjustments if a.group.code == "PR"
                )
                for line in cp.lines:
                    assert line.charge == line.paid + sum(a.amount for a in line.adjustments)
                claim = book.find_claim(control_number=cp.control_number)
                assert claim is not None and claim.member_id == cp.member_id
                assert (claim.paid_amount, claim.patient_responsibility) == (
                    cp.paid,
                    cp.patient_responsibility,
                )
                assert claim.total_charge == cp.charge
                assert cp.service_date_from < payment.payment_date


def test_remittances_carry_the_usual_adjustments(world: World) -> None:
    seen = set()
    for book in world.books.values():
        for payment in book.payments:
            for cp in payment.claims:
                for line in cp.lines:
                    for a in line.adjustments:
                        seen.add((a.group.code, a.reason.code, tuple(r.code for r in a.remarks)))
    for expected in [
        ("CO", "45", ()),
        ("PR", "1", ()),
        ("PR", "2", ()),
        ("PR", "3", ()),
        ("CO", "97", ("M15",)),
        ("CO", "16", ("N290",)),
        ("OA", "23", ()),
    ]:
        assert expected in seen
    methods = {p.method.code for b in world.books.values() for p in b.payments}
    assert methods == {"ACH", "CHK"}


def test_secondary_claims_price_what_the_primary_left(world: World) -> None:
    primary = world.books["cascade"].find_claim(control_number="EFM1000228")
    secondary = world.books["lakeshore"].find_claim(control_number="EFM1000229")
    assert primary and secondary
    assert primary.patient_responsibility == Decimal("106.45")
    assert (
        secondary.paid_amount + secondary.patient_responsibility == primary.patient_responsibility
    )
    payment = next(p for p in world.books["lakeshore"].payments if p.trace_number == "70004418")
    cp = payment.claims[0]
    assert cp.status.code == "2"
    oa23 = sum(a.amount for line in cp.lines for a in line.adjustments if a.reason.code == "23")
    assert oa23 == primary.total_charge - primary.patient_responsibility


def test_every_book_has_claims_in_every_state(world: World) -> None:
    for book in world.books.values():
        states = {c.status.state for claims in book.claims.values() for c in claims}
        assert states == {
            ClaimState.FINALIZED,
            ClaimState.DENIED,
            ClaimState.PENDING,
            ClaimState.INFORMATION_REQUESTED,
            ClaimState.ACKNOWLEDGED,
        }
    for claim in _all_claims(world):
        assert claim.service_date_from is not None
        assert TODAY - timedelta(days=140) <= claim.service_date_from <= TODAY
        assert claim.total_charge == sum(line.charge for line in claim.lines)
        for line in claim.lines:
            assert all(1 <= p <= len(claim.diagnoses) for p in line.diagnosis_pointers)
        assert claim.place_of_service.code in {"02", "11", "20", "22"}


def test_claims_fall_within_coverage_unless_denied_for_it(world: World) -> None:
    for book in world.books.values():
        for member_id, claims in book.claims.items():
            member = book.members[member_id]
            for claim in claims:
                after_termination = (
                    claim.status.status is not None and claim.status.status.code == "88"
                )
                assert member.covers(claim.service_date_from) != after_termination


def test_benefits(world: World) -> None:
    benefits = world.books["lakeshore"].benefits["LHP205517604"]
    by_kind = {}
    for b in benefits:
        by_kind.setdefault(b.kind, []).append(b)
    deductibles = {(b.network, b.coverage_level): b.amount for b in by_kind[BenefitKind.DEDUCTIBLE]}
    assert deductibles == {
        (Network.IN_NETWORK, CoverageLevel.INDIVIDUAL): Decimal("1500.00"),
        (Network.IN_NETWORK, CoverageLevel.FAMILY): Decimal("3000.00"),
        (Network.OUT_OF_NETWORK, CoverageLevel.INDIVIDUAL): Decimal("3000.00"),
        (Network.OUT_OF_NETWORK, CoverageLevel.FAMILY): Decimal("6000.00"),
    }
    for b in by_kind[BenefitKind.DEDUCTIBLE] + by_kind[BenefitKind.OUT_OF_POCKET]:
        assert b.remaining == b.amount - b.used and b.remaining >= 0
        assert b.time_period.code == "23"
    copays = {(b.service_types[0].code, b.amount) for b in by_kind[BenefitKind.COPAY]}
    assert copays == {
        ("98", Decimal("25.00")),
        ("98", Decimal("50.00")),
        ("UC", Decimal("75.00")),
        ("86", Decimal("300.00")),
    }
    assert sorted(b.percent for b in by_kind[BenefitKind.COINSURANCE]) == [
        Decimal("0.20"),
        Decimal("0.40"),
    ]
    (limit,) = by_kind[BenefitKind.LIMITATION]
    assert (limit.service_types[0].code, limit.quantity, limit.quantity_unit) == (
        "PT",
        20,
        "visits",
    )
    (excluded,) = by_kind[BenefitKind.NON_COVERED]
    assert excluded.service_types[0].code == "AL"
    individual = world.books["lakeshore"].benefits["LHP481920337"]
    assert not any(b.coverage_level is CoverageLevel.FAMILY for b in individual)


def test_eligibility_rules(world: World) -> None:
    book = world.books["lakeshore"]
    oscar = book.members["LHP205517604"]
    office = book.eligibility(oscar, ["98"], TODAY)
    assert office.active and {b.kind for b in office.benefits} == {
        BenefitKind.ACTIVE_COVERAGE,
        BenefitKind.COPAY,
    }
    assert len(book.eligibility(oscar, ["30"], TODAY).benefits) == len(
        book.benefits[oscar.member_id]
    )
    samuel = book.members["LHP562200981"]
    ended = book.eligibility(samuel, ["30"], TODAY)
    assert not ended.active and [b.kind for b in ended.benefits] == [BenefitKind.INACTIVE]
    assert book.eligibility(samuel, ["30"], samuel.plan.end).active


def test_member_verification(world: World) -> None:
    book = world.books["lakeshore"]
    oscar = world.people["oscar"]
    assert book.verify_member("lhp205517604", "OSCAR", "sample", oscar.birth_date).person == oscar
    with pytest.raises(MemberMismatch) as not_found:
        book.verify_member("LHP000000000", "Oscar", "Sample", oscar.birth_date)
    assert not_found.value.not_found and [r.code for r in not_found.value.reasons] == ["75"]
    with pytest.raises(MemberMismatch) as mismatch:
        book.verify_member("LHP205517604", "Oscar", "Simple", date(1970, 1, 1))
    assert not mismatch.value.not_found and [r.code for r in mismatch.value.reasons] == ["73", "71"]


def test_coverage_discovery_and_payment_filters(world: World) -> None:
    theo = world.people["theo"]
    who = Demographics(theo.first_name, theo.last_name, theo.birth_date)
    found = {b.key: b.discover(who) for b in world.books.values()}
    assert {k: [c.member_id for c in v] for k, v in found.items() if v} == {
        "northwind": ["NWB700314562"],
        "summit": ["SHA418822390"],
    }
    samuel = world.people["samuel"]
    assert (
        world.books["lakeshore"].discover(Demographics("Samuel", "Sandbox", samuel.birth_date))
        == ()
    )
    lakeshore = world.books["lakeshore"]
    mine = lakeshore.payments_for("LHP205517604")
    assert [p.trace_number for p in mine] == ["1LKS0051377"]
    assert {c.member_id for c in mine[0].claims} == {"LHP205517604"}
    assert [p.trace_number for p in lakeshore.payments_for(None, TODAY - timedelta(days=20))] == [
        "70004418"
    ]
