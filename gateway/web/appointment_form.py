"""The appointment form: what was typed, the API's ``AppointmentInput`` made from it, and the API's
field errors put back at the form's fields.

The API decides what is a valid appointment (gateway/schedule/edits.py, through createAppointment
and updateAppointment); this module only turns the form into the input's shape, refusing what
cannot even be sent (no patient chosen, no day, units or a charge that are not numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.web.formats import from_us_date
from gateway.web.forms import GENERAL, FormErrors

FIELDS = (
    "patientId",
    "date",
    "time",
    "providerNpi",
    "location",
    "visitType",
    "serviceTypes",
    "status",
    "externalId",
)
MAX_PROCEDURES = 20  # the API's limit (gateway/schedule/edits.py); more rows are never read
BLANK_ROWS = 2  # empty procedure rows offered below the filled ones
STATUSES = ("BOOKED", "ARRIVED", "FULFILLED", "NOSHOW", "CANCELLED")
LABELS = {
    "patientId": "Patient",
    "date": "Day",
    "time": "Time",
    "providerNpi": "Provider NPI",
    "location": "Location",
    "visitType": "Visit type",
    "serviceTypes": "Service types",
    "status": "Status",
    "externalId": "EHR appointment id",
    GENERAL: "This appointment",
}
_SEPARATORS = re.compile(r"[\s,;]+")


def procedure_name(index: int, part: str) -> str:
    return f"procedure-{index}-{part}"


def procedure_label(name: str) -> str:
    """``procedure-0-units`` as "Procedure 1 units" for the error summary."""
    _, index, part = name.split("-", 2)
    return f"Procedure {int(index) + 1} {'code' if part == 'code' else part}"


@dataclass
class AppointmentForm:
    values: dict[str, str]
    procedures: list[dict[str, str]] = field(default_factory=list)  # code, units, charge as typed
    errors: FormErrors = field(default_factory=FormErrors)
    #: input index -> form row, since blank rows are not sent (the API's paths count sent ones)
    _rows_sent: list[int] = field(default_factory=list)

    @classmethod
    def posted(cls, form: Mapping[str, Any]) -> AppointmentForm:
        values = {name: str(form.get(name) or "").strip() for name in FIELDS}
        procedures = []
        for index in range(MAX_PROCEDURES):
            row = {
                part: str(form.get(procedure_name(index, part)) or "").strip()
                for part in ("code", "units", "charge")
            }
            procedures.append(row)
        while procedures and not any(procedures[-1].values()):
            procedures.pop()
        return cls(values, procedures)

    @classmethod
    def of_appointment(cls, appointment: Mapping[str, Any]) -> AppointmentForm:
        """The form filled with an appointment as the API answers it (``ScheduleAppointment``)."""
        values = {
            "patientId": str((appointment.get("patient") or {}).get("id") or ""),
            "date": str(appointment.get("localDate") or ""),
            "time": str(appointment.get("localTime") or ""),
            "providerNpi": str(appointment.get("providerNpi") or ""),
            "location": str(appointment.get("location") or ""),
            "visitType": str(appointment.get("visitType") or ""),
            "serviceTypes": " ".join(s["code"] for s in appointment.get("serviceTypes") or ()),
            "status": str(appointment.get("status") or "BOOKED"),
            "externalId": str(appointment.get("externalId") or ""),
        }
        procedures = [
            {
                "code": str(p["procedure"]["code"]),
                "units": str(p.get("units") or "1"),
                "charge": str(p.get("charge") or ""),
            }
            for p in appointment.get("procedures") or ()
        ]
        return cls(values, procedures)

    def rows(self) -> list[dict[str, str]]:
        """The procedure rows to show: the filled ones and a few blank ones."""
        blanks = [{"code": "", "units": "", "charge": ""}] * BLANK_ROWS
        return (self.procedures + blanks)[: max(len(self.procedures), MAX_PROCEDURES)]

    def to_input(self) -> dict[str, Any] | None:
        """The ``AppointmentInput``, or None (with errors) when the form cannot be sent as it is."""
        values, errors = self.values, self.errors
        if not values["patientId"]:
            errors.add("patientId", "Choose the patient.")
        day = _day(values["date"])
        if day is None:
            errors.add(
                "date",
                "Enter the day of the appointment."
                if not values["date"]
                else "Write the day as YYYY-MM-DD or MM/DD/YYYY.",
            )
        procedures, self._rows_sent = [], []
        for index, row in enumerate(self.procedures):
            if not any(row.values()):
                continue
            planned: dict[str, Any] = {"code": row["code"]}
            units = _number(row["units"] or "1")
            if units is None:
                errors.add(procedure_name(index, "units"), "Units must be a number, e.g. 1 or 2.")
            else:
                planned["units"] = str(units)
            if row["charge"]:
                charge = _number(row["charge"].lstrip("$").replace(",", ""))
                if charge is None:
                    errors.add(
                        procedure_name(index, "charge"),
                        "Write the charge in dollars and cents, e.g. 125.00.",
                    )
                else:
                    planned["charge"] = str(charge)
            procedures.append(planned)
            self._rows_sent.append(index)
        if errors:
            return None
        status = values["status"] if values["status"] in STATUSES else "BOOKED"
        return {
            "patientId": values["patientId"],
            "date": day.isoformat() if day else None,
            "time": values["time"],
            "providerNpi": values["providerNpi"],
            "location": values["location"] or None,
            "visitType": values["visitType"],
            "serviceTypes": [c for c in _SEPARATORS.split(values["serviceTypes"]) if c],
            "procedures": procedures,
            "status": status,
            "externalId": values["externalId"] or None,
        }

    def api_errors(self, problems: Iterable[Mapping[str, Any]]) -> None:
        """Each ``FieldError`` at its field: ``procedures.1.units`` at that procedure row's units,
        ``serviceTypes.0`` at service types, anything else unknown in the summary."""
        for problem in problems:
            path = [str(part) for part in problem.get("field") or ()]
            message = str(problem.get("message") or "Check this.")
            self.errors.add(self._field_of(path), message)

    def _field_of(self, path: list[str]) -> str:
        if "procedures" in path:
            at = path.index("procedures")
            rest = path[at + 1 :]
            if rest and rest[0].isdigit() and int(rest[0]) < len(self._rows_sent):
                part = rest[1] if len(rest) > 1 and rest[1] in {"units", "charge"} else "code"
                return procedure_name(self._rows_sent[int(rest[0])], part)
            return procedure_name(self._rows_sent[0], "code") if self._rows_sent else GENERAL
        for name in reversed(path):
            if name in FIELDS:
                return name
        return GENERAL

    def labels(self) -> dict[str, str]:
        named = {n: procedure_label(n) for n in self.errors if n.startswith("procedure-")}
        return {**LABELS, **named}


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return from_us_date(text)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
