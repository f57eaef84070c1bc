"""Code-set tables: concrete rows, shape, and lookup keeping unknown codes."""

from __future__ import annotations

import re

import pytest

from payers.codesets import SYSTEMS, is_known, lookup
from payers.codesets.tables import AAA_PLAIN_WORDS, ALL
from payers.model import Code

EXPECTED_SYSTEMS = {
    "carc", "rarc", "adjustment-group", "claim-status-category", "claim-status",
    "entity-identifier", "service-type", "place-of-service", "benefit-kind", "coverage-level",
    "time-period", "aaa-reject-reason", "aaa-follow-up", "claim-payment-status", "payment-method",
    "plb-reason", "claim-frequency", "procedure", "icd10cm", "modifier",
    # 277 code lists (x12-277)
    "code-list-qualifier", "ncpdp-reject", "claim-reference-qualifier",
    # 835 code lists (payers/codesets/remittance_ids.py, revenue_code.py)
    "service-id-qualifier", "claim-filing-indicator", "facility-type", "party-id-qualifier",
    "revenue-code",
    # FHIR Coverage code systems (fhir-facts)
    "fhir-copay-type", "fhir-coverage-class", "fhir-coverage-exception",
    # 271 detail
    "insurance-type", "quantity-qualifier", "product-service-qualifier", "individual-relationship",
    "date-qualifier", "reference-qualifier", "contact-number-qualifier", "id-code-qualifier",
    "aaa-valid-request",
}  # fmt: skip


def test_every_named_system_is_served() -> None:
    assert set(SYSTEMS) == EXPECTED_SYSTEMS
    assert set(ALL) == EXPECTED_SYSTEMS


@pytest.mark.parametrize("system", sorted(EXPECTED_SYSTEMS))
def test_tables_have_only_clean_codes_and_descriptions(system: str) -> None:
    table = ALL[system]
    assert table, system
    for code, description in table.items():
        assert code and code == code.strip(), (system, code)
        assert description and description == description.strip(), (system, code)


@pytest.mark.parametrize(
    ("system", "minimum"),
    [("carc", 120), ("rarc", 80), ("claim-status", 100), ("procedure", 80), ("icd10cm", 120)],
)
def test_large_tables_reach_their_scope(system: str, minimum: int) -> None:
    assert len(ALL[system]) >= minimum


@pytest.mark.parametrize(
    ("system", "code", "description"),
    [
        (
            "carc",
            "45",
            "Charge exceeds fee schedule/maximum allowable or contracted/legislated "
            "fee arrangement.",
        ),
        ("carc", "197", "Precertification/authorization/notification/pre-treatment absent."),
        ("carc", "253", "Sequestration - reduction in federal payment."),
        ("carc", "B16", "'New Patient' qualifications were not met."),
        (
            "rarc",
            "N130",
            "Consult plan benefit documents/guidelines for information about "
            "restrictions for this service.",
        ),
        (
            "rarc",
            "M80",
            "Not covered when performed during the same session/date as a previously "
            "processed service for the patient.",
        ),
        ("adjustment-group", "CO", "Contractual Obligations"),
        ("adjustment-group", "PR", "Patient Responsibility"),
        ("claim-status-category", "F2", "Finalized/Denial - The claim/line has been denied."),
        ("claim-status", "88", "Entity not eligible for benefits for submitted dates of service."),
        ("claim-status", "562", "Entity's National Provider Identifier (NPI)."),
        ("entity-identifier", "IL", "Insured or Subscriber"),
        ("entity-identifier", "85", "Billing Provider"),
        ("service-type", "30", "Health Benefit Plan Coverage"),
        ("service-type", "98", "Professional (Physician) Visit - Office"),
        ("service-type", "UC", "Urgent Care"),
        ("place-of-service", "11", "Office"),
        ("place-of-service", "02", "Telehealth Provided Other than in Patient's Home"),
        ("place-of-service", "10", "Telehealth Provided in Patient's Home"),
        ("benefit-kind", "1", "Active Coverage"),
        ("benefit-kind", "I", "Non-Covered"),
        ("benefit-kind", "N", "Services Restricted to Following Provider"),
        ("benefit-kind", "O", "Not Deemed a Medical Necessity"),
        ("benefit-kind", "P", "Benefit Disclaimer"),
        ("benefit-kind", "U", "Contact Following Entity for Eligibility or Benefit Information"),
        ("benefit-kind", "Y", "Spend Down"),
        ("coverage-level", "ECH", "Employee and Children"),
        ("time-period", "29", "Remaining"),
        ("aaa-reject-reason", "42", "Unable to Respond at Current Time"),
        ("aaa-reject-reason", "72", "Invalid/Missing Subscriber/Insured ID"),
        ("aaa-follow-up", "R", "Resubmission Allowed"),
        ("claim-payment-status", "22", "Reversal of Previous Payment"),
        ("payment-method", "ACH", "Automated Clearing House (ACH)"),
        ("plb-reason", "WO", "Overpayment Recovery"),
        ("claim-frequency", "7", "Replacement of Prior Claim"),
        ("claim-frequency", "8", "Void/Cancel of Prior Claim"),
        ("procedure", "J1885", "Injection, ketorolac tromethamine, per 15 mg"),
        ("icd10cm", "E11.9", "Type 2 diabetes mellitus without complications"),
        ("icd10cm", "M54.50", "Low back pain, unspecified"),
        (
            "icd10cm",
            "Z00.00",
            "Encounter for general adult medical examination without abnormal findings",
        ),
    ],
)
def test_published_rows(system: str, code: str, description: str) -> None:
    assert lookup(system, code) == Code(system=system, code=code, description=description)


def test_benefit_kind_has_the_full_5010_list_unshifted() -> None:
    expected = [str(n) for n in range(1, 9)] + [chr(c) for c in range(ord("A"), ord("Z"))]
    assert set(ALL["benefit-kind"]) == {*expected, "CB", "MC"}
    assert ALL["benefit-kind"]["Q"] == "Second Surgical Opinion Required"
    assert ALL["benefit-kind"]["R"] == "Other or Additional Payor"
    assert ALL["benefit-kind"]["X"] == "Health Care Facility"


def test_service_type_list_is_complete_for_5010() -> None:
    table = ALL["service-type"]
    assert {str(n) for n in range(1, 100) if n not in (29, 31)} <= set(table)
    assert "29" not in table and "31" not in table
    for code in ("A0", "A9", "AA", "AR", "B1", "B3", "BA", "BZ", "C1", "CA", "CQ", "DG", "TN"):
        assert code in table
    assert len(table) == 187


def test_claim_status_category_covers_every_family() -> None:
    table = ALL["claim-status-category"]
    expected = (
        {f"A{n}" for n in range(9)}
        | {f"P{n}" for n in range(6)}
        | {"F0", "F1", "F2", "F3", "F3F", "F3N", "F4"}
        | {"R0", "R1"} | {f"R{n}" for n in range(3, 18)}
        | {f"E{n}" for n in range(5)}
        | {"D0"}
    )  # fmt: skip
    assert set(table) == expected


def test_place_of_service_codes_are_two_digits_and_skip_unassigned() -> None:
    table = ALL["place-of-service"]
    assert all(re.fullmatch(r"\d\d", code) for code in table)
    assert "28" not in table and "59" not in table
    assert table["20"] == "Urgent Care Facility"
    assert table["99"] == "Other Place of Service"


def test_icd10cm_codes_keep_their_dot() -> None:
    for code in ALL["icd10cm"]:
        assert re.fullmatch(r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?", code), code
    assert is_known("icd10cm", "E119")  # X12 form, dot restored by lookup


def test_aaa_plain_words_cover_the_important_rejects() -> None:
    for code in ("41", "42", "43", "50", "51", "58", "65", "67", "71", "72", "73", "75", "76",
                 "79", "80"):  # fmt: skip
        assert code in AAA_PLAIN_WORDS
        assert code in ALL["aaa-reject-reason"]
    assert AAA_PLAIN_WORDS["42"] == "The payer cannot respond right now; retry later."
    assert AAA_PLAIN_WORDS["72"] == "The member ID is invalid; check the insurance card."


def test_lookup_keeps_unknown_codes() -> None:
    code = lookup("carc", " 999 ")
    assert code.system == "carc"
    assert code.code == "999"
    assert code.description == "carc code 999 (not in the gateway's table)"
    assert not is_known("carc", "999")
    assert is_known("carc", " 45 ")


def test_lookup_rejects_unknown_system() -> None:
    with pytest.raises(KeyError):
        lookup("no-such-system", "1")


def test_icd10_codes_without_the_dot_are_found() -> None:
    from payers.codesets import is_known, lookup

    assert lookup("icd10cm", "E119") == lookup("icd10cm", "E11.9")
    assert lookup("icd10cm", "e119").code == "E11.9"
    assert is_known("icd10cm", "I10")
