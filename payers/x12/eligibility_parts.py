"""The parts of a 271 beyond the EB line itself: its loop's dates and references, its 2120 related
entities with their contacts, the EB13 procedure, and the dependent of loop 2100D.

Each reader takes segments :mod:`payers.x12.eligibility` has already placed in their loop, and
returns model values; a date it cannot read becomes a finding on the benefit, not a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from payers.codesets import lookup
from payers.codesets.x12_eligibility_detail import PRODUCT_SERVICE_QUALIFIER
from payers.model import (
    BenefitDate,
    Code,
    Contact,
    ContactNumber,
    DependentPerson,
    Finding,
    FindingSeverity,
    Reference,
    RelatedEntity,
)
from payers.x12.segments import X12DataError, X12Segment, date_or_none, parse_period

#: EB13-1 qualifier -> the code system its EB13-2 code is looked up in. CPT and HCPCS share our
#: ``procedure`` table; the others are code lists we carry no table for (kept, described by list).
PROCEDURE_SYSTEMS: Mapping[str, str] = {
    "HC": "procedure",
    "CJ": "procedure",
    "AD": "cdt",
    "ID": "icd9-procedure",
    "IV": "hiec",
    "N4": "ndc",
    "ZZ": "mutually-defined",
}

BENEFIT_DATE_UNREADABLE = "271_BENEFIT_DATE_UNREADABLE"


def procedure_code(parts: Sequence[str]) -> Code | None:
    """EB13 (qualifier, code, modifiers...) as a Code in the system its qualifier names."""
    if len(parts) < 2 or not parts[1]:
        return None
    qualifier, value = parts[0], parts[1]
    system = PROCEDURE_SYSTEMS.get(qualifier)
    if system == "procedure":
        return lookup(system, value)
    listed = PRODUCT_SERVICE_QUALIFIER.get(qualifier, f"product/service qualifier {qualifier}")
    return Code(system=system or f"x12-{qualifier.lower()}", code=value, description=listed)


def benefit_dates(
    segments: Sequence[X12Segment], loop: str
) -> tuple[tuple[BenefitDate, ...], tuple[Finding, ...]]:
    """The loop's DTP segments as dates; one the payer wrote wrong is a finding (the rest stay)."""
    dates: list[BenefitDate] = []
    findings: list[Finding] = []
    for seg in segments:
        if seg.id != "DTP":
            continue
        qualifier = lookup("date-qualifier", seg.get(1))
        try:
            start, end = parse_period(seg.get(2), seg.get(3), seg.where(3))
        except X12DataError as exc:
            findings.append(
                Finding(
                    code=BENEFIT_DATE_UNREADABLE,
                    message=f"{exc}; the benefit is kept without this {qualifier.description} date",
                    severity=FindingSeverity.ERROR,
                    location=f"loop {loop}, {seg.where()}",
                    segment=seg.position,
                    codes=(qualifier,),
                )
            )
            continue
        dates.append(BenefitDate(qualifier=qualifier, start=start, end=end))
    return tuple(dates), tuple(findings)


def reference(seg: X12Segment) -> Reference:
    """A REF: qualifier (``reference-qualifier``), value, description."""
    return Reference(
        qualifier=lookup("reference-qualifier", seg.get(1)),
        value=seg.get(2),
        description=seg.get(3) or None,
    )


def related_entity(segments: Sequence[X12Segment]) -> RelatedEntity:
    """A 2120 entity: its NM1 (who), and PER contacts. A loop without NM1 keeps its contacts."""
    nm1 = next((s for s in segments if s.id == "NM1"), None)
    contacts = tuple(_contact(s) for s in segments if s.id == "PER")
    if nm1 is None:
        return RelatedEntity(contacts=contacts)
    qualifier = nm1.get(8)
    return RelatedEntity(
        entity=lookup("entity-identifier", nm1.get(1)),
        name=nm1.get(3) or None,
        first_name=nm1.get(4) or None,
        identifier=nm1.get(9) or None,
        identifier_qualifier=lookup("id-code-qualifier", qualifier) if qualifier else None,
        contacts=contacts,
    )


def _contact(per: X12Segment) -> Contact:
    numbers = tuple(
        ContactNumber(
            qualifier=lookup("contact-number-qualifier", per.get(n)), value=per.get(n + 1)
        )
        for n in (3, 5, 7)
        if per.get(n) and per.get(n + 1)
    )
    return Contact(name=per.get(2) or None, numbers=numbers)


def dependent_person(person: Mapping[str, X12Segment]) -> DependentPerson:
    """The 2100D NM1*03 (name, id when given), DMG (birth date, gender) and INS (relationship)."""
    nm1, dmg, ins = person.get("NM1"), person.get("DMG"), person.get("INS")
    birth = None
    if dmg is not None and dmg.get(1) in ("D8", ""):
        birth = date_or_none(dmg.get(2), dmg.where(2))
    return DependentPerson(
        first_name=(nm1.get(4) or None) if nm1 else None,
        last_name=(nm1.get(3) or None) if nm1 else None,
        birth_date=birth,
        gender=(dmg.get(3) or None) if dmg else None,
        relationship=lookup("individual-relationship", ins.get(2)) if ins and ins.get(2) else None,
        member_id=(nm1.get(9) or None) if nm1 else None,
    )
