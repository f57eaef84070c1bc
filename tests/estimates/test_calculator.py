"""The calculator on hand-computed cases: every expected amount below is worked out in the comment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.estimates.calculator import estimate
from gateway.estimates.terms import (
    AllowedAmount,
    AllowedSource,
    EstimateLineInput,
    PayerTerms,
)
from payers.codesets import lookup
from payers.model import Network

D = Decimal


def line(code: str, charge: str, service_type: str, units: str = "1") -> EstimateLineInput:
    return EstimateLineInput(
        lookup("procedure", code), D(units), D(charge), lookup("service-type", service_type)
    )


def fee(amount: str) -> AllowedAmount:
    return AllowedAmount(D(amount), AllowedSource.FEE_SCHEDULE)


def payer(allowed: list[str], **terms: object) -> PayerTerms:
    values: dict = {
        "payer_id": "lakeshore",
        "payer_name": "Lakeshore Health Plan",
        "network": Network.IN_NETWORK,
        "allowed": tuple(fee(a) for a in allowed),
        "coinsurance": D("0.20"),
    }
    values.update(terms)
    return PayerTerms(**values)  # type: ignore[arg-type]


XRAY = ("71046", "500.00", "4")  # allowed 310.00 below


def test_deductible_not_met() -> None:
    # allowed 310; deductible left 200 -> 200 to the deductible; 20% of 110 = 22.00
    # patient 222.00, payer 310 - 222 = 88.00; the provider writes off 500 - 310 = 190.
    result = estimate([line(*XRAY)], [payer(["310.00"], deductible_remaining=D("200.00"))])
    assert result.patient_owes == D("222.00")
    assert result.payers[0].pays == D("88.00")
    steps = result.lines[0].steps
    assert "$200.00 goes to the deductible, $200.00 left before." in steps
    assert "20% coinsurance on the remaining $110.00: $22.00." in steps
    assert "In network: the provider writes off the $190.00 above it." in steps


def test_deductible_met() -> None:
    # deductible left 0 -> 20% of 310 = 62.00; payer 248.00
    result = estimate([line(*XRAY)], [payer(["310.00"], deductible_remaining=D("0.00"))])
    assert result.patient_owes == D("62.00")
    assert result.payers[0].pays == D("248.00")
    assert "The deductible is met: none of this line goes to it." in result.lines[0].steps


def test_copay_only() -> None:
    # 99213 charge 150, allowed 93.00; copay 25 for service type 98 replaces deductible/coinsurance
    terms = payer(["93.00"], deductible_remaining=D("900.00"), copays={"98": D("25.00")})
    result = estimate([line("99213", "150.00", "98")], [terms])
    assert result.patient_owes == D("25.00")
    assert result.payers[0].pays == D("68.00")


def test_coinsurance_only_rounds_half_up_per_line() -> None:
    # no deductible; 30% of 123.45 = 37.035 -> 37.04; payer 86.41
    result = estimate(
        [line("80053", "200.00", "5")],
        [payer(["123.45"], coinsurance=D("0.30"), deductible_remaining=D("0"))],
    )
    assert result.patient_owes == D("37.04")
    assert result.payers[0].pays == D("86.41")


def test_out_of_network_bills_the_difference() -> None:
    # allowed 250 of 500; OON deductible left 100 -> 100; 40% of 150 = 60; share 160
    # plus the 250 above the allowed amount the provider may bill: patient 410, payer 90.
    terms = payer(
        ["250.00"],
        network=Network.OUT_OF_NETWORK,
        coinsurance=D("0.40"),
        deductible_remaining=D("100.00"),
    )
    result = estimate([line(*XRAY)], [terms])
    assert result.patient_owes == D("410.00")
    assert result.payers[0].pays == D("90.00")
    assert any("Out of network" in step for step in result.lines[0].steps)


def secondary(allowed: str, **terms: object) -> PayerTerms:
    return payer([allowed], payer_id="cascade", payer_name="Cascade Mutual Insurance", **terms)


def test_secondary_pays_the_rest() -> None:
    # primary: deductible met, 20% of 310 = 62 to the patient, pays 248.
    # secondary: allowed 290, deductible met: as primary it would pay 290 - 58 = 232;
    # it pays at most the 62 left: 62. Patient 0.
    result = estimate(
        [line(*XRAY)],
        [
            payer(["310.00"], deductible_remaining=D("0")),
            secondary("290.00", deductible_remaining=D("0")),
        ],
    )
    assert [p.pays for p in result.payers] == [D("248.00"), D("62.00")]
    assert result.patient_owes == D("0.00")


def test_secondary_pays_only_its_own_liability() -> None:
    # primary: deductible left 300 -> 300; 20% of 10 = 2; patient 302, primary pays 8.
    # secondary: allowed 290, deductible left 250 -> 250, 20% of 40 = 8; liability 290-258 = 32.
    # It pays 32; the 302 - 290 = 12 above its allowed amount is written off (in network);
    # the patient owes 302 - 12 - 32 = 258 (250 to its deductible, 8 coinsurance).
    result = estimate(
        [line(*XRAY)],
        [
            payer(["310.00"], deductible_remaining=D("300.00")),
            secondary("290.00", deductible_remaining=D("250.00")),
        ],
    )
    assert [p.pays for p in result.payers] == [D("8.00"), D("32.00")]
    assert result.patient_owes == D("258.00")
    assert "Of what is left, $250.00 counts to its deductible." in result.lines[0].steps


def test_out_of_pocket_maximum_reached() -> None:
    # nothing left of the out-of-pocket maximum: the payer pays the whole allowed amount
    result = estimate(
        [line(*XRAY)],
        [payer(["310.00"], deductible_remaining=D("200.00"), out_of_pocket_remaining=D("0"))],
    )
    assert result.patient_owes == D("0.00")
    assert result.payers[0].pays == D("310.00")


def test_out_of_pocket_maximum_partly_left() -> None:
    # share would be 200 + 22 = 222; only 50 left: coinsurance 22 waived, deductible cut to 50.
    # patient 50, payer 260; a second line then costs the patient nothing.
    result = estimate(
        [line(*XRAY), line("80053", "100.00", "5")],
        [
            payer(
                ["310.00", "60.00"],
                deductible_remaining=D("200.00"),
                out_of_pocket_remaining=D("50.00"),
            )
        ],
    )
    assert [e.patient_owes for e in result.lines] == [D("50.00"), D("0.00")]
    assert result.payers[0].pays == D("320.00")
    assert any("only $50.00 was left" in s for s in result.lines[0].steps)


def test_deductible_consumed_across_lines_in_order() -> None:
    # copay line first: 99213 allowed 93, copay 25 (payer 68). A second office visit line of the
    # same service type goes to the deductible: 99214 allowed 124 -> deductible 124 (200 -> 76).
    # X-ray allowed 310: deductible 76, 20% of 234 = 46.80 -> 122.80; payer 187.20.
    # patient 25 + 124 + 122.80 = 271.80; payer 68 + 0 + 187.20 = 255.20.
    lines = [
        line("99213", "150.00", "98"),
        line("99214", "200.00", "98"),
        line(*XRAY),
    ]
    terms = payer(
        ["93.00", "124.00", "310.00"],
        deductible_remaining=D("200.00"),
        copays={"98": D("25.00")},
    )
    result = estimate(lines, [terms])
    assert [e.patient_owes for e in result.lines] == [D("25.00"), D("124.00"), D("122.80")]
    assert result.patient_owes == D("271.80")
    assert result.payers[0].pays == D("255.20")
    assert result.total_charge == D("850.00")
    assert "$76.00 goes to the deductible, $76.00 left before." in result.lines[2].steps


def test_not_covered_is_the_patients() -> None:
    terms = payer(["60.00"], deductible_remaining=D("0"), not_covered=frozenset({"AL"}))
    result = estimate([line("92015", "80.00", "AL")], [terms])
    assert result.patient_owes == D("80.00")
    assert result.payers[0].pays == D("0.00")


def test_no_coverage_is_self_pay() -> None:
    result = estimate([line(*XRAY)], [])
    assert result.patient_owes == D("500.00")
    assert "No active coverage: the whole charge is yours." in result.lines[0].steps


def test_charge_as_allowed_is_flagged_and_capped_at_charge() -> None:
    # an allowed amount above the charge is never used: the payer allows at most what is billed
    terms = payer(["900.00"], deductible_remaining=D("0"))
    terms = PayerTerms(
        **{
            **{f: getattr(terms, f) for f in terms.__slots__},  # type: ignore[attr-defined]
            "allowed": (AllowedAmount(D("500.00"), AllowedSource.CHARGE),),
        }
    )
    result = estimate([line(*XRAY)], [terms])
    assert result.flagged
    assert result.patient_owes == D("100.00")  # 20% of 500
    capped = estimate([line(*XRAY)], [payer(["900.00"], deductible_remaining=D("0"))])
    assert not capped.flagged
    assert capped.patient_owes == D("100.00")


def test_one_allowed_amount_per_line_is_required() -> None:
    with pytest.raises(ValueError, match="one allowed amount per line"):
        estimate([line(*XRAY), line(*XRAY)], [payer(["310.00"])])
