"""FHIR code systems we read and write, and their translation into the gateway's codes.

Where a FHIR element carries an X12 or CMS code (CPT/HCPCS, ICD-10-CM, place of service, X12
service types in the benefit-category system, CARC, AAA reasons) it becomes that code set's
:class:`~payers.model.Code` through :func:`payers.codesets.lookup`; any other code keeps its FHIR
system URL, its code and its display.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.resources import is_absent
from payers.model import ClaimState, Code

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NDC = "http://hl7.org/fhir/sid/ndc"
NPI = "http://hl7.org/fhir/sid/us-npi"
PLACE_OF_SERVICE = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
BENEFIT_CATEGORY = "http://terminology.hl7.org/CodeSystem/ex-benefitcategory"
BENEFIT_TYPE = "http://terminology.hl7.org/CodeSystem/benefit-type"
BENEFIT_TERM = "http://terminology.hl7.org/CodeSystem/benefit-term"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
ADJUDICATION_ERROR = "http://terminology.hl7.org/CodeSystem/adjudication-error"
REMITTANCE_OUTCOME = "http://hl7.org/fhir/remittance-outcome"
CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
AAA_REJECT_REASON = "https://codesystem.x12.org/005010/901"  # X12 element 901, AAA03
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
MEMBER_NUMBER = "MB"  # v2-0203 identifier type the CARIN profiles use for the member id
PAYMENT_TYPE = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
# X12 5010 code lists, where FHIR has no code system of its own for what an X12 payer states.
X12_BENEFIT_KIND = "https://codesystem.x12.org/005010/1390"  # EB01
X12_TIME_PERIOD = "https://codesystem.x12.org/005010/615"  # EB06
X12_NETWORK = "https://codesystem.x12.org/005010/1073"  # EB12 Y/N/W/U
X12_ADJUSTMENT_GROUP = "https://codesystem.x12.org/005010/1033"  # CAS01
X12_PAYMENT_METHOD = "https://codesystem.x12.org/005010/591"  # BPR04
X12_PLB_REASON = "https://codesystem.x12.org/005010/426"  # PLB03-1
X12_CLAIM_STATUS_CATEGORY = "https://codesystem.x12.org/external/507"  # STC01-1
X12_CLAIM_STATUS = "https://codesystem.x12.org/external/508"  # STC01-2
X12_ENTITY = "https://codesystem.x12.org/005010/98"  # STC01-3
#: Complex extension on ExplanationOfBenefit and ClaimResponse carrying the 277 STC a payer states
#: (sub-extensions ``category``, ``status``, ``entity``: valueCoding; ``effectiveDate``: valueDate).
#: R4 has no element for a claim's X12 status; without it the status is derived from ``outcome``.
CLAIM_STATUS_EXTENSION = "urn:payer-gateway:fhir:StructureDefinition/x12-claim-status"

# Systems seen in payer data for the same code set (CARIN, Blue Button, HL7 examples).
_PROCEDURE_SYSTEMS = ("cpt", "hcpcs")
_ICD10_SYSTEMS = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
_POS_SYSTEMS = ("place_of_service_code_set", "place-of-service", "line_place_of_srvc_cd")

_ADJUDICATION_ERRORS = {"a001": "Missing Identifier", "a002": "Missing Creation Date"}


def codings(concept: Any) -> list[Any]:
    """The codings of a CodeableConcept (none for a missing or data-absent one)."""
    if is_absent(concept):
        return []
    return [c for c in (concept.coding or ()) if c.code]


def first_code(concept: Any, known: Iterable[str] = ()) -> str | None:
    """The first code of ``concept`` that is in ``known`` (any code when ``known`` is empty)."""
    wanted = set(known)
    for coding in codings(concept):
        if not wanted or coding.code in wanted:
            return str(coding.code)
    return None


def x12_code(concept: Any, system: str, codeset: str) -> Code | None:
    """The code of ``concept``'s coding in X12 ``system``, through our ``codeset`` table."""
    for coding in codings(concept):
        if str(coding.system or "") == system:
            return lookup(codeset, str(coding.code))
    return None


def fhir_code(coding: Any, default_system: str = "") -> Code:
    """A code we have no table for: its FHIR system, code and display."""
    code = str(coding.code)
    system = str(coding.system) if coding.system else default_system or "unspecified"
    description = coding.display or _ADJUDICATION_ERRORS.get(code) or code
    return Code(system=system, code=code, description=str(description))


def procedure_code(coding: Any) -> Code:
    """A line's product or service: CPT/HCPCS through our table, NDC and others as FHIR codes."""
    system = str(coding.system or "").lower()
    if any(marker in system for marker in _PROCEDURE_SYSTEMS):
        return lookup("procedure", str(coding.code))
    return fhir_code(coding)


def is_procedure_coding(coding: Any) -> bool:
    system = str(coding.system or "").lower()
    return any(marker in system for marker in _PROCEDURE_SYSTEMS)


def diagnosis_code(coding: Any) -> Code:
    """ICD-10(-CM) through our table (which adds the dot); ICD-9 and others as FHIR codes."""
    if str(coding.system or "") in _ICD10_SYSTEMS:
        return lookup("icd10cm", str(coding.code))
    return fhir_code(coding)


def place_of_service(concept: Any) -> Code | None:
    for coding in codings(concept):
        if any(marker in str(coding.system or "").lower() for marker in _POS_SYSTEMS):
            return lookup("place-of-service", str(coding.code))
    return None


def service_type(coding: Any) -> Code:
    """An X12 service type from the benefit-category system (the HL7 system reuses X12 codes)."""
    return lookup("service-type", str(coding.code))


def money(value: Any) -> Decimal | None:
    """A Money (or a bare decimal) as ``Decimal``; ``None`` when absent."""
    if is_absent(value):
        return None
    amount = getattr(value, "value", value)
    if amount is None:
        return None
    return amount if isinstance(amount, Decimal) else Decimal(str(amount))


def currency(value: Any) -> str | None:
    return None if is_absent(value) else getattr(value, "currency", None)


def as_date(value: Any) -> date | None:
    """A FHIR date or dateTime as ``date`` (partial dates such as "2020-08" are not days: None)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def npi_of(reference: Any, contained: Sequence[Any] = ()) -> str | None:
    """The NPI a Reference names: by identifier, or through a contained resource (``#id``)."""
    if is_absent(reference):
        return None
    identifier = reference.identifier
    if identifier is not None and _is_npi(identifier):
        return str(identifier.value)
    target = str(reference.reference or "")
    if target.startswith("#"):
        for resource in contained:
            if resource.id == target[1:]:
                for ident in getattr(resource, "identifier", None) or ():
                    if _is_npi(ident):
                        return str(ident.value)
    return None


def _is_npi(identifier: Any) -> bool:
    if not identifier.value:
        return False
    if str(identifier.system or "") == NPI:
        return True
    return any(str(c.code).lower() == "npi" for c in codings(identifier.type))


def claim_state(category: str) -> ClaimState:
    """The claim's life stage from its 277 category code family (see :class:`ClaimState`)."""
    family, rest = category[:1].upper(), category[1:]
    if family == "A":
        return ClaimState.ACKNOWLEDGED if rest in ("0", "1", "2") else ClaimState.REJECTED
    if family == "P":
        return ClaimState.PENDING
    if family == "R":
        return ClaimState.INFORMATION_REQUESTED
    if family == "F":
        return ClaimState.DENIED if rest == "2" else ClaimState.FINALIZED
    return ClaimState.ERROR


@dataclass(frozen=True, slots=True)
class StatedStatus:
    """The 277 status a payer stated in :data:`CLAIM_STATUS_EXTENSION`."""

    category: Code
    status: Code | None
    entity: Code | None
    effective_date: date | None


def stated_status(resource: Any) -> StatedStatus | None:
    """The X12 claim status extension of an EOB or ClaimResponse, if it has one with a category."""
    for extension in getattr(resource, "extension", None) or ():
        if extension.url != CLAIM_STATUS_EXTENSION:
            continue
        parts = {part.url: part for part in extension.extension or ()}
        category = _coded(parts, "category", "claim-status-category")
        if category is None:
            return None
        effective = parts.get("effectiveDate")
        return StatedStatus(
            category=category,
            status=_coded(parts, "status", "claim-status"),
            entity=_coded(parts, "entity", "entity-identifier"),
            effective_date=as_date(effective.valueDate) if effective is not None else None,
        )
    return None


def _coded(parts: dict[str, Any], name: str, codeset: str) -> Code | None:
    part = parts.get(name)
    coding = part.valueCoding if part is not None else None
    return lookup(codeset, str(coding.code)) if coding and coding.code else None
