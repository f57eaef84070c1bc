"""Professional Claim out (from a ClaimSubmission), ClaimResponse in (acknowledgment and status).

The Claim carries our control number as its business ``identifier`` (system
:data:`CONTROL_NUMBER_SYSTEM` unless the payer configures another), so a retry with the same control
number lets the payer deduplicate, and ClaimResponse ``request`` can name it. The member, the
billing organization and the rendering practitioner are contained resources. The X12 claim
frequency code (1 original, 7 replacement, 8 void) travels as ``supportingInfo`` with category
``info`` and code system :data:`CLAIM_FREQUENCY_SYSTEM`; a replacement names the original claim in
``related`` (relationship ``prior``). A claim to a secondary or tertiary payer lists the earlier
payers' coverages and adjudication in ``insurance`` (:mod:`payers.fhir.prior_payers`).

ClaimResponse ``outcome`` -> 277 category: ``queued`` -> A1 (received), ``complete`` -> F1 when a
payment or benefit is stated, F2 when the benefit is zero and the response carries adjudication
reasons, else A2 (accepted into adjudication); ``partial`` -> P1; ``error`` -> A3 (rejected).
A stated X12 status (:data:`~payers.fhir.terminology.CLAIM_STATUS_EXTENSION`) wins over the derived
category. Errors (``error.code``) become the acknowledgment's reasons; CARC 18 or a code "duplicate"
marks a duplicate (on a response that is not ``error``, that marker is not kept as a reason).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.adjudication import read_adjudications, reason_codes
from payers.fhir.eob import payer_claim_id
from payers.fhir.prior_payers import insurance_entries
from payers.fhir.resources import ParsedResource, parse_resource
from payers.fhir.terminology import (
    CLAIM_TYPE,
    CPT,
    HCPCS,
    ICD10CM,
    NPI,
    PLACE_OF_SERVICE,
    SUBSCRIBER_RELATIONSHIP,
    as_date,
    claim_state,
    money,
    stated_status,
)
from payers.model import (
    ClaimStatus,
    ClaimSubmission,
    Code,
    SubmissionAck,
)

CONTROL_NUMBER_SYSTEM = "urn:payer-gateway:claim-control-number"
CLAIM_FREQUENCY_SYSTEM = "urn:payer-gateway:claim-frequency"
TAX_ID_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"  # US employer identification number (EIN)


def build_claim(
    claim: ClaimSubmission,
    control_number: str,
    *,
    insurer: dict[str, Any],
    created: date,
    control_system: str = CONTROL_NUMBER_SYSTEM,
) -> dict[str, Any]:
    """A validated professional Claim (JSON-ready dict)."""
    member = claim.member
    contained: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": "patient",
            "identifier": [{"type": {"coding": [{"code": "MB"}]}, "value": member.member_id}],
            "name": [{"family": member.last_name, "given": [member.first_name]}],
            "birthDate": member.birth_date.isoformat(),
        },
        {
            "resourceType": "Coverage",
            "id": "coverage",
            "status": "active",
            "subscriberId": member.member_id,
            "beneficiary": {"reference": "#patient"},
            "relationship": {
                "coding": [{"system": SUBSCRIBER_RELATIONSHIP, "code": member.relation.value}]
            },
            "payor": [insurer],
        },
        {
            "resourceType": "Organization",
            "id": "billing",
            "identifier": [
                {"system": NPI, "value": claim.billing_provider_npi},
                {"system": TAX_ID_SYSTEM, "value": claim.billing_provider_tax_id},
            ],
            "name": claim.billing_provider_name,
        },
    ]
    care_team = []
    if claim.rendering_provider_npi:
        contained.append(
            {
                "resourceType": "Practitioner",
                "id": "rendering",
                "identifier": [{"system": NPI, "value": claim.rendering_provider_npi}],
            }
        )
        care_team.append(
            {
                "sequence": 1,
                "provider": {"reference": "#rendering"},
                "role": {"coding": [{"code": "primary"}]},
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "contained": contained,
        "identifier": [{"system": control_system, "value": control_number}],
        "status": "active",
        "type": {"coding": [{"system": CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": {"reference": "#patient"},
        "created": created.isoformat(),
        "insurer": insurer,
        "provider": {"reference": "#billing"},
        "priority": {"coding": [{"code": "normal"}]},
        "supportingInfo": [
            {
                "sequence": 1,
                "category": {"coding": [{"code": "info"}]},
                "code": {
                    "coding": [{"system": CLAIM_FREQUENCY_SYSTEM, "code": claim.frequency_code}]
                },
            }
        ],
        "diagnosis": [
            {
                "sequence": n,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": ICD10CM, "code": lookup("icd10cm", dx).code}]
                },
            }
            for n, dx in enumerate(claim.diagnoses, start=1)
        ],
        "insurance": insurance_entries(claim, contained),
        "item": [_item(line, claim.place_of_service, bool(care_team)) for line in claim.lines],
        "total": {"value": claim.total_charge, "currency": "USD"},
    }
    if care_team:
        resource["careTeam"] = care_team
    if claim.original_payer_claim_id:
        resource["related"] = [
            {
                "claim": {"identifier": {"value": claim.original_payer_claim_id}},
                "relationship": {"coding": [{"code": "prior"}]},
            }
        ]
    parse_resource(resource, ("Claim",))  # what we send must be valid R4
    return resource


def _item(line: Any, place: str, rendering: bool) -> dict[str, Any]:
    code = line.procedure.code
    item: dict[str, Any] = {
        "sequence": line.line_number,
        "productOrService": {"coding": [{"system": _procedure_system(code), "code": code}]},
        "quantity": {"value": line.units},
        "unitPrice": {
            "value": (line.charge / line.units) if line.units else line.charge,
            "currency": "USD",
        },
        "net": {"value": line.charge, "currency": "USD"},
        "locationCodeableConcept": {"coding": [{"system": PLACE_OF_SERVICE, "code": place}]},
    }
    if line.modifiers:
        item["modifier"] = [
            {"coding": [{"system": _procedure_system(code), "code": m}]} for m in line.modifiers
        ]
    if line.diagnosis_pointers:
        item["diagnosisSequence"] = list(line.diagnosis_pointers)
    if line.service_date:
        item["servicedDate"] = line.service_date.isoformat()
    if rendering:
        item["careTeamSequence"] = [1]
    return item


def _procedure_system(code: str) -> str:
    """CPT: five digits, or four and a letter (categories II/III); HCPCS II: a letter first."""
    return HCPCS if code[:1].isalpha() else CPT


def control_number_of(resource: Any, control_system: str = CONTROL_NUMBER_SYSTEM) -> str | None:
    """Our control number in a Claim's identifiers, or in a ClaimResponse's ``request``."""
    identifiers = list(getattr(resource, "identifier", None) or ())
    request = getattr(resource, "request", None)
    if request is not None and request.identifier is not None:
        identifiers.insert(0, request.identifier)
    for ident in identifiers:
        if ident.value and str(ident.system or "") == control_system:
            return str(ident.value)
    return None


def response_status(parsed: ParsedResource[Any], control_number: str | None = None) -> ClaimStatus:
    """A ClaimResponse as a 277-style claim status."""
    response = parsed.resource
    totals = read_adjudications(response.total)
    items = [read_adjudications(i.adjudication) for i in response.item or ()]
    paid = money(response.payment.amount) if response.payment else None
    benefit = totals.get("benefit")
    if benefit is None and any(i.get("benefit") is not None for i in items):
        benefit = sum((i.get("benefit") or Decimal(0) for i in items), Decimal(0))
    has_reasons = any(a.reason for i in response.item or () for a in i.adjudication or ())
    outcome = response.outcome
    if outcome == "error":
        category = "A3"
    elif outcome == "queued":
        category = "A1"
    elif outcome == "partial":
        category = "P1"
    elif paid or benefit:
        category = "F1"
    elif benefit is not None and has_reasons:
        category = "F2"
    else:
        category = "A2"
    effective = as_date(response.payment.date if response.payment else None) or as_date(
        response.created
    )
    stated = stated_status(response)
    return ClaimStatus(
        state=claim_state(stated.category.code if stated else category),
        category=stated.category if stated else lookup("claim-status-category", category),
        status=stated.status if stated else None,
        entity=stated.entity if stated else None,
        effective_date=(stated.effective_date if stated else None) or effective,
        payer_claim_id=payer_claim_id(response),
        control_number=control_number_of(response) or control_number,
        total_charge=totals.get("submitted"),
        paid_amount=paid if paid is not None else benefit,
        message=response.disposition,
    )


def read_claim_response(parsed: ParsedResource[Any], control_number: str) -> SubmissionAck:
    """The payer's acknowledgment of a submitted claim."""
    response = parsed.resource
    status = response_status(parsed, control_number)
    reasons = reason_codes(e.code for e in response.error or ())
    duplicate = any(_is_duplicate(r) for r in reasons)
    accepted = response.outcome != "error"
    if accepted:  # an accepted duplicate's marker is not a reason for refusing it
        reasons = tuple(r for r in reasons if not _is_duplicate(r))
    return SubmissionAck(
        accepted=accepted,
        control_number=status.control_number or control_number,
        payer_claim_id=status.payer_claim_id if response.outcome != "error" else None,
        status=status,
        reasons=reasons,
        duplicate=duplicate,
    )


def _is_duplicate(code: Code) -> bool:
    return (code.code == "18" and code.system == "carc") or code.code.lower() == "duplicate"
