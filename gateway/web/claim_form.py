"""The New claim form as posted: its rows, what was typed, the API's ``ClaimInput``, and errors at fields.

Inputs are named after the API's input paths (``lines.0.procedureCode``), so an edit error from
``submitClaim`` (``field: ["input", "lines", "0", "procedureCode"]``) lands on its input by name.
Values a person types in US style (``$145.00``, ``12/01/2026``, ``1, 2``) are read here; what cannot
be read is an error at its field, shown together with the API's errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.web.formats import from_us_date

MAX_DIAGNOSES = 12
MAX_LINES = 50
FIRST_DIAGNOSES = 4
KEY_FIELD = "claim_key"  # the idempotency key: one per rendered form, kept across its re-renders
LINE_FIELDS = ("serviceDate", "procedureCode", "modifiers", "diagnosisPointers", "units", "charge")
HEADER_FIELDS = (
    "patientId",
    "coverageId",
    "billingProvider.name",
    "billingProvider.npi",
    "billingProvider.taxId",
    "renderingProviderNpi",
    "placeOfService",
    "patientControlNumber",
)
_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
_DIAGNOSIS = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$")
_PROCEDURE = re.compile(r"^(\d{4}[0-9FTUftu]|[A-Va-v]\d{4})$")
_PLACE = re.compile(r"^\d{2}$")

#: Labels of the form's inputs, as the error summary names them.
HEADER_LABELS = {
    "coverageId": "Insurance card",
    "billingProvider.name": "Billing provider name",
    "billingProvider.npi": "Billing provider NPI",
    "billingProvider.taxId": "Billing provider tax ID",
    "renderingProviderNpi": "Rendering provider NPI",
    "placeOfService": "Place of service",
    "patientControlNumber": "Your account number",
    "diagnoses": "Diagnoses",
    "lines": "Service lines",
    "totalCharge": "Total charge",
    KEY_FIELD: "This form",
}
LINE_LABELS = {
    "serviceDate": "date of service",
    "procedureCode": "procedure",
    "modifiers": "modifiers",
    "diagnosisPointers": "diagnoses treated",
    "units": "units",
    "charge": "charge",
}


def label(name: str) -> str:
    """The words for an input name: ``lines.1.charge`` is "Line 2 charge"."""
    parts = name.split(".")
    if parts[0] == "diagnoses" and len(parts) > 1 and parts[1].isdigit():
        return f"Diagnosis {int(parts[1]) + 1}"
    if parts[0] == "lines" and len(parts) > 2 and parts[1].isdigit():
        return f"Line {int(parts[1]) + 1} {LINE_LABELS.get(parts[2], parts[2])}"
    if parts[0] == "lines" and len(parts) == 2 and parts[1].isdigit():
        return f"Line {int(parts[1]) + 1}"
    return HEADER_LABELS.get(name, name)


def looks_like_code(system: str, text: str) -> bool:
    """Whether ``text`` is shaped like a code (else it is words to look up)."""
    patterns = {"DIAGNOSIS": _DIAGNOSIS, "PROCEDURE": _PROCEDURE, "PLACE_OF_SERVICE": _PLACE}
    return bool(patterns[system].match(text.strip()))


def code_system(name: str) -> str | None:
    """The code set an input picks from: diagnoses, procedures, places (None for other inputs)."""
    if name == "placeOfService":
        return "PLACE_OF_SERVICE"
    if name.startswith("diagnoses."):
        return "DIAGNOSIS"
    if name.startswith("lines.") and name.endswith(".procedureCode"):
        return "PROCEDURE"
    return None


@dataclass
class ClaimForm:
    """What the form holds: values by input name, how many diagnosis boxes and lines it shows."""

    values: dict[str, str] = field(default_factory=dict)
    diagnosis_count: int = FIRST_DIAGNOSES
    line_count: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.values.get(KEY_FIELD, "")

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @classmethod
    def posted(cls, fields: dict[str, list[str]]) -> ClaimForm:
        """The form from posted (or kept) fields; rows are clamped to the claim's limits."""
        values = {name: (got[-1] if got else "").strip() for name, got in fields.items()}
        form = cls(values=values)
        form.diagnosis_count = _count(values.get("diagnosis_count"), FIRST_DIAGNOSES, MAX_DIAGNOSES)
        form.line_count = _count(values.get("line_count"), 1, MAX_LINES)
        return form

    def add_line(self) -> None:
        if self.line_count < MAX_LINES:
            last = self.line_count - 1
            self.values[f"lines.{self.line_count}.serviceDate"] = self.get(
                f"lines.{last}.serviceDate"
            )
            self.values[f"lines.{self.line_count}.units"] = "1"
            self.line_count += 1

    def add_diagnosis(self) -> None:
        self.diagnosis_count = min(self.diagnosis_count + 1, MAX_DIAGNOSES)

    def remove_line(self, index: int) -> None:
        """Drop line ``index``; the lines after it move up one."""
        if self.line_count <= 1 or not 0 <= index < self.line_count:
            return
        for row in range(index, self.line_count - 1):
            for name in LINE_FIELDS:
                self.values[f"lines.{row}.{name}"] = self.get(f"lines.{row + 1}.{name}")
        for name in LINE_FIELDS:
            self.values.pop(f"lines.{self.line_count - 1}.{name}", None)
        self.line_count -= 1

    def pick(self, choice: str) -> None:
        """A picked code (``diagnoses.0=E11.9``) goes into its input."""
        name, _, code = choice.partition("=")
        if code_system(name) and code:
            self.values[name] = code.strip()

    def ordered_errors(self) -> dict[str, str]:
        """The errors in the order of the form (the summary reads top to bottom)."""
        return dict(sorted(self.errors.items(), key=lambda item: _position(item[0])))

    def to_input(self) -> dict[str, Any]:
        """The API's ``ClaimInput``; values that cannot be read become errors at their inputs and
        are sent so that the API refuses them too (blank, or 0 units): an error here never lets a
        claim through, and the API's other errors still come back at once."""
        if not _KEY.match(self.key):
            self.errors[KEY_FIELD] = "This form is out of date: start a new claim from the menu."
        diagnoses = [
            self.get(f"diagnoses.{i}")
            for i in range(self.diagnosis_count)
            if self.get(f"diagnoses.{i}")
        ]
        lines = [self._line(i) for i in range(self.line_count) if self._line_typed(i)]
        charges = [Decimal(line["charge"]) for line in lines if line["charge"] is not None]
        return {
            "patientId": self.get("patientId") or None,
            "coverageId": self.get("coverageId") or None,
            "billingProvider": {
                "name": self.get("billingProvider.name") or None,
                "npi": self.get("billingProvider.npi") or None,
                "taxId": self.get("billingProvider.taxId") or None,
            },
            "renderingProviderNpi": self.get("renderingProviderNpi") or None,
            "placeOfService": self.get("placeOfService") or None,
            "patientControlNumber": self.get("patientControlNumber") or None,
            "diagnoses": [code.upper() for code in diagnoses],
            "lines": lines,
            # the form has no total: it is the lines' sum (the API checks a total it is sent)
            "totalCharge": str(sum(charges)) if charges else None,
        }

    def _line_typed(self, row: int) -> bool:
        return any(self.get(f"lines.{row}.{name}") for name in ("procedureCode", "charge"))

    def _line(self, row: int) -> dict[str, Any]:
        prefix = f"lines.{row}."
        typed_date = self.get(prefix + "serviceDate")
        day = from_us_date(typed_date)
        if typed_date and day is None:
            self.errors[prefix + "serviceDate"] = "Write the date as MM/DD/YYYY, e.g. 12/01/2026."
        pointers: list[int] = []
        for part in re.split(r"[\s,]+", self.get(prefix + "diagnosisPointers")):
            if part.isdigit():
                pointers.append(int(part))
            elif part:
                self.errors[prefix + "diagnosisPointers"] = (
                    "Write the numbers of the diagnoses this line treats, e.g. 1, 2."
                )
        if prefix + "diagnosisPointers" in self.errors:
            pointers = []  # the API then refuses the line too: nothing is sent half-read
        units = self._number(prefix + "units", "Units must be a number, e.g. 1.")
        if prefix + "units" in self.errors:
            units = "0"  # refused by the API's units edit, so an unreadable line never goes out
        return {
            "serviceDate": day.isoformat() if day else None,
            "procedureCode": self.get(prefix + "procedureCode").upper() or None,
            "modifiers": [
                m.upper() for m in re.split(r"[\s,]+", self.get(prefix + "modifiers")) if m
            ],
            "diagnosisPointers": pointers,
            "units": units or "1",
            "charge": self._number(prefix + "charge", "Write the charge in dollars, e.g. 145.00."),
        }

    def _number(self, name: str, message: str) -> str | None:
        typed = self.get(name).replace("$", "").replace(",", "").strip()
        if not typed:
            return None
        try:
            amount = Decimal(typed)
        except InvalidOperation:
            self.errors[name] = message
            return None
        return str(amount) if amount.is_finite() else None

    def api_errors(self, errors: list[dict[str, Any]]) -> None:
        """The API's edit errors at their inputs (the first message of each input is kept)."""
        for error in errors:
            path = [str(part) for part in error.get("field") or ()]
            if path and path[0] == "input":
                path = path[1:]
            name = self._input_for(path)
            if name == "totalCharge" and self.errors:
                continue  # the total is the lines' sum: a line's own error already says what to fix
            self.errors.setdefault(name, str(error.get("message") or "Check this value."))

    def _input_for(self, path: list[str]) -> str:
        """The input an error path names; a path into the lines as sent is mapped to the row shown."""
        if not path:
            return KEY_FIELD
        if path[0] == "idempotencyKey":
            return KEY_FIELD
        if path[0] == "lines" and len(path) > 1 and path[1].isdigit():
            shown = [i for i in range(self.line_count) if self._line_typed(i)]
            sent = int(path[1])
            row = shown[sent] if sent < len(shown) else sent
            return ".".join(["lines", str(row), *path[2:]])
        if path[0] == "diagnoses" and len(path) > 1 and path[1].isdigit():
            shown = [i for i in range(self.diagnosis_count) if self.get(f"diagnoses.{i}")]
            sent = int(path[1])
            return f"diagnoses.{shown[sent] if sent < len(shown) else sent}"
        if path[0] == "diagnoses":
            return "diagnoses.0"
        if path[0] == "lines":
            return "lines.0.procedureCode"
        return ".".join(path)


def _position(name: str) -> tuple[int, int, int]:
    parts = name.split(".")
    if name in HEADER_FIELDS:
        return (0, HEADER_FIELDS.index(name), 0)
    if parts[0] == "diagnoses":
        return (1, int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1, 0)
    if parts[0] == "lines":
        row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
        column = LINE_FIELDS.index(parts[2]) if len(parts) > 2 and parts[2] in LINE_FIELDS else -1
        return (2, row, column)
    return (3, 0, 0)


def _count(text: str | None, least: int, most: int) -> int:
    try:
        return max(least, min(int(text or least), most))
    except ValueError:
        return least
