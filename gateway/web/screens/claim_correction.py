"""Correct a claim the payer holds (``/claims/<id>/correct``): its diagnoses, place of service and each
line's procedure, modifiers, units and charge, sent as a replacement (frequency 7) carrying the
payer's claim number. One idempotency key rides in the form, so a resent form makes one claim."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.forms import GENERAL, FormErrors, call_failed
from gateway.web.visit import Visit, page

CLAIMS_WRITE = "claims:write"
LINE_FIELDS = ("procedure", "modifiers", "units", "charge")


def _values(claim: dict[str, Any]) -> dict[str, str]:
    values = {
        "key": str(uuid.uuid4()),
        "diagnoses": ", ".join(d["code"] for d in claim.get("diagnoses") or ()),
        "placeOfService": (claim.get("placeOfService") or {}).get("code", ""),
    }
    for line in claim.get("lines") or ():
        n = line["lineNumber"]
        values[f"line{n}_procedure"] = line["procedure"]["code"]
        values[f"line{n}_modifiers"] = ", ".join(line.get("modifiers") or ())
        values[f"line{n}_units"] = str(line.get("units") or "1")
        values[f"line{n}_charge"] = str(line.get("charge") or "")
    return values


def _split(text: str) -> list[str]:
    return [part.strip().upper() for part in text.replace(";", ",").split(",") if part.strip()]


def _changes(claim: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    lines = []
    for line in claim.get("lines") or ():
        n = line["lineNumber"]
        lines.append(
            {
                "procedureCode": values.get(f"line{n}_procedure", "").strip().upper(),
                "modifiers": _split(values.get(f"line{n}_modifiers", "")),
                "units": values.get(f"line{n}_units", "").strip() or "1",
                "charge": values.get(f"line{n}_charge", "")
                .replace("$", "")
                .replace(",", "")
                .strip()
                or None,
                "diagnosisPointers": list(line.get("diagnosisPointers") or ()),
                "serviceDate": line.get("serviceDate"),
            }
        )
    return {
        "diagnoses": _split(values.get("diagnoses", "")),
        "placeOfService": values.get("placeOfService", "").strip(),
        "lines": lines,
    }


async def _form(
    visit: Visit, values: dict[str, str] | None, errors: FormErrors, status: int = 200
) -> Response:
    frame = await visit.frame()
    if CLAIMS_WRITE not in frame["scopes"]:
        return visit.refusal(
            403, "You cannot change claims", "Your role does not include sending claims."
        )
    result = await visit.call("ClaimToCorrect", {"id": visit.request.path_params["claim_id"]})
    claim = result.data.get("claim")
    if claim is None:
        return visit.refusal(404, "Claim not found", "There is no such claim in your practice.")
    return visit.html(
        "claim_correct.html",
        status,
        **frame,
        claim=claim,
        values=values or _values(claim),
        errors=errors,
        labels={
            "diagnoses": "Diagnoses",
            "placeOfService": "Place of service",
            GENERAL: "The claim",
        },
    )


@page()
async def correction_form(visit: Visit) -> Response:
    return await _form(visit, None, FormErrors())


@page()
async def correct(visit: Visit) -> Response:
    claim_id = visit.request.path_params["claim_id"]
    posted = await visit.request.form()
    values = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
    errors = FormErrors()
    found = await visit.call("ClaimToCorrect", {"id": claim_id})
    claim = found.data.get("claim")
    if claim is None:
        return visit.refusal(404, "Claim not found", "There is no such claim in your practice.")
    variables = {
        "input": {
            "claimId": claim_id,
            "idempotencyKey": values.get("key", ""),
            "changes": _changes(claim, values),
        }
    }
    result = await visit.call("CorrectClaim", variables)
    payload = result.data.get("correctClaim")
    if payload is None:
        call_failed(result.errors, errors)
    made = (payload or {}).get("claim")
    if made:
        sent = "again" if (payload or {}).get("replayed") else "new"
        return visit.redirect(f"/claims/{made['id']}?sent={sent}")
    for problem in (payload or {}).get("errors") or ():
        path = [str(p) for p in problem.get("field") or ()]
        name = path[-1] if path and path[-1] in ("diagnoses", "placeOfService") else GENERAL
        errors.add(name, str(problem.get("message") or "Check this."))
    return await _form(visit, values, errors, 400)


ROUTES = [
    Route("/claims/{claim_id}/correct", correction_form, methods=["GET"]),
    Route("/claims/{claim_id}/correct", correct, methods=["POST"]),
]
