"""What a schedule file's row says before it is matched to a patient and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gateway.schedule.edits import AppointmentDraft, Problem


@dataclass(frozen=True, slots=True)
class PatientRef:
    """How a row names its patient: our patient id, or name and birth date (and member id)."""

    patient_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    member_id: str | None = None


@dataclass
class SourceRow:
    """One CSV line or Bundle entry: where it is, its patient, its appointment, what was wrong
    with it already while reading (a date that is no date...)."""

    line: int | None
    entry: int | None
    patient: PatientRef
    draft: AppointmentDraft
    problems: list[Problem] = field(default_factory=list)


class UnreadableFile(Exception):
    """The file as a whole cannot be read: nothing is imported. ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
