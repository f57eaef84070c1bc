"""What a FHIR payer server reads from the requests this package sends (used by sandbox servers).

:func:`read_request` turns a CoverageEligibilityRequest into the member (from the contained Patient
and Coverage), service types, date and purposes; :func:`read_claim` turns a received Claim into a
:class:`Claim` with status A1 (received), :func:`read_submission` into the :class:`ClaimSubmission`
it carries. Both also read the HL7 core examples in the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.claims import (
    CLAIM_FREQUENCY_SYSTEM,
    CONTROL_NUMBER_SYSTEM,
    TAX_ID_SYSTEM,
    control_number_of,
)
from payers.fhir.coverage import read_coverage
from payers.fhir.resources import ParsedResource
from payers.fhir.terminology import (
    as_date,
    claim_state,
    codings,
    diagnosis_code,
    first_code,
    money,
    npi_of,
    place_of_service,
    procedure_code,
)
from payers.model import (
    Claim,
    ClaimLine,
    ClaimStatus,
    ClaimSubmission,
    Code,
    MemberQuery,
    SubscriberRelation,
)


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """What a CoverageEligibilityRequest asks (read by FHIR servers such as the sandbox)."""

    member: MemberQuery | None
    service_types: tuple[str, ...]
    as_of: date | None
    purposes: tuple[str, ...]


def read_request(parsed: ParsedResource[Any]) -> EligibilityInquiry:
    """The member (when contained), service types, date and purposes of a request."""
    request = parsed.resource
    return EligibilityInquiry(
        member=contained_member(request),
        service_types=tuple(c for c in (first_code(i.category) for i in request.item or ()) if c),
        as_of=as_date(request.servicedDate)
        or as_date(request.servicedPeriod.start if request.servicedPeriod else None),
        purposes=tuple(request.purpose or ()),
    )


def contained_member(resource: Any) -> MemberQuery | None:
    """The member a request names by its contained Patient (and Coverage), if it does."""
    contained = {r.id: r for r in resource.contained or ()}
    patient = contained.get(str(resource.patient.reference or "").lstrip("#"))
    if patient is None or not patient.birthDate or not patient.name:
        return None
    coverage = next((r for r in contained.values() if r.get_resource_type() == "Coverage"), None)
    record = read_coverage(coverage) if coverage is not None else None
    member_id = (record.member_id if record else None) or next(
        (str(i.value) for i in patient.identifier or () if i.value), ""
    )
    return MemberQuery(
        member_id=member_id,
        first_name=" ".join(patient.name[0].given or ()),
        last_name=str(patient.name[0].family or ""),
        birth_date=patient.birthDate,
        group_number=record.plan.group_number if record else None,
        relation=record.relation if record else SubscriberRelation.SELF,
    )


def read_submission(
    parsed: ParsedResource[Any], control_system: str = CONTROL_NUMBER_SYSTEM
) -> tuple[str | None, ClaimSubmission]:
    """A received professional Claim as the submission it carries, with its control number.

    ``ValueError`` when the Claim does not name its member by a contained Patient.
    """
    resource = parsed.resource
    member = contained_member(resource)
    if member is None:
        raise ValueError("the Claim names no contained Patient with name and birth date")
    claim = read_claim(parsed, "", member.member_id)
    contained = resource.contained or ()
    billing = next(
        (r for r in contained if f"#{r.id}" == str(resource.provider.reference or "")), None
    )
    tax_id = next(
        (str(i.value) for i in getattr(billing, "identifier", None) or () if _is_tax_id(i)), ""
    )
    frequency = next(
        (
            str(c.code)
            for info in resource.supportingInfo or ()
            for c in codings(info.code)
            if str(c.system or "") == CLAIM_FREQUENCY_SYSTEM
        ),
        "1",
    )
    original = next(
        (
            str(r.claim.identifier.value)
            for r in resource.related or ()
            if r.claim is not None and r.claim.identifier is not None and r.claim.identifier.value
        ),
        None,
    )
    place = claim.place_of_service.code if claim.place_of_service else ""
    submission = ClaimSubmission(
        member=member,
        billing_provider_npi=claim.billing_provider_npi or "",
        billing_provider_tax_id=tax_id,
        billing_provider_name=str(getattr(billing, "name", None) or ""),
        rendering_provider_npi=claim.rendering_provider_npi,
        place_of_service=place,
        frequency_code=frequency,
        diagnoses=tuple(d.code for d in claim.diagnoses),
        lines=claim.lines,
        total_charge=claim.total_charge,
        original_payer_claim_id=original,
    )
    return control_number_of(resource, control_system), submission


def _is_tax_id(identifier: Any) -> bool:
    return str(identifier.system or "") == TAX_ID_SYSTEM and bool(identifier.value)


def read_claim(parsed: ParsedResource[Any], payer_id: str, member_id: str | None = None) -> Claim:
    """A received Claim (as a FHIR server such as the sandbox reads it), status A1 received."""
    resource = parsed.resource
    contained = resource.contained or ()
    diagnoses: list[Code] = []
    positions: dict[int, int] = {}
    for entry in sorted(resource.diagnosis or (), key=lambda d: d.sequence):
        found = codings(entry.diagnosisCodeableConcept)
        if found:
            diagnoses.append(diagnosis_code(found[0]))
            positions[entry.sequence] = len(diagnoses)
    lines = []
    for item in resource.item or ():
        units = money(item.quantity) or Decimal(1)
        price = money(item.unitPrice)
        net = money(item.net)
        lines.append(
            ClaimLine(
                line_number=item.sequence,
                procedure=next(
                    (procedure_code(c) for c in codings(item.productOrService)),
                    Code("unspecified", "unknown", "Service not stated"),
                ),
                charge=net if net is not None else (price or Decimal(0)) * units,
                units=units,
                modifiers=tuple(str(c.code) for m in item.modifier or () for c in codings(m)),
                diagnosis_pointers=tuple(
                    positions[s] for s in item.diagnosisSequence or () if s in positions
                ),
                service_date=as_date(item.servicedDate)
                or as_date(item.servicedPeriod.start if item.servicedPeriod else None),
            )
        )
    rendering = next((npi_of(m.provider, contained) for m in resource.careTeam or ()), None)
    dates = [line.service_date for line in lines if line.service_date]
    total = money(resource.total)
    patient = contained_patient_member_id(resource)
    return Claim(
        payer_id=payer_id,
        payer_claim_id=None,
        control_number=control_number_of(resource),
        member_id=member_id or patient or str(resource.patient.reference or ""),
        status=ClaimStatus(
            state=claim_state("A1"),
            category=lookup("claim-status-category", "A1"),
            effective_date=as_date(resource.created),
            control_number=control_number_of(resource),
            total_charge=total,
        ),
        service_date_from=min(dates, default=None),
        service_date_to=max(dates, default=None),
        total_charge=total if total is not None else sum((x.charge for x in lines), Decimal(0)),
        claim_type=first_code(resource.type) or "professional",
        billing_provider_npi=npi_of(resource.provider, contained),
        rendering_provider_npi=rendering,
        place_of_service=next(
            (
                p
                for p in (place_of_service(i.locationCodeableConcept) for i in resource.item or ())
                if p
            ),
            None,
        ),
        diagnoses=tuple(diagnoses),
        lines=tuple(lines),
    )


def contained_patient_member_id(resource: Any) -> str | None:
    """The member id of a contained Patient or Coverage (how our requests name the member)."""
    for contained in resource.contained or ():
        if contained.get_resource_type() == "Coverage" and contained.subscriberId:
            return str(contained.subscriberId)
    for contained in resource.contained or ():
        if contained.get_resource_type() == "Patient":
            for ident in contained.identifier or ():
                if ident.value:
                    return str(ident.value)
    return None
