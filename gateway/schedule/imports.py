"""Importing a day's schedule: read the file, match each row to a patient, check it, keep it once.

A file that cannot be read as a whole (too big, not CSV or not a Bundle, too many rows) is refused
with one problem and nothing is written. Otherwise every row is matched and checked on its own: a
bad row is reported with its CSV line or Bundle entry and every reason, the good rows are written
(each in its own savepoint, in one transaction), and a row already imported is ``unchanged``.
"""

from __future__ import annotations

import enum
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.schedule.clock import practice_today, practice_zone
from gateway.schedule.csv_rows import COLUMN_OF, read_csv
from gateway.schedule.edits import Problem, check
from gateway.schedule.fhir_bundle import ELEMENT_OF, read_bundle
from gateway.schedule.limits import MAX_IMPORT_BYTES
from gateway.schedule.sources import PatientRef, SourceRow, UnreadableFile
from gateway.schedule.writes import upsert
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient

#: An entry that could not be read at all: nothing more to check in it.
UNREAD_ENTRY = {"FHIR_INVALID", "FHIR_NOT_APPOINTMENT"}


class ImportFormat(enum.StrEnum):
    CSV = "csv"
    FHIR = "fhir"


@dataclass(frozen=True, slots=True)
class RowReport:
    line: int | None
    entry: int | None
    outcome: str  # created | updated | unchanged | refused
    appointment_id: str | None
    problems: list[Problem]


@dataclass
class ImportReport:
    format: str
    rows: list[RowReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file as a whole

    def counts(self) -> dict[str, int]:
        seen = Counter(r.outcome for r in self.rows)
        return {k: seen[k] for k in ("created", "updated", "unchanged", "refused")}


async def import_schedule(
    database: Database, practice_id: str, fmt: ImportFormat, content: str, *, actor_id: str | None
) -> ImportReport:
    """Import ``content`` (a CSV file's or a Bundle's text) into the practice's schedule."""
    report = ImportReport(format=fmt.value)
    if len(content.encode("utf-8", "surrogatepass")) > MAX_IMPORT_BYTES:
        report.problems.append(
            (
                "content",
                "FILE_TOO_LARGE",
                f"The file is larger than {MAX_IMPORT_BYTES} bytes: split it.",
            )
        )
        return report
    async with database.transaction() as session:
        zone = await practice_zone(session, practice_id)
        today = await practice_today(session, practice_id)
        try:
            rows = read_csv(content) if fmt is ImportFormat.CSV else read_bundle(content, zone)
        except UnreadableFile as unreadable:
            report.problems.append(("content", unreadable.code, unreadable.message))
            return report
        places = COLUMN_OF if fmt is ImportFormat.CSV else ELEMENT_OF
        for row in rows:
            report.rows.append(
                await _import_row(session, practice_id, row, zone, today, places, actor_id, fmt)
            )
    return report


async def _import_row(  # type: ignore[no-untyped-def]
    session: AsyncSession, practice_id, row: SourceRow, zone, today, places, actor_id, fmt
) -> RowReport:
    problems = list(row.problems)
    if any(code in UNREAD_ENTRY for _, code, _ in problems):
        return RowReport(row.line, row.entry, "refused", None, problems)
    patient_id, found = await resolve_patient(session, practice_id, row.patient)
    problems += found
    checked, edits = check(replace(row.draft, patient_id=patient_id or "?"), zone, today)
    reported = {path.partition(".")[0] for path, _, _ in problems}
    # A value that could not be read is reported once, as unreadable, not also as missing.
    problems += [
        (place, code, message)
        for place, code, message in ((_place(p, places), c, m) for p, c, m in edits)
        if not (code == "REQUIRED" and place.partition(".")[0] in reported)
    ]
    if problems or checked is None:
        return RowReport(row.line, row.entry, "refused", None, problems)
    appointment_id, outcome, clash = await upsert(
        session, practice_id, checked, source=fmt.value, actor_id=actor_id
    )
    if clash or outcome is None:
        clash = [(_place(path, places), code, message) for path, code, message in clash]
        return RowReport(row.line, row.entry, "refused", None, clash)
    return RowReport(row.line, row.entry, outcome, appointment_id, [])


def _place(path: str, places: dict[str, str]) -> str:
    head, _, rest = path.partition(".")
    return ".".join(filter(None, (places.get(head, head), rest)))


async def resolve_patient(
    session: AsyncSession, practice_id: str, ref: PatientRef
) -> tuple[str | None, list[Problem]]:
    """The practice's patient a row names: by our id, else by name and birth date (and member id
    when given). Matching ignores case and surrounding spaces; never another practice's patient."""
    where = "patient"
    if ref.patient_id:
        if _is_uuid(ref.patient_id):
            found = await session.scalar(
                select(Patient.id).where(
                    Patient.id == str(uuid.UUID(ref.patient_id)), Patient.practice_id == practice_id
                )
            )
            if found is not None:
                return found, []
        if not (ref.last_name and ref.first_name and ref.birth_date):
            return None, [
                (where, "PATIENT_NOT_FOUND", "No patient of your practice has this patient id.")
            ]
    if not (ref.last_name and ref.first_name and ref.birth_date):
        return None, [
            (
                where,
                "REQUIRED",
                "Name the patient: patient id, or last name, first name and birth date.",
            )
        ]
    statement = select(Patient.id).where(
        Patient.practice_id == practice_id,
        Patient.birth_date == ref.birth_date,
        func.lower(Patient.last_name) == ref.last_name.strip().lower(),
        func.lower(Patient.first_name) == ref.first_name.strip().lower(),
    )
    if ref.member_id:
        statement = statement.where(
            Patient.id.in_(
                select(Coverage.patient_id).where(
                    Coverage.practice_id == practice_id,
                    Coverage.member_id == ref.member_id.strip().upper(),
                )
            )
        )
    matches = list(await session.scalars(statement.limit(2)))
    if not matches:
        return None, [
            (
                where,
                "PATIENT_NOT_FOUND",
                "No patient of your practice has this name and birth date"
                + (" with this member id." if ref.member_id else ": register the patient first."),
            )
        ]
    if len(matches) > 1:
        return None, [
            (
                where,
                "PATIENT_AMBIGUOUS",
                "Several patients have this name and birth date: add the patient id or member id.",
            )
        ]
    return matches[0], []


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
