"""Building blocks of the FHIR sandbox payer's resources: validated R4B JSON, codings, money, errors.

Every resource the sandbox sends passes :func:`validated` (strict ``fhir.resources.R4B`` validation):
a sandbox that answered invalid FHIR would test nothing. Bodies are serialized from the validated
dict with :func:`payers.fhir.resources.dump_json`, because the R4B models write decimals as floats
and money must stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from starlette.responses import Response

from payers.fhir.resources import dump_json
from payers.fhir.terminology import NPI
from payers.model import Code

FHIR_JSON = "application/fhir+json"
ISSUE_TYPE = "http://hl7.org/fhir/issue-type"


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """``resource`` after strict R4B validation (``pydantic.ValidationError`` if it is not valid)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def fhir_response(resource: Mapping[str, Any], status: int = 200) -> Response:
    return Response(dump_json(resource), status_code=status, media_type=FHIR_JSON)


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": list(codings)}
    if text:
        out["text"] = text
    return out


def of_code(system: str, code: Code) -> dict[str, Any]:
    """A coding of one of our codes (code set tables) under its FHIR or X12 system URL."""
    return coding(system, code.code, code.description)


def money(amount: Decimal) -> dict[str, Any]:
    return {"value": amount, "currency": "USD"}


def npi_reference(npi: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"identifier": {"system": NPI, "value": npi}}
    if display:
        out["display"] = display
    return out


def instant(day: date) -> str:
    """A FHIR instant at the start of ``day`` (UTC)."""
    return f"{day.isoformat()}T00:00:00Z"


def operation_outcome(
    status: int,
    code: str,
    text: str,
    details: Iterable[dict[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error answer: an OperationOutcome with one error issue (``details``: codings)."""
    issue: dict[str, Any] = {"severity": "error", "code": code, "diagnostics": text}
    found = list(details)
    if found:
        issue["details"] = concept(*found, text=text)
    body = validated({"resourceType": "OperationOutcome", "issue": [issue]})
    response = fhir_response(body, status)
    response.headers.update(headers or {})
    return response
