"""Plan designs of the sandbox payers and the benefit lines (271 EB / FHIR benefit) they produce."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from payers.codesets import lookup
from payers.model import Benefit, BenefitKind, Code, CoverageLevel, Network

_KIND_CODES = {
    BenefitKind.ACTIVE_COVERAGE: "1",
    BenefitKind.INACTIVE: "6",
    BenefitKind.COINSURANCE: "A",
    BenefitKind.COPAY: "B",
    BenefitKind.DEDUCTIBLE: "C",
    BenefitKind.LIMITATION: "F",
    BenefitKind.OUT_OF_POCKET: "G",
    BenefitKind.NON_COVERED: "I",
}


@dataclass(frozen=True, slots=True)
class PlanDesign:
    """What one plan covers; amounts are per calendar year unless stated."""

    name: str
    deductible: tuple[Decimal, Decimal, Decimal, Decimal]  # IND in, FAM in, IND out, FAM out
    out_of_pocket: tuple[Decimal, Decimal, Decimal, Decimal]
    office_copay: Decimal
    specialist_copay: Decimal
    urgent_care_copay: Decimal
    emergency_copay: Decimal
    coinsurance: tuple[Decimal, Decimal]  # in network, out of network (fractions)
    therapy_visits: int
    non_covered: tuple[str, str]  # service type code, message


def kind_code(kind: BenefitKind) -> Code:
    """The X12 EB01 code of a benefit kind."""
    return lookup("benefit-kind", _KIND_CODES[kind])


def _st(*codes: str) -> tuple[Code, ...]:
    return tuple(lookup("service-type", code) for code in codes)


def _accumulators(
    kind: BenefitKind,
    amounts: tuple[Decimal, ...],
    rng: random.Random,
    family: bool,
    used_percent: int | None = None,
    individual_used: Decimal | None = None,
) -> list[Benefit]:
    calendar_year = lookup("time-period", "23")
    lines = []
    for network, ind_amount, fam_amount in (
        (Network.IN_NETWORK, amounts[0], amounts[1]),
        (Network.OUT_OF_NETWORK, amounts[2], amounts[3]),
    ):
        # In-network spending is typical; out-of-network accumulators stay mostly untouched.
        share = rng.randrange(5, 95) if network is Network.IN_NETWORK else rng.randrange(0, 10)
        if used_percent is not None and network is Network.IN_NETWORK:
            share = used_percent  # a member set up for one case (nothing met, all met)
        ind_used = (ind_amount * share / 100).quantize(Decimal("0.01"))
        if individual_used is not None and network is Network.IN_NETWORK:
            ind_used = individual_used  # drawn all the same, so later lines stay as they were
        levels = [(CoverageLevel.INDIVIDUAL, ind_amount, ind_used)]
        if family:
            fam_used = min(fam_amount, ind_used + Decimal(rng.randrange(0, 900)))
            levels.append((CoverageLevel.FAMILY, fam_amount, fam_used))
        for level, amount, used in levels:
            lines.append(
                Benefit(
                    kind=kind,
                    code=kind_code(kind),
                    service_types=_st("30"),
                    network=network,
                    coverage_level=level,
                    time_period=calendar_year,
                    amount=amount,
                    used=used,
                    remaining=amount - used,
                )
            )
    return lines


def _copay(service_type: str, amount: Decimal, message: str | None = None) -> Benefit:
    return Benefit(
        kind=BenefitKind.COPAY,
        code=kind_code(BenefitKind.COPAY),
        service_types=_st(service_type),
        network=Network.IN_NETWORK,
        coverage_level=CoverageLevel.INDIVIDUAL,
        time_period=lookup("time-period", "27"),
        amount=amount,
        messages=(message,) if message else (),
    )


def plan_benefits(
    design: PlanDesign,
    *,
    family: bool,
    seed: str,
    used_percent: int | None = None,
    deductible_used: Decimal | None = None,
) -> tuple[Benefit, ...]:
    """Every benefit line of an active member of ``design``; ``seed`` fixes how much is used
    (``used_percent``, when given, of the in-network deductible and out-of-pocket maximum;
    ``deductible_used``, when given, is the in-network individual deductible used)."""
    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not security)
    level = CoverageLevel.FAMILY if family else CoverageLevel.INDIVIDUAL
    lines = [
        Benefit(
            kind=BenefitKind.ACTIVE_COVERAGE,
            code=kind_code(BenefitKind.ACTIVE_COVERAGE),
            service_types=_st("30"),
            coverage_level=level,
            plan_description=design.name,
        )
    ]
    lines += _accumulators(
        BenefitKind.DEDUCTIBLE, design.deductible, rng, family, used_percent, deductible_used
    )
    lines += _accumulators(
        BenefitKind.OUT_OF_POCKET, design.out_of_pocket, rng, family, used_percent
    )
    lines += [
        _copay("98", design.office_copay, "Primary care office visit"),
        _copay("98", design.specialist_copay, "Specialist office visit"),
        _copay("UC", design.urgent_care_copay),
        _copay("86", design.emergency_copay, "Waived if admitted"),
    ]
    for network, percent in zip(
        (Network.IN_NETWORK, Network.OUT_OF_NETWORK), design.coinsurance, strict=True
    ):
        lines.append(
            Benefit(
                kind=BenefitKind.COINSURANCE,
                code=kind_code(BenefitKind.COINSURANCE),
                service_types=_st("30"),
                network=network,
                coverage_level=CoverageLevel.INDIVIDUAL,
                percent=percent,
            )
        )
    lines.append(
        Benefit(
            kind=BenefitKind.LIMITATION,
            code=kind_code(BenefitKind.LIMITATION),
            service_types=_st("PT"),
            network=Network.BOTH,
            coverage_level=CoverageLevel.INDIVIDUAL,
            time_period=lookup("time-period", "23"),
            quantity=Decimal(design.therapy_visits),
            quantity_unit="visits",
            authorization_required=True,
            messages=("Physical therapy visits per calendar year; prior authorization required",),
        )
    )
    service_type, message = design.non_covered
    lines.append(
        Benefit(
            kind=BenefitKind.NON_COVERED,
            code=kind_code(BenefitKind.NON_COVERED),
            service_types=_st(service_type),
            network=Network.BOTH,
            messages=(message,),
        )
    )
    return tuple(lines)


def inactive_benefits(design: PlanDesign) -> tuple[Benefit, ...]:
    """What a payer states for a member whose coverage has ended."""
    return (
        Benefit(
            kind=BenefitKind.INACTIVE,
            code=kind_code(BenefitKind.INACTIVE),
            service_types=_st("30"),
            plan_description=design.name,
        ),
    )


def _money(value: str) -> Decimal:
    return Decimal(value)


DESIGNS: dict[str, PlanDesign] = {
    "lakeshore": PlanDesign(
        name="Lakeshore Choice PPO 1500",
        deductible=(_money("1500.00"), _money("3000.00"), _money("3000.00"), _money("6000.00")),
        out_of_pocket=(
            _money("5000.00"),
            _money("10000.00"),
            _money("10000.00"),
            _money("20000.00"),
        ),
        office_copay=_money("25.00"),
        specialist_copay=_money("50.00"),
        urgent_care_copay=_money("75.00"),
        emergency_copay=_money("300.00"),
        coinsurance=(Decimal("0.20"), Decimal("0.40")),
        therapy_visits=20,
        non_covered=("AL", "Routine vision exams and eyewear are not covered"),
    ),
    "cascade": PlanDesign(
        name="Cascade Mutual Gold PPO",
        deductible=(_money("1000.00"), _money("2000.00"), _money("2000.00"), _money("4000.00")),
        out_of_pocket=(_money("4000.00"), _money("8000.00"), _money("8000.00"), _money("16000.00")),
        office_copay=_money("20.00"),
        specialist_copay=_money("40.00"),
        urgent_care_copay=_money("60.00"),
        emergency_copay=_money("250.00"),
        coinsurance=(Decimal("0.20"), Decimal("0.40")),
        therapy_visits=20,
        non_covered=("35", "Dental care is not covered under this medical plan"),
    ),
    "northwind": PlanDesign(
        name="Northwind Blue Advantage PPO",
        deductible=(_money("2000.00"), _money("4000.00"), _money("4000.00"), _money("8000.00")),
        out_of_pocket=(
            _money("6000.00"),
            _money("12000.00"),
            _money("12000.00"),
            _money("24000.00"),
        ),
        office_copay=_money("30.00"),
        specialist_copay=_money("60.00"),
        urgent_care_copay=_money("75.00"),
        emergency_copay=_money("350.00"),
        coinsurance=(Decimal("0.20"), Decimal("0.40")),
        therapy_visits=25,
        non_covered=("AL", "Routine vision care is not covered"),
    ),
    "summit": PlanDesign(
        name="Summit Select PPO 3000",
        deductible=(_money("3000.00"), _money("6000.00"), _money("6000.00"), _money("12000.00")),
        out_of_pocket=(
            _money("6500.00"),
            _money("13000.00"),
            _money("13000.00"),
            _money("26000.00"),
        ),
        office_copay=_money("35.00"),
        specialist_copay=_money("70.00"),
        urgent_care_copay=_money("90.00"),
        emergency_copay=_money("400.00"),
        coinsurance=(Decimal("0.30"), Decimal("0.50")),
        therapy_visits=20,
        non_covered=("AL", "Routine vision exams are not covered"),
    ),
}
