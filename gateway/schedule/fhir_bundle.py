"""Reading a FHIR R4 Bundle of Appointments from the practice's EHR (docs/schedule.md).

Each Appointment entry is validated on its own with fhir.resources' R4B models (R4-compatible; see
LIBRARY-NOTES), so one malformed entry is refused with its index while the others are kept. The
patient, practitioner and location an Appointment's participants reference are found in the
Appointment's ``contained`` resources, in the Bundle (by ``fullUrl`` or ``Type/id``), or on the
Reference itself (``identifier``, ``display``). An EHR schedule is not a payer protocol: this reader
belongs to the schedule, not to payers/.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from gateway.schedule.edits import AppointmentDraft, Problem
from gateway.schedule.limits import MAX_IMPORT_ROWS
from gateway.schedule.sources import PatientRef, SourceRow, UnreadableFile

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
#: Our patient ids as an identifier system (any identifier whose value is one of them also matches).
PATIENT_ID_SYSTEM = "urn:payer-gateway:patient-id"
SERVICE_TYPE_SYSTEMS = (
    "https://x12.org/codes/service-type-codes",
    "https://codesystem.x12.org/005010/1365",
    "http://terminology.hl7.org/CodeSystem/service-type",  # HL7's list (not X12): codes we know only
)
PROCEDURE_SYSTEMS = ("http://www.ama-assn.org/go/cpt", "cpt", "hcpcs")
MEMBER_NUMBER = "MB"
SUPPORT: dict[str, Any] = {
    "Patient": Patient,
    "Practitioner": Practitioner,
    "Location": Location,
    "ServiceRequest": ServiceRequest,
}
#: FHIR Appointment.status -> ours; proposed, pending and waitlist are not on the schedule yet.
STATUS_OF = {
    "booked": "booked",
    "arrived": "arrived",
    "checked-in": "arrived",
    "fulfilled": "fulfilled",
    "noshow": "noshow",
    "cancelled": "cancelled",
    "entered-in-error": "cancelled",
}
#: The API input field an edit names -> the Appointment element it came from.
ELEMENT_OF = {
    "patientId": "participant",
    "date": "start",
    "time": "start",
    "providerNpi": "participant",
    "visitType": "appointmentType",
    "location": "participant",
    "serviceTypes": "serviceType",
    "procedures": "basedOn",
    "status": "status",
    "externalId": "identifier",
}


def read_bundle(text: str, zone: ZoneInfo) -> list[SourceRow]:
    """One row per Appointment entry; start times read on the practice's clock ``zone``."""
    try:
        bundle = json.loads(text)
    except (ValueError, RecursionError):
        raise UnreadableFile("FHIR_UNREADABLE", "The file is not JSON.") from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise UnreadableFile("FHIR_NOT_BUNDLE", "The file is not a FHIR Bundle.")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise UnreadableFile("FHIR_NOT_BUNDLE", "The Bundle's entry is not a list.")
    if len(entries) > MAX_IMPORT_ROWS:
        raise UnreadableFile(
            "TOO_MANY_ROWS", f"The Bundle has more than {MAX_IMPORT_ROWS} entries: split it."
        )
    index = _index(entries)
    rows = []
    for number, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind in SUPPORT:
            continue
        if kind != "Appointment":
            rows.append(
                _refused(
                    number,
                    "resourceType",
                    "FHIR_NOT_APPOINTMENT",
                    "The entry is not an Appointment.",
                )
            )
            continue
        try:
            appointment = Appointment.model_validate(resource)
        except ValidationError as exc:
            rows.append(_refused(number, _where(exc), "FHIR_INVALID", _words(exc)))
            continue
        rows.append(_row(number, appointment, index, zone))
    return rows


def _index(entries: list[Any]) -> dict[str, Any]:
    """Supporting resources by fullUrl and by Type/id, validated (invalid ones are left out)."""
    found: dict[str, Any] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") not in SUPPORT:
            continue
        try:
            model = SUPPORT[resource["resourceType"]].model_validate(resource)
        except ValidationError:
            continue
        if entry.get("fullUrl"):
            found[str(entry["fullUrl"])] = model
        if model.id:
            found[f"{resource['resourceType']}/{model.id}"] = model
    return found


def _refused(number: int, where: str, code: str, message: str) -> SourceRow:
    return SourceRow(
        line=None,
        entry=number,
        patient=PatientRef(),
        draft=AppointmentDraft(None, None, None, None, None),
        problems=[(where, code, message)],
    )


def _where(exc: ValidationError) -> str:
    first = exc.errors()[0]["loc"] if exc.errors() else ()
    return str(first[0]) if first else "resource"


def _words(exc: ValidationError) -> str:
    # Locations and error kinds only: pydantic's messages quote the input, which may be PHI.
    places = sorted({".".join(str(p) for p in e["loc"]) or "resource" for e in exc.errors()})
    return f"The Appointment is not valid FHIR R4 at: {', '.join(places)[:200]}."


def _row(number: int, appointment: Appointment, index: dict[str, Any], zone: ZoneInfo) -> SourceRow:
    problems: list[Problem] = []
    contained = {f"#{r.id}": r for r in appointment.contained or () if getattr(r, "id", None)}

    def resolve(reference: Any) -> Any:
        target = str(getattr(reference, "reference", None) or "")
        return contained.get(target) or index.get(target)

    patient, npi, location = PatientRef(), None, None
    for participant in appointment.participant or ():
        actor = participant.actor
        if actor is None:
            continue
        kind = _kind(actor, resolve(actor))
        if kind == "Patient":
            patient = _patient(actor, resolve(actor))
        elif kind == "Practitioner":
            npi = npi or _npi(actor, resolve(actor))
        elif kind == "Location":
            target = resolve(actor)
            location = location or (getattr(target, "name", None) or actor.display)
    if patient == PatientRef():
        problems.append(("participant", "REQUIRED", "No participant names the patient."))
    day, clock = _start(problems, appointment.start, zone)
    status = STATUS_OF.get(str(appointment.status or ""))
    if status is None:
        problems.append(
            (
                "status",
                "STATUS_INVALID",
                f"A {appointment.status} appointment is not on the schedule yet.",
            )
        )
    draft = AppointmentDraft(
        patient_id=None,
        day=day,
        clock=clock,
        provider_npi=npi,
        visit_type=_visit_type(appointment),
        location=location,
        service_types=_service_types(appointment),
        procedures=_procedures(appointment, resolve),
        status=status or "booked",
        external_id=_external_id(appointment),
    )
    return SourceRow(line=None, entry=number, patient=patient, draft=draft, problems=problems)


def _kind(actor: Any, target: Any) -> str | None:
    if target is not None:
        return str(target.get_resource_type())
    reference = str(actor.reference or "")
    if "/" in reference:
        return reference.split("/")[-2]
    return str(actor.type) if actor.type else None


def _patient(actor: Any, target: Any) -> PatientRef:
    identifiers = list(getattr(target, "identifier", None) or ())
    if actor.identifier is not None:
        identifiers.append(actor.identifier)
    patient_id = next(
        (str(i.value) for i in identifiers if i.value and i.system == PATIENT_ID_SYSTEM), None
    )
    member_id = next(
        (str(i.value) for i in identifiers if i.value and _codes(i.type) & {MEMBER_NUMBER}), None
    )
    uuids = tuple(str(i.value) for i in identifiers if i.value and _is_uuid(str(i.value)))
    name = (getattr(target, "name", None) or [None])[0]
    birth = getattr(target, "birthDate", None)
    return PatientRef(
        patient_id=patient_id or (uuids[0] if uuids else None),
        first_name=(name.given or [None])[0] if name else None,
        last_name=name.family if name else None,
        birth_date=birth if isinstance(birth, date) else None,
        member_id=member_id,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _npi(actor: Any, target: Any) -> str | None:
    identifiers = list(getattr(target, "identifier", None) or ())
    if actor.identifier is not None:
        identifiers.append(actor.identifier)
    return next((str(i.value) for i in identifiers if i.value and i.system == NPI_SYSTEM), None)


def _codes(concept: Any) -> set[str]:
    return {str(c.code) for c in getattr(concept, "coding", None) or () if c.code}


def _start(problems: list[Problem], start: Any, zone: ZoneInfo) -> tuple[date | None, str | None]:
    if not isinstance(start, datetime):
        problems.append(("start", "REQUIRED", "The Appointment has no start."))
        return None, None
    if start.tzinfo is None:
        problems.append(("start", "TIME_FORMAT", "The start has no UTC offset."))
        return None, None
    local = start.astimezone(zone)
    return local.date(), local.strftime("%H:%M:%S")


def _visit_type(appointment: Appointment) -> str | None:
    kind = appointment.appointmentType
    if kind is not None:
        if kind.text:
            return str(kind.text)
        for coding in kind.coding or ():
            if coding.display or coding.code:
                return str(coding.display or coding.code)
    return appointment.description


def _service_types(appointment: Appointment) -> tuple[str, ...]:
    codes = []
    for concept in appointment.serviceType or ():
        for coding in concept.coding or ():
            system = str(coding.system or "")
            if coding.code and (not system or system in SERVICE_TYPE_SYSTEMS):
                codes.append(str(coding.code))
    return tuple(codes)


def _procedures(
    appointment: Appointment, resolve: Any
) -> tuple[tuple[str | None, Decimal | None, Decimal | None], ...]:
    planned: list[tuple[str | None, Decimal | None, Decimal | None]] = []
    for reference in appointment.basedOn or ():
        request = resolve(reference)
        if not isinstance(request, ServiceRequest):
            continue
        code = next(
            (
                str(c.code)
                for c in (request.code.coding if request.code else None) or ()
                if c.code and any(s in str(c.system or "").lower() for s in PROCEDURE_SYSTEMS)
            ),
            None,
        )
        quantity = request.quantityQuantity
        units = (
            Decimal(str(quantity.value))
            if quantity is not None and quantity.value is not None
            else None
        )
        planned.append((code, units, None))
    return tuple(planned)


def _external_id(appointment: Appointment) -> str | None:
    for identifier in appointment.identifier or ():
        if identifier.value:
            return str(identifier.value)
    return str(appointment.id) if appointment.id else None
