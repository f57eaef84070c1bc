"""Front-end edits on the claim itself: identifiers, code shapes, lines, pointers, amounts, dates.

Every problem is collected (never the first only), each with a stable code from :data:`EDIT_CODES`,
the input path and a plain message. Edits that need the patient, coverage or payer are in
:mod:`gateway.claims.coverage_edits`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from gateway.claims.draft import ClaimDraft, DraftLine
from gateway.graphql.validation import Problems
from gateway.practices import npi_is_valid
from payers.codesets import is_known

#: Every code the claim edits can return, with what it means (a test checks each is reachable).
EDIT_CODES: dict[str, str] = {
    "REQUIRED": "A required field is missing or blank.",
    "NPI_FORMAT": "An NPI is not 10 digits.",
    "NPI_CHECK_DIGIT": "An NPI fails the Luhn check digit over 80840 + its first nine digits.",
    "TAX_ID_FORMAT": "The billing provider's tax ID is not 9 digits.",
    "NAME_TOO_LONG": "The billing provider's name is longer than 60 characters.",
    "PLACE_OF_SERVICE_INVALID": "The place of service is not a CMS place-of-service code.",
    "FREQUENCY_CODE_INVALID": "The claim frequency code is not 1, 7 or 8.",
    "ORIGINAL_CLAIM_REQUIRED": "A replacement (7) or void (8) needs the payer's original claim number.",
    "ORIGINAL_CLAIM_UNEXPECTED": "An original claim (1) must not name a payer claim number.",
    "PATIENT_CONTROL_NUMBER_TOO_LONG": "The patient control number is longer than 20 characters.",
    "DIAGNOSES_REQUIRED": "A claim needs at least one diagnosis.",
    "TOO_MANY_DIAGNOSES": "A professional claim carries at most 12 diagnoses.",
    "DIAGNOSIS_FORMAT": "A diagnosis is not shaped like an ICD-10-CM code.",
    "DIAGNOSIS_DUPLICATE": "The same diagnosis is listed twice.",
    "LINES_REQUIRED": "A claim needs at least one service line.",
    "TOO_MANY_LINES": "A professional claim carries at most 50 service lines.",
    "PROCEDURE_FORMAT": "A procedure is not shaped like a CPT or HCPCS code.",
    "MODIFIER_FORMAT": "A modifier is not 2 letters or digits.",
    "TOO_MANY_MODIFIERS": "A line carries at most 4 modifiers.",
    "MODIFIER_DUPLICATE": "The same modifier is listed twice on a line.",
    "DIAGNOSIS_POINTER_REQUIRED": "A line must point at least at one diagnosis.",
    "DIAGNOSIS_POINTER_INVALID": "A diagnosis pointer points at no diagnosis of the claim.",
    "TOO_MANY_POINTERS": "A line points at most at 4 diagnoses.",
    "DIAGNOSIS_POINTER_DUPLICATE": "A line points twice at the same diagnosis.",
    "UNITS_NOT_POSITIVE": "Units must be greater than 0.",
    "CHARGE_NOT_POSITIVE": "A charge must be greater than 0.",
    "CHARGE_PRECISION": "An amount has more than 2 decimal places.",
    "TOTAL_MISMATCH": "The total charge is not the sum of the line charges.",
    "SERVICE_DATE_IN_FUTURE": "A date of service is in the future.",
    "LINE_CONTROL_NUMBER_DUPLICATE": "Two lines have the same line control number.",
    "LINE_CONTROL_NUMBER_TOO_LONG": "A line control number is longer than 30 characters.",
    # drugs, providers and references (gateway.claims.detail_edits)
    "NDC_FORMAT": "A drug's NDC is not 11 digits in 5-4-2 form.",
    "DRUG_QUANTITY_NOT_POSITIVE": "A drug quantity must be greater than 0.",
    "DRUG_UNIT_INVALID": "A drug's unit of measure is not F2, GR, ME, ML or UN.",
    "REFERENCE_TOO_LONG": "A prior authorization, referral or medical record number is longer "
    "than 50 characters.",
    # edits that need the patient, coverage or payer (gateway.claims.coverage_edits)
    "PATIENT_NOT_FOUND": "No patient of your practice has this id.",
    "COVERAGE_NOT_FOUND": "No coverage of your practice has this id.",
    "COVERAGE_PATIENT_MISMATCH": "The coverage belongs to another patient.",
    "MEMBER_ID_MISSING": "The coverage has no member ID.",
    "PAYER_NOT_CONFIGURED": "The coverage's payer is not connected to the gateway.",
    "PAYER_NO_SUBMISSION": "The coverage's payer does not take claims through the gateway.",
    "SERVICE_DATE_BEFORE_BIRTH": "A date of service is before the patient's birth date.",
    "SERVICE_DATE_BEFORE_COVERAGE": "A date of service is before the coverage started.",
    "COVERAGE_INACTIVE": "The coverage was not active on a date of service.",
    "TIMELY_FILING_EXPIRED": "A date of service is older than the payer's timely-filing window.",
}

MAX_DIAGNOSES = 12
MAX_LINES = 50
MAX_MODIFIERS = 4
MAX_POINTERS = 4

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_PROCEDURE = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")  # CPT (incl. Category II/III) or HCPCS II
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_TAX_ID = re.compile(r"^\d{2}-?\d{7}$")
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def diagnosis_key(code: str) -> str:
    """ICD-10-CM compared without the dot and case (X12 sends E119 for E11.9)."""
    return code.strip().upper().replace(".", "")


def check_npi(
    problems: Problems, path: str, value: str | None, label: str, *, required: bool
) -> None:
    if blank(value):
        if required:
            problems.add(path, "REQUIRED", f"{label} NPI is required.")
        return
    assert value is not None
    npi = value.strip()
    if not re.fullmatch(r"\d{10}", npi):
        problems.add(path, "NPI_FORMAT", f"{label} NPI must be 10 digits.")
    elif not npi_is_valid(npi):
        problems.add(
            path, "NPI_CHECK_DIGIT", f"{label} NPI {npi} has a wrong check digit: check for a typo."
        )


def check_amount(problems: Problems, path: str, value: Decimal | None, label: str) -> None:
    if value is None:
        problems.add(path, "REQUIRED", f"{label} is required.")
    elif not value.is_finite() or value <= 0:
        problems.add(path, "CHARGE_NOT_POSITIVE", f"{label} must be greater than 0.")
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.add(
            path, "CHARGE_PRECISION", f"{label} must be in dollars and cents (2 decimals at most)."
        )


def check_header(problems: Problems, draft: ClaimDraft) -> None:
    """Providers, place of service, frequency and the patient control number."""
    for path, value in (("patientId", draft.patient_id), ("coverageId", draft.coverage_id)):
        if blank(value):
            problems.add(path, "REQUIRED", f"{path[:-2].capitalize()} is required.")
    check_npi(
        problems,
        "billingProvider.npi",
        draft.billing_provider_npi,
        "Billing provider",
        required=True,
    )
    check_npi(
        problems,
        "renderingProviderNpi",
        draft.rendering_provider_npi,
        "Rendering provider",
        required=False,
    )
    if blank(draft.billing_provider_tax_id):
        problems.add("billingProvider.taxId", "REQUIRED", "Billing provider tax ID is required.")
    elif not _TAX_ID.match(draft.billing_provider_tax_id.strip()):  # type: ignore[union-attr]
        problems.add(
            "billingProvider.taxId", "TAX_ID_FORMAT", "Tax ID must be 9 digits, e.g. 12-3456789."
        )
    if blank(draft.billing_provider_name):
        problems.add("billingProvider.name", "REQUIRED", "Billing provider name is required.")
    elif len(draft.billing_provider_name.strip()) > 60:  # type: ignore[union-attr]
        problems.add(
            "billingProvider.name",
            "NAME_TOO_LONG",
            "Billing provider name is at most 60 characters.",
        )
    if blank(draft.place_of_service):
        problems.add(
            "placeOfService", "REQUIRED", "Place of service is required, e.g. 11 (office)."
        )
    elif not (
        re.fullmatch(r"\d{2}", (pos := (draft.place_of_service or "").strip()))
        and is_known("place-of-service", pos)
    ):
        problems.add(
            "placeOfService",
            "PLACE_OF_SERVICE_INVALID",
            f"{draft.place_of_service!r} is not a place-of-service code, e.g. 11 (office).",
        )
    check_frequency(problems, draft)
    if draft.patient_control_number is not None and len(draft.patient_control_number.strip()) > 20:
        problems.add(
            "patientControlNumber",
            "PATIENT_CONTROL_NUMBER_TOO_LONG",
            "Patient control number is at most 20 characters.",
        )


def check_frequency(problems: Problems, draft: ClaimDraft) -> None:
    frequency = (draft.frequency_code or "").strip()
    if frequency not in FREQUENCIES:
        problems.add(
            "frequencyCode",
            "FREQUENCY_CODE_INVALID",
            "Frequency code must be 1 (original), 7 (replacement) or 8 (void).",
        )
    elif frequency in {"7", "8"} and blank(draft.original_payer_claim_id):
        problems.add(
            "originalPayerClaimId",
            "ORIGINAL_CLAIM_REQUIRED",
            f"A {FREQUENCIES[frequency]} needs the payer's claim number of the original claim.",
        )
    elif frequency == "1" and not blank(draft.original_payer_claim_id):
        problems.add(
            "originalPayerClaimId",
            "ORIGINAL_CLAIM_UNEXPECTED",
            "An original claim has no payer claim number yet: use frequency 7 to replace one.",
        )


def check_diagnoses(problems: Problems, diagnoses: tuple[str, ...]) -> None:
    if not diagnoses:
        problems.add("diagnoses", "DIAGNOSES_REQUIRED", "Add at least one ICD-10-CM diagnosis.")
    elif len(diagnoses) > MAX_DIAGNOSES:
        problems.add(
            "diagnoses", "TOO_MANY_DIAGNOSES", f"At most {MAX_DIAGNOSES} diagnoses per claim."
        )
    seen: set[str] = set()
    for index, code in enumerate(diagnoses):
        key = diagnosis_key(code)
        if not _ICD10CM.match(code.strip().upper()):
            problems.add(
                f"diagnoses.{index}",
                "DIAGNOSIS_FORMAT",
                f"{code!r} is not an ICD-10-CM code, e.g. E11.9.",
            )
        elif key in seen:
            problems.add(f"diagnoses.{index}", "DIAGNOSIS_DUPLICATE", f"{code} is listed twice.")
        seen.add(key)


def check_line(
    problems: Problems, index: int, line: DraftLine, diagnoses: int, today: date
) -> None:
    at = f"lines.{index}"
    if blank(line.procedure_code):
        problems.add(f"{at}.procedureCode", "REQUIRED", "Procedure code is required.")
    elif not _PROCEDURE.match(line.procedure_code.strip().upper()):  # type: ignore[union-attr]
        problems.add(
            f"{at}.procedureCode",
            "PROCEDURE_FORMAT",
            f"{line.procedure_code!r} is not a CPT or HCPCS code, e.g. 99213 or G0439.",
        )
    if len(line.modifiers) > MAX_MODIFIERS:
        problems.add(
            f"{at}.modifiers", "TOO_MANY_MODIFIERS", f"At most {MAX_MODIFIERS} modifiers per line."
        )
    for m_index, modifier in enumerate(line.modifiers):
        if not _MODIFIER.match(modifier.strip().upper()):
            problems.add(
                f"{at}.modifiers.{m_index}",
                "MODIFIER_FORMAT",
                f"{modifier!r} is not a modifier: 2 letters or digits, e.g. 25.",
            )
    if len({m.strip().upper() for m in line.modifiers}) < len(line.modifiers):
        problems.add(f"{at}.modifiers", "MODIFIER_DUPLICATE", "A modifier is listed twice.")
    check_pointers(problems, at, line.diagnosis_pointers, diagnoses)
    if line.units is None:
        problems.add(f"{at}.units", "REQUIRED", "Units are required.")
    elif not line.units.is_finite() or line.units <= 0:
        problems.add(f"{at}.units", "UNITS_NOT_POSITIVE", "Units must be greater than 0.")
    check_amount(problems, f"{at}.charge", line.charge, "Line charge")
    if line.service_date is None:
        problems.add(f"{at}.serviceDate", "REQUIRED", "Date of service is required.")
    elif line.service_date > today:
        problems.add(
            f"{at}.serviceDate",
            "SERVICE_DATE_IN_FUTURE",
            "Date of service is in the future: bill a service once it was given.",
        )
    if line.line_control_number is not None and len(line.line_control_number.strip()) > 30:
        problems.add(
            f"{at}.lineControlNumber",
            "LINE_CONTROL_NUMBER_TOO_LONG",
            "Line control number is at most 30 characters.",
        )


def check_pointers(problems: Problems, at: str, pointers: tuple[int, ...], diagnoses: int) -> None:
    if not pointers:
        problems.add(
            f"{at}.diagnosisPointers",
            "DIAGNOSIS_POINTER_REQUIRED",
            "Point the line at the diagnosis it treats (1 for the first).",
        )
        return
    if len(pointers) > MAX_POINTERS:
        problems.add(
            f"{at}.diagnosisPointers",
            "TOO_MANY_POINTERS",
            f"At most {MAX_POINTERS} pointers per line.",
        )
    if len(set(pointers)) < len(pointers):
        problems.add(
            f"{at}.diagnosisPointers", "DIAGNOSIS_POINTER_DUPLICATE", "A pointer is listed twice."
        )
    for p_index, pointer in enumerate(pointers):
        if not 1 <= pointer <= diagnoses:
            problems.add(
                f"{at}.diagnosisPointers.{p_index}",
                "DIAGNOSIS_POINTER_INVALID",
                f"Pointer {pointer} points at no diagnosis: the claim has {diagnoses}.",
            )


def check_lines(problems: Problems, draft: ClaimDraft, today: date) -> None:
    if not draft.lines:
        problems.add("lines", "LINES_REQUIRED", "Add at least one service line.")
    elif len(draft.lines) > MAX_LINES:
        problems.add("lines", "TOO_MANY_LINES", f"At most {MAX_LINES} service lines per claim.")
    for index, line in enumerate(draft.lines):
        check_line(problems, index, line, len(draft.diagnoses), today)
    numbers = Counter(
        n.strip() for n in (line.line_control_number for line in draft.lines) if n and n.strip()
    )
    for index, line in enumerate(draft.lines):
        if line.line_control_number and numbers[line.line_control_number.strip()] > 1:
            problems.add(
                f"lines.{index}.lineControlNumber",
                "LINE_CONTROL_NUMBER_DUPLICATE",
                f"Line control number {line.line_control_number.strip()} is used by another line.",
            )
    check_amount(problems, "totalCharge", draft.total_charge, "Total charge")
    charges = [line.charge for line in draft.lines if line.charge is not None]
    if draft.total_charge is not None and draft.lines and len(charges) == len(draft.lines):
        total = sum(charges, Decimal(0))
        if total != draft.total_charge:
            problems.add(
                "totalCharge",
                "TOTAL_MISMATCH",
                f"Total charge {draft.total_charge} is not the sum of the lines ({total}).",
            )


def check_claim(problems: Problems, draft: ClaimDraft, today: date) -> None:
    """Every edit that needs nothing but the claim."""
    check_header(problems, draft)
    check_diagnoses(problems, draft.diagnoses)
    check_lines(problems, draft, today)
