"""837P (005010X222A1) loops for the people and references around a claim.

- The patient who is not the subscriber: 2000B says so (HL04 1, SBR02 blank), 2010BA names the card
  holder with the card's member id, and loop 2000C (HL level 23, PAT01 relationship) with 2010CA
  (NM1*QC, DMG) names the patient. Written when the claim carries the subscriber's demographics.
- Claim references in loop 2300, in the guide's order: REF*9F referral number, REF*G1 prior
  authorization, REF*F8 payer claim control number (replacements and voids), REF*EA medical record.
- 2310A referring provider (NM1*DN); per line, 2410 drug (LIN*N4 NDC, CTP quantity and unit), 2420E
  ordering provider (NM1*DK) and 2420F referring provider (NM1*DN).
"""

from __future__ import annotations

from decimal import Decimal

from payers.model import ClaimLine, ClaimProvider, ClaimSubmission, SubscriberRelation
from payers.x12.outgoing import Composite, SegmentSpec

REPLACEMENT_FREQUENCIES = frozenset({"7", "8"})
#: PAT01 individual relationship code of the patient to the subscriber (X222A1 loop 2000C).
RELATIONSHIP_CODES = {
    SubscriberRelation.SPOUSE: "01",
    SubscriberRelation.CHILD: "19",
    SubscriberRelation.OTHER: "G8",
}
DRUG_UNITS = frozenset({"F2", "GR", "ME", "ML", "UN"})


def is_dependent_claim(claim: ClaimSubmission) -> bool:
    """True when the patient is sent in loop 2000C under the card holder's member id."""
    return claim.subscriber is not None and claim.member.relation is not SubscriberRelation.SELF


def subscriber_loops(
    claim: ClaimSubmission, group_number: str, filing_indicator: str
) -> list[SegmentSpec]:
    """Loop 2000B (HL, SBR) and 2010BA (NM1*IL, DMG) for the patient or for the card holder."""
    member = claim.member
    dependent = is_dependent_claim(claim)
    holder = claim.subscriber if dependent else None
    last, first = (
        (holder.last_name, holder.first_name) if holder else (member.last_name, member.first_name)
    )
    birth = holder.birth_date if holder else member.birth_date
    gender = (holder.gender if holder else claim.patient_gender) or "U"
    return [
        ("HL", "2", "1", "22", "1" if dependent else "0"),
        # SBR02 is 18 (self) when the subscriber is the patient, and blank when 2000C follows.
        (
            "SBR",
            claim.responsibility,
            "" if dependent else "18",
            group_number,
            "",
            "",
            "",
            "",
            "",
            filing_indicator,
        ),
        ("NM1", "IL", "1", last, first, "", "", "", "MI", member.member_id),
        ("DMG", "D8", f"{birth:%Y%m%d}", _gender(gender)),
    ]


def patient_loops(claim: ClaimSubmission) -> list[SegmentSpec]:
    """Loop 2000C/2010CA when the patient is a dependent (written after 2010BB), else nothing."""
    if not is_dependent_claim(claim):
        return []
    member = claim.member
    return [
        ("HL", "3", "2", "23", "0"),
        ("PAT", RELATIONSHIP_CODES.get(member.relation, "G8")),
        ("NM1", "QC", "1", member.last_name, member.first_name),
        *_address(claim),
        ("DMG", "D8", f"{member.birth_date:%Y%m%d}", _gender(claim.patient_gender or "U")),
    ]


def claim_references(claim: ClaimSubmission) -> list[SegmentSpec]:
    """The 2300 REF segments the claim has, in the guide's order."""
    original = (
        claim.original_payer_claim_id if claim.frequency_code in REPLACEMENT_FREQUENCIES else None
    )
    found: list[SegmentSpec] = []
    for qualifier, value in (
        ("9F", claim.referral_number),
        ("G1", claim.prior_authorization),
        ("F8", original),
        ("EA", claim.medical_record_number),
    ):
        if value:
            found.append(("REF", qualifier, value))
    return found


def referring_loop(claim: ClaimSubmission) -> list[SegmentSpec]:
    """Loop 2310A (written before the rendering provider's 2310B)."""
    return [_provider("DN", claim.referring_provider)] if claim.referring_provider else []


def line_loops(line: ClaimLine) -> list[SegmentSpec]:
    """Loops 2410 (drug), 2420E (ordering) and 2420F (referring) of one service line."""
    found: list[SegmentSpec] = []
    if line.drug is not None:
        found += [
            ("LIN", "", "N4", line.drug.ndc),
            ("CTP", "", "", "", _quantity(line.drug.quantity), Composite(line.drug.unit)),
        ]
    if line.ordering_provider is not None:
        found.append(_provider("DK", line.ordering_provider))
    if line.referring_provider is not None:
        found.append(_provider("DN", line.referring_provider))
    return found


def party_problems(claim: ClaimSubmission) -> list[str]:
    """Why the parties or drugs cannot be written as X222A1, if they cannot."""
    problems = []
    if claim.subscriber is not None and claim.member.relation is SubscriberRelation.SELF:
        problems.append("a claim whose patient is the subscriber carries no separate subscriber")
    if is_dependent_claim(claim) and claim.patient_address is None:
        problems.append("a dependent patient needs an address (loop 2010CA N3/N4)")
    for line in claim.lines:
        drug = line.drug
        if drug is None:
            continue
        if not (len(drug.ndc) == 11 and drug.ndc.isdigit()):
            problems.append(f"line {line.line_number}: the NDC must be 11 digits (5-4-2)")
        if drug.unit not in DRUG_UNITS:
            problems.append(f"line {line.line_number}: drug unit must be F2, GR, ME, ML or UN")
        if drug.quantity <= 0:
            problems.append(f"line {line.line_number}: drug quantity must be greater than 0")
    return problems


def _provider(qualifier: str, provider: ClaimProvider | None) -> SegmentSpec:
    assert provider is not None
    return (
        "NM1",
        qualifier,
        "1",
        provider.last_name,
        provider.first_name or "",
        "",
        "",
        "",
        "XX",
        provider.npi,
    )


def _address(claim: ClaimSubmission) -> list[SegmentSpec]:
    address = claim.patient_address
    if address is None:
        return []
    return [
        ("N3", address.street),
        ("N4", address.city, address.state, address.postal_code.replace("-", "")),
    ]


def _gender(value: str) -> str:
    return value if value in ("F", "M", "U") else "U"


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"
