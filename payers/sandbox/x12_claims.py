"""Read the claims of a received 837P (005010X222A1) into ClaimSubmissions for the sandbox intake.

The payer side of :mod:`payers.x12.submission`. Loops followed: 1000A submitter (NM1*41), 2010AA
billing provider (NM1*85, REF*EI), 2000B/2010BA subscriber (SBR, NM1*IL, DMG), 2000C/2010CA patient
(PAT, NM1*QC, N3/N4, DMG) when the patient is a dependent, 2300 claim (CLM, REF 9F/G1/F8/EA, HI),
2310A referring (NM1*DN), 2310B rendering provider (NM1*82), 2400 lines (LX, SV1, DTP*472) with
2410 drug (LIN*N4, CTP), 2420E ordering (NM1*DK) and 2420F referring (NM1*DN); a secondary claim's
2320/2330x/2430 loops go to :class:`~payers.sandbox.prior_payers_wire.X12PriorPayers`. One 837 may
carry many claims. Diagnoses keep the code list their HI qualifier names: ABK/ABF ICD-10-CM, BK/BF
ICD-9-CM (never looked up as ICD-10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from payers.codesets import lookup
from payers.model import (
    ClaimLine,
    ClaimSubmission,
    Code,
    Demographics,
    Finding,
    MemberQuery,
    PostalAddress,
    SubscriberRelation,
)
from payers.sandbox.prior_payers_wire import X12PriorPayers
from payers.sandbox.x12_lines import drug_of, line_of, provider_of
from payers.x12.envelope import TransactionSet
from payers.x12.segments import X12DataError, X12Segment, parse_d8, parse_period

#: HI composite qualifiers and the code list each one names (X222A1 loop 2300 HI).
DIAGNOSIS_LISTS = {"ABK": "icd10cm", "ABF": "icd10cm", "BK": "icd9cm", "BF": "icd9cm"}
_RELATIONS = {"01": SubscriberRelation.SPOUSE, "19": SubscriberRelation.CHILD}
_FOREIGN_SEPARATOR = re.compile(r"^[A-Z0-9]{1,3}([^A-Za-z0-9 .\-])")
_CLAIM_REFERENCES = {
    "9F": "referral_number",
    "G1": "prior_authorization",
    "F8": "original",
    "EA": "medical_record_number",
}


@dataclass(frozen=True, slots=True)
class ReceivedClaim:
    """One CLM of an 837P: its control number (CLM01), the claim, and who sent it."""

    control_number: str
    submission: ClaimSubmission
    batch_reference: str  # BHT03
    submitter_name: str
    submitter_id: str
    diagnoses: tuple[Code, ...] = ()  # each in the code list its HI qualifier names
    patient_relationship: Code | None = None  # PAT01 when the patient is a dependent
    subscriber_name: tuple[str, str] = ("", "")  # 2010BA last and first name
    findings: tuple[Finding, ...] = ()


@dataclass
class _Claim:
    clm: X12Segment
    diagnoses: list[Code] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)
    rendering: str | None = None
    referring: tuple[str, str, str] | None = None
    lines: list[ClaimLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    prior: X12PriorPayers = field(default_factory=X12PriorPayers)  # loops 2320-2330B, 2430


@dataclass
class _Person:
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    gender: str | None = None
    address: list[str] = field(default_factory=list)  # N3 street, N4 city, state, postal code


@dataclass
class _Parties:
    billing_name: str = ""
    billing_npi: str = ""
    tax_id: str = ""
    group: str | None = None
    responsibility: str = "P"  # SBR01
    member_id: str = ""
    subscriber: _Person = field(default_factory=_Person)
    patient: _Person | None = None  # 2010CA, when the patient is a dependent
    relationship: str = ""  # PAT01


def read_837p(transaction: TransactionSet) -> list[ReceivedClaim]:
    """Every claim of one 837P transaction set (X12DataError when one cannot be read)."""
    reference, submitter = "", ("", "")
    parties = _Parties()
    claims: list[tuple[_Claim, _Parties]] = []
    claim: _Claim | None = None
    addressee: _Person | None = None
    level = ""
    for seg in transaction.segments:
        if claim is not None and claim.prior.take(seg, len(claim.lines)):
            continue
        qualifier = seg.get(1)
        person = parties.patient if level == "23" and parties.patient else parties.subscriber
        if seg.id == "BHT":
            reference = seg.get(3)
        elif seg.id == "HL":
            level, claim = seg.get(3), None
            if level == "20":
                parties = _Parties()
            elif level == "22":
                parties = replace(parties, subscriber=_Person(), patient=None, relationship="")
            elif level == "23":
                parties.patient = _Person()
        elif seg.id == "NM1" and qualifier == "41":
            submitter = (seg.get(3), seg.get(9))
        elif seg.id == "NM1" and qualifier == "85":
            parties.billing_name, parties.billing_npi = seg.get(3), seg.get(9)
        elif seg.id == "REF" and qualifier == "EI" and level == "20":
            parties.tax_id = seg.get(2)
        elif seg.id == "SBR":
            parties.group, parties.responsibility = seg.get(3) or None, seg.get(1) or "P"
        elif seg.id == "PAT" and claim is None:
            parties.relationship = qualifier
        elif seg.id == "NM1" and qualifier in ("IL", "QC"):
            if qualifier == "IL":
                parties.member_id = seg.get(9)
            person.last_name, person.first_name = seg.get(3), seg.get(4)
            addressee = person
        elif seg.id == "NM1" and claim is None:
            addressee = None  # a payer's (2010BB) address is not the person's
        elif seg.id in ("N3", "N4") and claim is None and addressee is not None:
            addressee.address += [seg.get(1), seg.get(2), seg.get(3)][: 1 if seg.id == "N3" else 3]
        elif seg.id == "DMG" and claim is None:
            person.birth_date = parse_d8(seg.get(2), seg.where(2))
            person.gender = seg.get(3) or None
        elif seg.id == "CLM":
            claim = _Claim(seg)
            claims.append((claim, replace(parties)))
        elif claim is None:
            continue
        elif seg.id == "REF" and qualifier in _CLAIM_REFERENCES and not claim.lines:
            claim.references[_CLAIM_REFERENCES[qualifier]] = seg.get(2)
        elif seg.id == "HI":
            _diagnoses(seg, claim)
        elif seg.id == "NM1" and qualifier == "82":
            claim.rendering = seg.get(9) or None
        elif seg.id == "NM1" and qualifier == "DN" and not claim.lines:
            claim.referring = (seg.get(9), seg.get(3), seg.get(4))
        elif seg.id == "SV1":
            claim.lines.append(line_of(len(claim.lines) + 1, seg))
        elif claim.lines and seg.id in ("DTP", "LIN", "CTP", "NM1"):
            claim.lines[-1] = _line_detail(claim.lines[-1], seg)
    return [_received(c, p, reference, submitter) for c, p in claims]


def _composite(seg: X12Segment, element: int) -> list[str]:
    """A composite's components, tolerating a sender that used another component separator than
    ISA16 declares (``HI*BK>496`` under ``:``): a short qualifier followed by punctuation."""
    parts = seg.components(element)
    if len(parts) == 1:
        found = _FOREIGN_SEPARATOR.match(parts[0])
        if found:
            return [p.strip() for p in parts[0].split(found.group(1))]
    return parts


def _diagnoses(seg: X12Segment, claim: _Claim) -> None:
    for n in range(1, 13):
        parts = _composite(seg, n)
        if not any(parts):
            continue
        if len(parts) < 2 or not parts[1]:  # e.g. HI*BK*8901: qualifier and code split apart
            claim.findings.append(
                Finding(
                    "837_HI_COMPOSITE_UNREADABLE",
                    f"HI{n:02d} is not a qualifier:code pair; it is not read as a diagnosis",
                    location="loop 2300",
                    segment=seg.position,
                )
            )
            continue
        system = DIAGNOSIS_LISTS.get(parts[0])
        if system is None:  # another code list (e.g. BP/BG): not a diagnosis of this claim
            claim.findings.append(
                Finding(
                    "837_HI_QUALIFIER_UNKNOWN",
                    f"HI{n:02d} qualifier {parts[0]} names no diagnosis code list read here",
                    location="loop 2300",
                    segment=seg.position,
                )
            )
            continue
        claim.diagnoses.append(lookup(system, parts[1]))


def _line_detail(line: ClaimLine, seg: X12Segment) -> ClaimLine:
    qualifier = seg.get(1)
    if seg.id == "DTP" and qualifier == "472":
        start, _ = parse_period(seg.get(2), seg.get(3), seg.where(3))
        return replace(line, service_date=start)
    if seg.id in ("LIN", "CTP"):
        return replace(line, drug=drug_of(line.drug, seg))
    if seg.id == "NM1" and qualifier == "DK":
        return replace(line, ordering_provider=provider_of(seg))
    if seg.id == "NM1" and qualifier == "DN":
        return replace(line, referring_provider=provider_of(seg))
    return line


def _received(
    claim: _Claim, parties: _Parties, reference: str, submitter: tuple[str, str]
) -> ReceivedClaim:
    clm = claim.clm
    facility = [*_composite(clm, 5), "", "", ""]
    subscriber, patient = parties.subscriber, parties.patient or parties.subscriber
    if patient.birth_date is None:
        raise X12DataError("837P subscriber or patient has no DMG birth date")
    dependent = parties.patient is not None
    relationship = lookup("individual-relationship", parties.relationship) if dependent else None
    member = MemberQuery(
        member_id=parties.member_id,
        first_name=patient.first_name,
        last_name=patient.last_name,
        birth_date=patient.birth_date,
        group_number=parties.group,
        relation=_RELATIONS.get(parties.relationship, SubscriberRelation.OTHER)
        if dependent
        else SubscriberRelation.SELF,
    )
    systems = {code.system for code in claim.diagnoses}
    findings = list(claim.findings)
    if len(systems) > 1:
        findings.append(
            Finding(
                "837_DIAGNOSIS_CODE_LISTS_MIXED",
                "the claim mixes ICD-10-CM (ABK/ABF) and ICD-9-CM (BK/BF) diagnoses",
                location="loop 2300 HI",
            )
        )
    refs = claim.references
    submission = ClaimSubmission(
        member=member,
        billing_provider_npi=parties.billing_npi,
        billing_provider_tax_id=parties.tax_id,
        billing_provider_name=parties.billing_name,
        rendering_provider_npi=claim.rendering or parties.billing_npi,
        place_of_service=facility[0],
        frequency_code=facility[2] or "1",
        diagnoses=tuple(code.code.replace(".", "") for code in claim.diagnoses),
        lines=tuple(claim.lines),
        total_charge=clm.money(2, "total claim charge"),
        original_payer_claim_id=refs.get("original") or None,
        responsibility=parties.responsibility,
        prior_payers=claim.prior.adjudications(),
        subscriber=_demographics(subscriber) if dependent else None,
        patient_gender=patient.gender,
        referring_provider=provider_of(None, claim.referring) if claim.referring else None,
        prior_authorization=refs.get("prior_authorization") or None,
        referral_number=refs.get("referral_number") or None,
        medical_record_number=refs.get("medical_record_number") or None,
        patient_address=_address(patient) if dependent else None,
        diagnosis_code_list="icd9cm" if "icd9cm" in systems else "icd10cm",
    )
    return ReceivedClaim(
        clm.get(1),
        submission,
        reference,
        *submitter,
        diagnoses=tuple(claim.diagnoses),
        patient_relationship=relationship,
        subscriber_name=(subscriber.last_name, subscriber.first_name),
        findings=tuple(findings),
    )


def _demographics(person: _Person) -> Demographics | None:
    if (
        person.birth_date is None
    ):  # 2010BA DMG is situational when the subscriber is not the patient
        return None
    return Demographics(person.first_name, person.last_name, person.birth_date, person.gender)


def _address(person: _Person) -> PostalAddress | None:
    parts = person.address
    return PostalAddress(*parts) if len(parts) == 4 else None
