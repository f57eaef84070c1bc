"""Every 837P fixture read by the sandbox payer's 837 reader: named values per file.

The X222A2 files (LinuxForHealth's copies of the implementation guide's examples) carry ICD-9-CM
diagnoses (HI BK/BF), which are kept as icd9cm codes, never looked up as ICD-10-CM. The imsweb files
have no DMG segment at all: the reader refuses them because a payer cannot match a patient without a
birth date (their envelopes also miscount HL levels, so they are read leniently here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from payers.codesets import lookup
from payers.model import ClaimProvider, DrugIdentification, PostalAddress, SubscriberRelation
from payers.sandbox.x12_claims import ReceivedClaim, read_837p
from payers.x12.envelope import transactions
from payers.x12.segments import X12DataError

ICD9 = "ICD-9-CM diagnosis code (not looked up: the gateway has no ICD-9-CM table)"


def _claims(text: str, *, strict: bool = True) -> list[ReceivedClaim]:
    return [c for t in transactions(text, "fixture", "837", strict=strict) for c in read_837p(t)]


def _lines(claim: ReceivedClaim) -> list[tuple[str, Decimal, Decimal, date | None]]:
    return [
        (ln.procedure.code, ln.charge, ln.units, ln.service_date) for ln in claim.submission.lines
    ]


def test_drug_with_ndc_in_millilitres(corpus: Callable[[str], str]) -> None:
    (claim,) = _claims(corpus("837P_5010A2_drug_ndc_ml_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge) == ("CLMNO12345", Decimal("103.37"))
    assert [(d.system, d.code, d.description) for d in claim.diagnoses] == [
        ("icd9cm", "035.91", ICD9)
    ]
    assert s.diagnosis_code_list == "icd9cm" and s.diagnoses == ("03591",)
    assert (s.member.member_id, s.member.last_name, s.member.first_name) == (
        "MBRID12345",
        "Vaughn",
        "Steve",
    )
    assert s.member.relation is SubscriberRelation.SELF and s.subscriber is None
    assert _lines(claim) == [
        ("90782", Decimal("50.00"), Decimal("1.00"), date(2004, 7, 11)),
        ("J1550", Decimal("53.37"), Decimal("1.00"), date(2004, 7, 11)),
    ]
    assert [ln.drug for ln in s.lines] == [
        None,
        DrugIdentification("00026063512", Decimal("10.00"), "ML"),
    ]
    assert s.rendering_provider_npi == "1122333341"


def test_home_infusion_drugs_with_an_ordering_provider(corpus: Callable[[str], str]) -> None:
    (claim,) = _claims(corpus("837P_5010A2_drug_ordering_provider_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge, s.place_of_service) == (
        "CLMNO12345",
        Decimal("2232.93"),
        "12",
    )
    assert sum(ln.charge for ln in s.lines) == s.total_charge
    assert [(d.system, d.code) for d in claim.diagnoses] == [("icd9cm", "465.9")]
    assert [ln.procedure.code for ln in s.lines] == [
        "S9500",
        "S5001",
        "S5000",
        "S5000",
        "S5000",
        "S5000",
    ]
    assert [(d.ndc, d.quantity, d.unit) for ln in s.lines if (d := ln.drug)] == [
        ("00004196501", Decimal("7.00"), "UN"),
        ("63323024910", Decimal("14.00"), "UN"),
        ("00338004938", Decimal("7.00"), "UN"),
        ("08290033010", Decimal("14.00"), "UN"),
        ("08290038005", Decimal("7.00"), "UN"),
    ]
    welby = ClaimProvider("1112223338", "Welby", "Marcus")
    assert [ln.ordering_provider for ln in s.lines] == [welby] * 6
    assert s.referring_provider is None


def test_claim_level_referring_provider(corpus: Callable[[str], str]) -> None:
    (claim,) = _claims(corpus("837P_5010A2_referring_provider_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge) == ("ABC123-RI", Decimal("28.75"))
    # The file writes its composites with ">" although ISA16 declares ":": read all the same.
    assert (s.place_of_service, s.frequency_code) == ("11", "1")
    assert [(d.system, d.code) for d in claim.diagnoses] == [
        ("icd9cm", "496"),
        ("icd9cm", "250.00"),
    ]
    assert s.referring_provider == ClaimProvider("9988776655", "DOE", "JOHN")
    assert s.rendering_provider_npi == "1122334455"
    assert (s.member.member_id, s.member.last_name, s.member.first_name) == (
        "00124A089",
        "RING",
        "DIAMOND",
    )
    assert _lines(claim) == [
        ("E0570", Decimal("25.00"), Decimal("1.00"), date(2005, 5, 14)),
        ("A7003", Decimal("3.75"), Decimal("1.00"), date(2005, 5, 14)),
    ]
    assert [ln.modifiers for ln in s.lines] == [("RR",), ("NU",)]


def test_dependent_patient_with_other_coverage_named(corpus: Callable[[str], str]) -> None:
    (claim,) = _claims(corpus("837P_5010A2_dependent_pat_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge, s.place_of_service) == (
        "TS234H3",
        Decimal("252.71"),
        "23",
    )
    assert (s.member.member_id, s.member.last_name, s.member.first_name) == (
        "57976235C",
        "SMITH",
        "TOM",
    )
    assert (s.member.birth_date, s.member.relation) == (date(1996, 8, 7), SubscriberRelation.CHILD)
    assert claim.patient_relationship is not None
    assert (claim.patient_relationship.code, claim.patient_relationship.description) == (
        "19",
        "Child",
    )
    assert claim.subscriber_name == ("SMITH", "MATTHEW")
    assert s.subscriber is not None and s.subscriber.birth_date == date(1956, 10, 15)
    assert s.patient_gender == "M"
    assert s.patient_address == PostalAddress("5698 SOUTH STREET", "BILLINGS", "MO", "919910000")
    assert s.member.group_number == "232AA"
    # Loop 2320 names the other payer but states no payment (no AMT*D): not an adjudication.
    assert s.prior_payers == () and s.responsibility == "P"
    assert [(d.system, d.code) for d in claim.diagnoses] == [("icd9cm", "995.1")]
    assert _lines(claim) == [("99284", Decimal("252.71"), Decimal("1.00"), date(2005, 5, 6))]


def test_guide_example_1_dependent_without_subscriber_birth_date(
    corpus: Callable[[str], str],
) -> None:
    (claim,) = _claims(corpus("837P_5010A2_example1_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge) == ("26463774", Decimal("100.00"))
    assert (s.member.member_id, s.member.first_name, s.member.birth_date) == (
        "JS00111223333",
        "TED",
        date(1973, 5, 1),
    )
    assert s.member.relation is SubscriberRelation.CHILD
    assert claim.subscriber_name == ("SMITH", "JANE")
    assert s.subscriber is None  # 2010BA has no DMG: the card holder's birth date is not known
    # 2010CA's address, not the payer's (2010BB) nor the billing provider's
    assert s.patient_address == PostalAddress("236 N MAIN ST", "MIAMI", "FL", "33413")
    assert [(d.system, d.code) for d in claim.diagnoses] == [
        ("icd9cm", "034.0"),
        ("icd9cm", "V73.89"),
    ]
    assert [ln.charge for ln in s.lines] == [
        Decimal(x) for x in ("40.00", "15.00", "35.00", "10.00")
    ]
    assert [ln.service_date for ln in s.lines] == [date(2006, 10, 3)] * 2 + [date(2006, 10, 10)] * 2


def test_secondary_claim_for_a_dependent(corpus: Callable[[str], str]) -> None:
    (claim,) = _claims(corpus("837P_5010A2_cob_secondary_lfh.x12"))
    s = claim.submission
    assert (claim.control_number, s.total_charge, s.responsibility) == (
        "26407789",
        Decimal("79.04"),
        "S",
    )
    assert (s.member.first_name, s.member.relation) == ("TED", SubscriberRelation.CHILD)
    assert claim.subscriber_name == ("SmITH", "JACK")
    assert [(d.system, d.code) for d in claim.diagnoses] == [
        ("icd9cm", "477.9"),
        ("icd9cm", "272.4"),
        ("icd9cm", "278.0"),
        ("icd9cm", "530.81"),
    ]
    assert [ln.charge for ln in s.lines] == [Decimal("43.00"), Decimal("15.00"), Decimal("21.04")]
    (prior,) = s.prior_payers
    assert (prior.payer_id, prior.payer_name, prior.paid) == (
        "999996666",
        "KEY INSURANCE COMPANY",
        Decimal("39.15"),
    )
    # DTP*573 sits on the 2430 lines only: the claim's adjudication date is theirs.
    assert prior.adjudication_date == date(2005, 10, 15)
    assert [(ln.line_number, ln.paid) for ln in prior.lines] == [
        (1, Decimal("40.00")),
        (2, Decimal("15.00")),
        (3, Decimal("21.04")),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "837P_5010A1_valid_two_claims_imsweb.txt",
        "837P_5010A1_complex_imsweb.txt",
        "837P_5010A1_segments_out_of_order_imsweb.txt",
        "837P_5010A1_tilde_element_underscore_terminator_imsweb.txt",
        "837P_5010A1_two_interchanges_imsweb.txt",
    ],
)
def test_files_without_any_birth_date_are_refused(corpus: Callable[[str], str], name: str) -> None:
    with pytest.raises(X12DataError, match="837P subscriber or patient has no DMG birth date"):
        _claims(corpus(name), strict=False)


@pytest.mark.parametrize(
    ("system", "sent", "code", "description"),
    [
        ("icd9cm", "49390", "493.90", ICD9),
        ("icd9cm", "V7389", "V73.89", ICD9),
        ("icd9cm", "E8490", "E849.0", ICD9),  # external causes: four characters before the dot
        ("icd9cm", "496", "496", ICD9),
        ("individual-relationship", "19", "19", "Child"),
        ("individual-relationship", "01", "01", "Spouse"),
        ("individual-relationship", "G8", "G8", "Other Relationship"),
        ("claim-status", "254", "254", "Principal diagnosis code."),
    ],
)
def test_837_code_lists(system: str, sent: str, code: str, description: str) -> None:
    found = lookup(system, sent)
    assert (found.system, found.code, found.description) == (system, code, description)


def test_hi_elements_that_are_not_diagnoses_are_reported(corpus: Callable[[str], str]) -> None:
    """The imsweb HI (``HI*BK*8901*BF*87200*BF:5559``) split apart, with a birth date added so the
    claim can be read: only the one well-formed composite is a diagnosis, the rest are findings."""
    text = corpus("837P_5010A1_valid_two_claims_imsweb.txt")
    text = text.replace("*MI*123456~", "*MI*123456~DMG*D8*19700101*M~")
    claims = _claims(text, strict=False)
    assert [(c.control_number, c.submission.total_charge) for c in claims] == [
        ("A37YH556", Decimal("500")),
        ("A37YH667", Decimal("500")),
    ]
    assert [c.submission.member.first_name for c in claims] == ["JOHN", "DAVID"]
    first = claims[0]
    assert [(d.system, d.code) for d in first.diagnoses] == [("icd9cm", "555.9")]
    assert [(f.code, f.message) for f in first.findings] == [
        (
            "837_HI_COMPOSITE_UNREADABLE",
            f"HI0{n} is not a qualifier:code pair; it is not read as a diagnosis",
        )
        for n in (1, 2, 3, 4)
    ]
