"""837P built from a ClaimSubmission, validated by pyx12's X222A1 map and read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from payers.codesets import lookup
from payers.model import ClaimLine, ClaimSubmission, MemberQuery
from payers.x12.envelope import transactions
from payers.x12.outgoing import ControlNumbers, Parties, PayerParty, map_errors
from payers.x12.submission import Address, ClaimBuildError, SubmitterSettings, build_837p

SUBMITTER = SubmitterSettings(
    "RIVERSIDE FAMILY MEDICINE",
    "CLINIC01",
    "JANE ROE",
    "5551234567",
    "AETNA",
    "PAYER01",
    Address("100 MAIN ST", "SPRINGFIELD", "IL", "62701"),
)
CLAIM = ClaimSubmission(
    member=MemberQuery("W123456789", "Maria", "Lopez", date(1985, 3, 14), "GRP1001"),
    billing_provider_npi="1234567893",
    billing_provider_tax_id="12-3456789",
    billing_provider_name="RIVERSIDE FAMILY MEDICINE",
    rendering_provider_npi="1245319599",
    place_of_service="11",
    frequency_code="1",
    diagnoses=("E11.9", "I10"),
    lines=(
        ClaimLine(
            1,
            lookup("procedure", "99214"),
            Decimal("150.00"),
            Decimal(1),
            ("25",),
            (1, 2),
            date(2025, 3, 3),
        ),
        ClaimLine(
            2, lookup("procedure", "83036"), Decimal("35"), Decimal("1"), (), (1,), date(2025, 3, 3)
        ),
    ),
    total_charge=Decimal("185.00"),
)


def _build(claim: ClaimSubmission = CLAIM, control: str = "RFM-2025-0001") -> str:
    return build_837p(
        claim,
        control,
        payer=PayerParty("60054", "AETNA"),
        submitter=SUBMITTER,
        parties=Parties("CLINIC01", "PAYER01", usage="T"),
        numbers=ControlNumbers.for_claim(control),
        created=datetime(2025, 3, 3, 9, 30),
    )


def test_built_837p_passes_pyx12_map_and_reads_back(payer_id):
    text = _build()
    assert map_errors(text) == ()
    (transaction,) = transactions(text, payer_id, "837")
    assert transaction.implementation == "005010X222A1"
    by_id = {}
    for seg in transaction.segments:
        by_id.setdefault(seg.id, []).append(seg)
    clm = by_id["CLM"][0]
    assert (clm.get(1), clm.get(2), clm.components(5)) == (
        "RFM-2025-0001",
        "185.00",
        ["11", "B", "1"],
    )
    assert [s.components(1) for s in by_id["HI"]] == [["ABK", "E119"]]
    assert by_id["HI"][0].components(2) == ["ABF", "I10"]
    sv1 = by_id["SV1"]
    assert [s.components(1) for s in sv1] == [["HC", "99214", "25"], ["HC", "83036"]]
    assert [s.get(2) for s in sv1] == ["150.00", "35.00"]
    assert sv1[0].components(7) == ["1", "2"]
    assert [s.get(1) for s in by_id["NM1"]] == ["41", "40", "85", "IL", "PR", "82"]
    assert by_id["REF"][0].get(2) == "123456789"


def test_same_claim_reuses_control_numbers(payer_id):
    first, again = _build(), _build()
    assert first == again
    assert (
        transactions(first, payer_id, "837")[0].control_number
        == ControlNumbers.for_claim("RFM-2025-0001").transaction
    )


def test_replacement_claim_carries_original_id(payer_id):
    text = _build(replace(CLAIM, frequency_code="7", original_payer_claim_id="PCN-889"))
    assert "REF*F8*PCN-889~" in text
    assert map_errors(text) == ()


def test_missing_fields_fail_before_pyx12():
    bad = replace(CLAIM, diagnoses=(), lines=(replace(CLAIM.lines[0], service_date=None),))
    with pytest.raises(ClaimBuildError) as e:
        _build(bad)
    assert e.value.problems == ("at least one diagnosis is required", "line 1 has no service date")
    with pytest.raises(ClaimBuildError, match="needs the original payer claim id"):
        _build(replace(CLAIM, frequency_code="8"))


def test_pyx12_map_refuses_an_invalid_claim():
    with pytest.raises(ClaimBuildError, match="is not valid X222A1") as e:
        _build(replace(CLAIM, place_of_service="1"))  # POS must be two characters
    assert any("Facility Code Value" in p or "CLM05" in p for p in e.value.problems)


def test_map_errors_on_corpus_837p(corpus):
    out_of_order = map_errors(corpus("837P_5010A1_segments_out_of_order_imsweb.txt"))
    assert out_of_order is not None
    assert 'Mandatory segment "Billing Provider City, State, ZIP Code" (N4) missing' in out_of_order
    icd9 = map_errors(corpus("837P_5010A1_valid_two_claims_imsweb.txt"))
    assert (
        icd9 is not None and 'Mandatory data element "Diagnosis Code" (HI01-02) is missing' in icd9
    )
    complex_file = map_errors(corpus("837P_5010A1_complex_imsweb.txt"))
    assert (
        complex_file is not None and "GE count of 1 for GE02=1 is wrong. I count 2" in complex_file
    )
    # pyx12 has no map for the X222A2 errata: validation is not possible, not "valid"
    assert map_errors(corpus("837P_5010A2_example1_lfh.x12")) is None
    assert map_errors(corpus("837P_5010A2_cob_secondary_lfh.x12")) is None
