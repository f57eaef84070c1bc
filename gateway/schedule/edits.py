"""The edits every appointment passes, whether typed, sent to the API or imported from the EHR.

Every problem is collected, each as ``(path, code, message)`` with a stable code from
:data:`EDIT_CODES`; the path names the API input field (``procedures.0.code``). Nothing is written
while any problem stands. The patient is checked by the writer (it needs the database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from gateway.practices import npi_is_valid
from gateway.schedule.model import STATUSES, PlannedProcedure
from payers.codesets import is_known

Problem = tuple[str, str, str]

#: Every code the schedule's edits and imports can answer, with what it means.
EDIT_CODES: dict[str, str] = {
    "REQUIRED": "A required field is missing or blank.",
    "PATIENT_NOT_FOUND": "No patient of your practice has this id (or matches these details).",
    "PATIENT_AMBIGUOUS": "Several patients of your practice match these details.",
    "NPI_FORMAT": "The provider's NPI is not 10 digits.",
    "NPI_CHECK_DIGIT": "The provider's NPI fails the Luhn check digit.",
    "DATE_OUT_OF_RANGE": "The appointment is more than a year in the past or two years ahead.",
    "TIME_FORMAT": "The time is not a clock time such as 09:30 or 2:15 PM.",
    "TIME_NOT_ON_CLOCK": "The practice's clock skips this time (daylight saving time starts).",
    "VISIT_TYPE_TOO_LONG": "The visit type is longer than 60 characters.",
    "LOCATION_TOO_LONG": "The location is longer than 120 characters.",
    "SERVICE_TYPES_REQUIRED": "An appointment needs at least one service type.",
    "TOO_MANY_SERVICE_TYPES": "An appointment has at most 10 service types.",
    "SERVICE_TYPE_UNKNOWN": "A service type is not an X12 service type code.",
    "TOO_MANY_PROCEDURES": "An appointment plans at most 20 procedures.",
    "PROCEDURE_FORMAT": "A procedure is not shaped like a CPT or HCPCS code.",
    "PROCEDURE_UNKNOWN": "A procedure code is not in the gateway's procedure table.",
    "UNITS_INVALID": "Units must be a number greater than 0 and at most 999.",
    "CHARGE_INVALID": "A charge must be an amount greater than 0 in dollars and cents.",
    "STATUS_INVALID": "The status is not one of booked, arrived, fulfilled, noshow, cancelled.",
    "EXTERNAL_ID_TOO_LONG": "The EHR's appointment id is longer than 64 characters.",
    "PATIENT_ALREADY_BOOKED": "The patient already has an appointment starting at this time.",
    "EXTERNAL_ID_TAKEN": "Another appointment already has this EHR appointment id.",
}

MAX_SERVICE_TYPES = 10
MAX_PROCEDURES = 20
MAX_UNITS = Decimal("999")
MAX_CHARGE = Decimal("9999999999.99")
PAST_DAYS = 366
FUTURE_DAYS = 2 * 366
_PROCEDURE = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")  # CPT (incl. Category II/III) or HCPCS II
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$")


@dataclass(frozen=True, slots=True)
class AppointmentDraft:
    """An appointment as given, before its edits. ``clock`` is the local wall time as typed."""

    patient_id: str | None
    day: date | None
    clock: str | None
    provider_npi: str | None
    visit_type: str | None
    location: str | None = None
    service_types: tuple[str, ...] = ()
    procedures: tuple[tuple[str | None, Decimal | None, Decimal | None], ...] = ()
    status: str = "booked"
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedAppointment:
    """An appointment that passed its edits: normalized, with its aware start."""

    patient_id: str
    starts_at: datetime
    provider_npi: str
    visit_type: str
    location: str | None
    service_types: tuple[str, ...]
    procedures: tuple[PlannedProcedure, ...]
    status: str
    external_id: str | None = field(default=None)


def parse_clock(text: str) -> time | None:
    """09:30, 9:30, 14:05, 2:05 PM, 09:30:00 as a time; None when it is none of those."""
    found = _CLOCK.match(text)
    if found is None:
        return None
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    meridiem = (found[4] or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def on_the_clock(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The aware start of ``clock`` on ``day`` in ``zone``; None for a time the zone skips."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    back = moment.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def check(
    draft: AppointmentDraft, zone: ZoneInfo, today: date
) -> tuple[CheckedAppointment | None, list[Problem]]:
    """The draft's edits: the checked appointment, or None and every problem found."""
    problems: list[Problem] = []
    if blank(draft.patient_id):
        problems.append(("patientId", "REQUIRED", "Choose the patient."))
    starts_at = _start(problems, draft, zone, today)
    _npi(problems, draft.provider_npi)
    visit_type = (draft.visit_type or "").strip()
    if not visit_type:
        problems.append(
            ("visitType", "REQUIRED", "Say what kind of visit it is, e.g. Office visit.")
        )
    elif len(visit_type) > 60:
        problems.append(
            ("visitType", "VISIT_TYPE_TOO_LONG", "Visit type is at most 60 characters.")
        )
    location = (draft.location or "").strip() or None
    if location is not None and len(location) > 120:
        problems.append(("location", "LOCATION_TOO_LONG", "Location is at most 120 characters."))
    service_types = _service_types(problems, draft.service_types)
    procedures = _procedures(problems, draft.procedures)
    status = (draft.status or "").strip().lower()
    if status not in STATUSES:
        problems.append(
            ("status", "STATUS_INVALID", f"Status must be one of {', '.join(STATUSES)}.")
        )
    external_id = (draft.external_id or "").strip() or None
    if external_id is not None and len(external_id) > 64:
        problems.append(
            (
                "externalId",
                "EXTERNAL_ID_TOO_LONG",
                "The EHR's appointment id is at most 64 characters.",
            )
        )
    if problems or starts_at is None:
        return None, problems
    return CheckedAppointment(
        patient_id=(draft.patient_id or "").strip(),
        starts_at=starts_at,
        provider_npi=(draft.provider_npi or "").strip(),
        visit_type=visit_type,
        location=location,
        service_types=service_types,
        procedures=procedures,
        status=status,
        external_id=external_id,
    ), []


def _start(
    problems: list[Problem], draft: AppointmentDraft, zone: ZoneInfo, today: date
) -> datetime | None:
    if draft.day is None:
        problems.append(("date", "REQUIRED", "Enter the day of the appointment."))
    elif not -PAST_DAYS <= (draft.day - today).days <= FUTURE_DAYS:
        problems.append(
            ("date", "DATE_OUT_OF_RANGE", "The day is more than a year ago or two years ahead.")
        )
    clock = None
    if blank(draft.clock):
        problems.append(("time", "REQUIRED", "Enter the time of the appointment, e.g. 09:30."))
    else:
        clock = parse_clock(draft.clock or "")
        if clock is None:
            problems.append(("time", "TIME_FORMAT", "Write the time as 09:30, 14:05 or 2:05 PM."))
    if draft.day is None or clock is None:
        return None
    moment = on_the_clock(draft.day, clock, zone)
    if moment is None:
        problems.append(
            (
                "time",
                "TIME_NOT_ON_CLOCK",
                "The clocks skip this time that day (daylight saving time starts): pick another.",
            )
        )
    return moment


def _npi(problems: list[Problem], value: str | None) -> None:
    if blank(value):
        problems.append(("providerNpi", "REQUIRED", "Enter the provider's NPI."))
        return
    npi = (value or "").strip()
    if not re.fullmatch(r"\d{10}", npi):
        problems.append(("providerNpi", "NPI_FORMAT", "The provider's NPI must be 10 digits."))
    elif not npi_is_valid(npi):
        problems.append(
            (
                "providerNpi",
                "NPI_CHECK_DIGIT",
                f"NPI {npi} has a wrong check digit: check for a typo.",
            )
        )


def _service_types(problems: list[Problem], codes: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(c.strip().upper() for c in codes if c and c.strip()))
    if not cleaned:
        problems.append(
            (
                "serviceTypes",
                "SERVICE_TYPES_REQUIRED",
                "Give at least one service type, e.g. 98 (office visit).",
            )
        )
    elif len(cleaned) > MAX_SERVICE_TYPES:
        problems.append(
            (
                "serviceTypes",
                "TOO_MANY_SERVICE_TYPES",
                f"At most {MAX_SERVICE_TYPES} service types.",
            )
        )
    for index, code in enumerate(cleaned):
        if not is_known("service-type", code):
            problems.append(
                (
                    f"serviceTypes.{index}",
                    "SERVICE_TYPE_UNKNOWN",
                    f"{code[:10]!r} is not an X12 service type code, e.g. 98 or 33.",
                )
            )
    return cleaned


def _procedures(
    problems: list[Problem], given: tuple[tuple[str | None, Decimal | None, Decimal | None], ...]
) -> tuple[PlannedProcedure, ...]:
    if len(given) > MAX_PROCEDURES:
        problems.append(
            ("procedures", "TOO_MANY_PROCEDURES", f"At most {MAX_PROCEDURES} procedures.")
        )
    planned = []
    for index, (raw_code, units, charge) in enumerate(given):
        at = f"procedures.{index}"
        code = (raw_code or "").strip().upper()
        if not code:
            problems.append((f"{at}.code", "REQUIRED", "Enter the procedure code, e.g. 99213."))
        elif not _PROCEDURE.match(code):
            problems.append(
                (
                    f"{at}.code",
                    "PROCEDURE_FORMAT",
                    f"{code[:12]!r} is not a CPT or HCPCS code, e.g. 99213 or G0439.",
                )
            )
        elif not is_known("procedure", code):
            problems.append(
                (
                    f"{at}.code",
                    "PROCEDURE_UNKNOWN",
                    f"{code} is not in the gateway's procedure table: check the code.",
                )
            )
        units = Decimal(1) if units is None else units
        if not units.is_finite() or not 0 < units <= MAX_UNITS or units.as_tuple().exponent < -3:  # type: ignore[operator]
            problems.append(
                (f"{at}.units", "UNITS_INVALID", "Units must be more than 0 and at most 999.")
            )
        if charge is not None and (
            not charge.is_finite()
            or not 0 < charge <= MAX_CHARGE
            or charge.as_tuple().exponent < -2  # type: ignore[operator]
        ):
            problems.append(
                (
                    f"{at}.charge",
                    "CHARGE_INVALID",
                    "The charge must be more than 0, in dollars and cents.",
                )
            )
        planned.append(PlannedProcedure(code, units, charge))
    return tuple(planned)
