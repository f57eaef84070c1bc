"""Reading a schedule CSV (docs/schedule.md) with the csv module: one SourceRow per data line.

The header names the columns (any order, any case; extra columns are ignored). Dates are
YYYY-MM-DD or MM/DD/YYYY; ``service_types`` are codes separated by ``;``; ``procedures`` are
``CODE[:UNITS[:CHARGE]]`` separated by ``;`` (``99214;93000`` or ``97110:2:90.00``).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from gateway.schedule.edits import AppointmentDraft, Problem
from gateway.schedule.limits import MAX_IMPORT_ROWS
from gateway.schedule.sources import PatientRef, SourceRow, UnreadableFile

COLUMNS = (
    "appointment_id",
    "patient_id",
    "last_name",
    "first_name",
    "birth_date",
    "member_id",
    "date",
    "time",
    "provider_npi",
    "location",
    "visit_type",
    "service_types",
    "procedures",
    "status",
)
REQUIRED = ("date", "time", "provider_npi", "visit_type", "service_types")
BY_NAME = ("last_name", "first_name", "birth_date")

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

#: The API input field an edit names -> the CSV column it came from.
COLUMN_OF = {
    "patientId": "patient_id",
    "date": "date",
    "time": "time",
    "providerNpi": "provider_npi",
    "visitType": "visit_type",
    "location": "location",
    "serviceTypes": "service_types",
    "procedures": "procedures",
    "status": "status",
    "externalId": "appointment_id",
}


def read_csv(text: str) -> list[SourceRow]:
    """Every data row of ``text``; :class:`UnreadableFile` when the file as a whole is wrong."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise UnreadableFile("CSV_EMPTY", "The file is empty: it needs a header line.")
        columns = [h.strip().lower().replace(" ", "_") for h in header]
        _check_header(columns)
        rows: list[SourceRow] = []
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(rows) == MAX_IMPORT_ROWS:
                    raise UnreadableFile(
                        "TOO_MANY_ROWS",
                        f"The file has more than {MAX_IMPORT_ROWS} appointments: split it.",
                    )
                rows.append(_row(line, columns, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(
            "CSV_UNREADABLE", f"Line {reader.line_num}: the CSV cannot be read ({exc})."
        ) from None
    return rows


def _check_header(columns: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if "patient_id" not in columns and any(c not in columns for c in BY_NAME):
        missing.append("patient_id (or last_name, first_name and birth_date)")
    if missing:
        raise UnreadableFile(
            "CSV_HEADER",
            f"The header line lacks the column(s) {', '.join(missing)} (see docs/schedule.md).",
        )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise UnreadableFile("CSV_HEADER", f"The header names {', '.join(repeated)} twice.")


def _row(line: int, columns: list[str], record: list[str]) -> SourceRow:
    cells = {name: record[i].strip() if i < len(record) else "" for i, name in enumerate(columns)}
    problems: list[Problem] = []
    if len(record) > len(columns):
        problems.append(("row", "CSV_EXTRA_CELLS", "The line has more cells than the header."))
    birth_date = _date(problems, "birth_date", cells.get("birth_date", ""))
    day = _date(problems, "date", cells.get("date", ""))
    procedures = _procedures(problems, cells.get("procedures", ""))
    draft = AppointmentDraft(
        patient_id=None,
        day=day,
        clock=cells.get("time"),
        provider_npi=cells.get("provider_npi"),
        visit_type=cells.get("visit_type"),
        location=cells.get("location") or None,
        service_types=tuple(c for c in cells.get("service_types", "").split(";") if c.strip()),
        procedures=procedures,
        status=cells.get("status") or "booked",
        external_id=cells.get("appointment_id") or None,
    )
    patient = PatientRef(
        patient_id=cells.get("patient_id") or None,
        first_name=cells.get("first_name") or None,
        last_name=cells.get("last_name") or None,
        birth_date=birth_date,
        member_id=cells.get("member_id") or None,
    )
    return SourceRow(line=line, entry=None, patient=patient, draft=draft, problems=problems)


def _date(problems: list[Problem], column: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _US_DATE.match(text)
    if found is not None:
        month, day, year = (int(part) for part in found.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    problems.append(
        (column, "DATE_FORMAT", f"{column}: write the date as YYYY-MM-DD or MM/DD/YYYY.")
    )
    return None


def _procedures(
    problems: list[Problem], text: str
) -> tuple[tuple[str | None, Decimal | None, Decimal | None], ...]:
    planned = []
    for index, item in enumerate(p.strip() for p in text.split(";") if p.strip()):
        code, _, rest = item.partition(":")
        units_text, _, charge_text = rest.partition(":")
        units = _decimal(problems, f"procedures.{index}.units", units_text)
        charge = _decimal(problems, f"procedures.{index}.charge", charge_text.replace("$", ""))
        planned.append((code.strip(), units, charge))
    return tuple(planned)


def _decimal(problems: list[Problem], path: str, text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        problems.append((path, "NUMBER_FORMAT", f"{text.strip()[:20]!r} is not a number."))
        return None
    return value
