"""A payer's benefit lines read into cost-sharing terms, and the unknowns named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from gateway.estimates.benefit_terms import payer_terms
from gateway.estimates.service_types import is_preventive, service_type_code
from payers.model import BenefitKind, CoverageLevel, EligibilityResult, Network
from payers.sandbox.benefits import DESIGNS, plan_benefits

D = Decimal


def answer(family: bool = True, drop: BenefitKind | None = None) -> EligibilityResult:
    lines = plan_benefits(DESIGNS["lakeshore"], family=family, seed="terms")
    return EligibilityResult(
        "lakeshore",
        "LHP1",
        True,
        date(2026, 12, 7),
        benefits=tuple(b for b in lines if b.kind is not drop),
    )


def left(result: EligibilityResult, kind: BenefitKind, network: Network) -> Decimal:
    return min(
        b.remaining
        for b in result.benefits
        if b.kind is kind and b.network is network and b.remaining is not None
    )


def test_in_network_terms_from_the_plan() -> None:
    result = answer()
    terms = payer_terms(result, "Lakeshore", Network.IN_NETWORK, {"98", "4"}, ())
    assert terms.deductible_remaining == left(result, BenefitKind.DEDUCTIBLE, Network.IN_NETWORK)
    assert terms.out_of_pocket_remaining == left(
        result, BenefitKind.OUT_OF_POCKET, Network.IN_NETWORK
    )
    assert terms.coinsurance == D("0.20")
    assert terms.copays == {"98": D("25.00")}
    # two copays stated for office visits: the first used, the choice named
    assert any("several copays" in u and "$50.00" in u for u in terms.unknowns)


def test_family_amount_left_lower_than_individual_wins() -> None:
    result = answer()
    individual = next(
        b
        for b in result.benefits
        if b.kind is BenefitKind.DEDUCTIBLE
        and b.network is Network.IN_NETWORK
        and b.coverage_level is CoverageLevel.INDIVIDUAL
    )
    family = replace(
        individual, coverage_level=CoverageLevel.FAMILY, remaining=D("12.34"), used=None
    )
    terms = payer_terms(
        replace(result, benefits=(*result.benefits, family)),
        "Lakeshore",
        Network.IN_NETWORK,
        {"4"},
        (),
    )
    assert terms.deductible_remaining == D("12.34")


def test_out_of_network_uses_its_own_lines_and_no_copay() -> None:
    result = answer()
    terms = payer_terms(result, "Lakeshore", Network.OUT_OF_NETWORK, {"98"}, ())
    assert terms.coinsurance == D("0.40")
    assert terms.copays == {}
    assert terms.deductible_remaining == left(
        result, BenefitKind.DEDUCTIBLE, Network.OUT_OF_NETWORK
    )


def test_what_the_payer_did_not_return_is_named() -> None:
    terms = payer_terms(
        answer(drop=BenefitKind.OUT_OF_POCKET), "Lakeshore", Network.IN_NETWORK, {"4"}, ()
    )
    assert terms.out_of_pocket_remaining is None
    assert (
        "Lakeshore returned no in-network out-of-pocket maximum: your share is not capped in "
        "this estimate." in terms.unknowns
    )
    bare = payer_terms(
        EligibilityResult("lakeshore", "LHP1", True, date(2026, 12, 7)),
        "Lakeshore",
        Network.IN_NETWORK,
        {"4"},
        (),
    )
    assert bare.deductible_remaining is None and bare.coinsurance is None
    assert "Lakeshore returned no coinsurance: 0% is assumed." in bare.unknowns


def test_non_covered_service_types() -> None:
    terms = payer_terms(answer(), "Lakeshore", Network.IN_NETWORK, {"AL"}, ())
    assert "AL" in terms.not_covered


def test_service_type_table() -> None:
    assert service_type_code("99213") == "98"
    assert service_type_code("97110") == "PT"
    assert service_type_code("98941") == "33"
    assert service_type_code("99284") == "86"
    assert service_type_code("71046") == "4"
    assert service_type_code("72148") == "62"
    assert service_type_code("80053") == "5"
    assert service_type_code("90834") == "A6"
    assert service_type_code("J1100") == "1"
    assert is_preventive("99395") and is_preventive("G0438") and not is_preventive("99213")
