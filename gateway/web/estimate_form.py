"""The Estimate form: date of service, provider NPI, diagnoses (for the printed estimate), planned
procedures (code, units, charge) and the payers the provider is out of network with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gateway.web.forms import GENERAL, FormErrors, us_date_field

MAX_LINES = 20
_CODE = re.compile(r"^(\d{4}[0-9A-Za-z]|[A-Va-v]\d{4})$")
_ICD10 = re.compile(r"^[A-Za-z]\d[0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$")
LABELS = {
    "date": "Date of service",
    "providerNpi": "Provider NPI",
    "diagnoses": "Diagnoses",
    "outOfNetwork": "Out of network",
    GENERAL: "Estimate",
}
_LINE_LABELS = {"code": "procedure", "units": "units", "charge": "charge"}


def label(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
        return f"Line {int(parts[1]) + 1} {_LINE_LABELS.get(parts[2], parts[2])}"
    return LABELS.get(name, name)


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(text.strip()))


@dataclass
class EstimateForm:
    values: dict[str, str] = field(default_factory=dict)
    out_of_network: list[str] = field(default_factory=list)
    line_count: int = 1
    errors: FormErrors = field(default_factory=FormErrors)
    sent_lines: list[int] = field(default_factory=list)  # the form's line of each procedure sent

    @classmethod
    def posted(cls, fields: dict[str, list[str]]) -> EstimateForm:
        values = {name: (found[-1] if found else "").strip() for name, found in fields.items()}
        count = values.get("line_count", "1")
        lines = min(max(int(count), 1), MAX_LINES) if count.isdigit() else 1
        return cls(values=values, out_of_network=fields.get("outOfNetwork", []), line_count=lines)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def add_line(self) -> None:
        if self.line_count < MAX_LINES:
            self.values[f"lines.{self.line_count}.units"] = "1"
            self.line_count += 1

    def remove_line(self, index: int) -> None:
        if not 0 <= index < self.line_count or self.line_count == 1:
            return
        for n in range(index, self.line_count - 1):
            for part in _LINE_LABELS:
                self.values[f"lines.{n}.{part}"] = self.get(f"lines.{n + 1}.{part}")
        for part in _LINE_LABELS:
            self.values.pop(f"lines.{self.line_count - 1}.{part}", None)
        self.line_count -= 1

    def pick(self, choice: str) -> None:
        """``lines.0.code=99213``: the code picked from the suggestions into its box."""
        name, _, code = choice.partition("=")
        if re.fullmatch(r"lines\.\d+\.code", name) and looks_like_code(code):
            self.values[name] = code

    def diagnoses(self) -> list[str]:
        return [d.upper() for d in re.split(r"[\s,;]+", self.get("diagnoses")) if d]

    def to_variables(self, patient_id: str) -> dict[str, Any] | None:
        """The PatientEstimate variables, or None with errors at the fields."""
        day = us_date_field(self.values, "date", self.errors, required=True)
        npi = self.get("providerNpi")
        if not re.fullmatch(r"\d{10}", npi):
            self.errors.add("providerNpi", "Enter the provider's 10-digit NPI.")
        bad = [d for d in self.diagnoses() if not _ICD10.match(d)]
        if bad:
            self.errors.add("diagnoses", f"Not an ICD-10 code: {', '.join(bad[:3])}.")
        procedures = []
        for n in range(self.line_count):
            code, units, charge = (self.get(f"lines.{n}.{p}") for p in _LINE_LABELS)
            if not (code or charge):
                continue
            if not looks_like_code(code):
                self.errors.add(
                    f"lines.{n}.code", "Pick a CPT or HCPCS code (type words to look one up)."
                )
            if not re.fullmatch(r"\d{1,3}(\.\d{1,3})?", units or "1"):
                self.errors.add(f"lines.{n}.units", "Units are a number, usually 1.")
            amount = charge.replace("$", "").replace(",", "")
            if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", amount):
                self.errors.add(f"lines.{n}.charge", "The charge in dollars, e.g. 145.00.")
            procedures.append({"code": code.upper(), "units": units or "1", "charge": amount})
            self.sent_lines.append(n)
        if not procedures:
            self.errors.add("lines.0.code", "Add at least one procedure.")
        if self.errors or day is None:
            return None
        return {
            "patientId": patient_id,
            "date": day,
            "procedures": procedures,
            "providerNpi": npi,
            "outOfNetwork": self.out_of_network,
        }

    def api_errors(self, problems: list[dict[str, Any]]) -> None:
        """The API's field errors at the form's boxes (procedures.N.x is lines.N.x)."""
        for problem in problems:
            path = [str(p) for p in problem.get("field") or ()]
            name = GENERAL
            if path[:1] == ["procedures"] and len(path) == 3 and path[2] in _LINE_LABELS:
                sent = int(path[1]) if path[1].isdigit() else -1
                line = self.sent_lines[sent] if 0 <= sent < len(self.sent_lines) else 0
                name = f"lines.{line}.{path[2]}"
            elif path[:1] == ["providerNpi"]:
                name = "providerNpi"
            elif path[:1] == ["outOfNetworkPayerIds"]:
                name = "outOfNetwork"
            self.errors.add(name, str(problem.get("message") or "Check this."))
