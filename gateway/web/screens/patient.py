"""Patient: demographics, insurance cards with each card's benefits in plain words, claims and payments.

One named operation reads the whole record; the parts a role may not read are left out of the query
(``@include``), so an analyst's page never asks for names and a front desk's never for payments. A payer
that fails leaves its part empty and says who is not answering and when it last answered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.api import PAYER_DOWN_CODES, ApiError, ApiResult
from gateway.web.benefits import benefit_sentences
from gateway.web.visit import Visit, page

PRIORITY_WORDS = {1: "Primary", 2: "Secondary", 3: "Tertiary"}
#: The card holder as seen from the patient (the API's relation is the patient's to the holder).
HOLDER_WORDS = {"SPOUSE": "spouse", "CHILD": "parent", "OTHER": "other"}
CLAIM_STATE_WORDS = {
    "PENDING": "Waiting to be sent",
    "SUBMITTED": "Sent to the payer",
    "ACKNOWLEDGED": "Received by the payer",
    "INFORMATION_REQUESTED": "The payer needs more information",
    "FINALIZED": "Decided by the payer",
    "DENIED": "Denied",
    "REJECTED": "Rejected: correct it and send again",
    "ERROR": "Could not be sent",
}
NOT_FOUND_CODES = frozenset({"NOT_FOUND", "INVALID_ID", "BAD_USER_INPUT", "BAD_ID"})


@page()
async def record(visit: Visit) -> Response:
    patient_id = visit.request.path_params["patient_id"]
    frame = await visit.frame()
    scopes = frame["scopes"]
    result = await visit.call(
        "PatientRecord",
        {
            "id": patient_id,
            "phi": "phi:read" in scopes,
            "eligibility": "eligibility:read" in scopes,
            "claims": "claims:read" in scopes,
            "payments": "payments:read" in scopes,
            # "Check again" asks the payers now instead of answering from the cache.
            "fresh": visit.request.query_params.get("fresh") == "1",
        },
    )
    patient = result.data.get("patient")
    if patient is None:
        if all(e.code in NOT_FOUND_CODES for e in result.errors_under("patient")):
            return visit.refusal(
                404, "Patient not found", "There is no such patient in your practice."
            )
        return visit.refusal(
            502, "Could not open the patient", "The record did not load just now; try again soon."
        )
    for part in ("firstName", "lastName", "birthDate", "phone", "address", "otherCoverageHints"):
        patient.setdefault(part, None)  # left out of the query for a role without phi:read
    patient["phone"] = us_phone(patient["phone"])
    for coverage in patient.get("coverages") or ():
        coverage.setdefault("memberId", None)
        coverage.setdefault("subscriber", None)
    payers = {p["id"]: p for p in result.data.get("payers") or ()}
    return visit.html(
        "patient.html",
        **frame,
        patient=patient,
        cards=cards(patient, result, payers),
        claims=claims(result),
        payments=payments(patient, result, payers),
        can_edit={"patients:write", "phi:read"} <= scopes,
        can_check="eligibility:read" in scopes,
        can_claim="claims:write" in scopes,
        can_estimate={"eligibility:read", "phi:read"} <= scopes,
        shows_claims="claims:read" in scopes,
        shows_payments="payments:read" in scopes,
    )


def holder(coverage: dict[str, Any]) -> str:
    """ "Lee Okafor (parent)" for a card held by someone else; empty for the patient's own card."""
    words = HOLDER_WORDS.get(coverage.get("relation") or "")
    person = coverage.get("subscriber") or {}
    if not words:
        return ""
    name = " ".join(p for p in (person.get("firstName"), person.get("lastName")) if p)
    return f"{name} ({words})" if name else f"the patient's {words}"


def us_phone(digits: str | None) -> str | None:
    """6145550101 (as the API stores it) as (614) 555-0101; anything else as it is."""
    if digits and len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits


def not_answering(payer_id: str | None, payers: dict[str, Any]) -> dict[str, Any]:
    """Who is not answering, and when it last did (None when not since the gateway started)."""
    payer = payers.get(payer_id or "") or {}
    return {
        "payer": payer.get("name") or "The payer",
        "last_good": (payer.get("health") or {}).get("lastGoodAnswerAt"),
    }


def cards(
    patient: dict[str, Any], result: ApiResult, payers: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each card on file with what its payer said about it (or why it said nothing)."""
    answers = {a["coverage"]["id"]: a for a in patient.get("eligibility") or () if a is not None}
    failures: dict[str, ApiError] = {}
    for error in result.errors_under("patient", "eligibility"):
        failures.setdefault(error.payer or "", error)
    today = date.today().isoformat()
    shown = []
    for coverage in patient.get("coverages") or ():
        ended = bool(coverage.get("effectiveTo")) and coverage["effectiveTo"] < today
        answer = answers.get(coverage["id"])
        failure = failures.get(coverage["payer"]["id"])
        check: dict[str, Any] = {"state": "none"}
        if ended:
            check = {"state": "ended"}
        elif answer is not None:
            check = {
                "state": "active" if answer.get("active") else "inactive",
                "plan": (answer.get("plan") or {}).get("name") or "",
                "ended_on": answer.get("endedOn"),
                "sentences": benefit_sentences(answer.get("benefits")),
            }
            if answer.get("stale"):  # the payer failed; the gateway answered with its last answer
                check["stale"] = not_answering(coverage["payer"]["id"], payers)
        elif failure is not None and failure.code in PAYER_DOWN_CODES:
            check = {"state": "down", **not_answering(failure.payer, payers)}
        elif failure is not None and failure.code == "MEMBER_NOT_FOUND":
            check = {"state": "not-found"}
        elif failure is not None and failure.code != "FORBIDDEN":
            check = {"state": "error"}
        shown.append(
            {
                **coverage,
                "ended": ended,
                "priority_words": PRIORITY_WORDS.get(coverage.get("priority") or 0, ""),
                "holder": holder(coverage),
                "check": check,
            }
        )
    shown.sort(key=lambda card: card["ended"])  # cards in force first (the API's order within)
    return shown


def claims(result: ApiResult) -> list[dict[str, Any]]:
    edges = (result.data.get("claims") or {}).get("edges") or []
    return [
        {**edge["node"], "state_words": CLAIM_STATE_WORDS.get(edge["node"]["state"], "")}
        for edge in edges
    ]


def payments(patient: dict[str, Any], result: ApiResult, payers: dict[str, Any]) -> dict[str, Any]:
    """Payments from every payer, newest first, and the payers that did not answer."""
    rows = [
        {**payment, "payer": group["payer"]["name"]}
        for group in patient.get("payments") or ()
        if group is not None
        for payment in group.get("payments") or ()
    ]
    rows.sort(key=lambda row: row.get("paymentDate") or "", reverse=True)
    down = [
        not_answering(e.payer, payers)
        for e in result.errors_under("patient", "payments")
        if e.code in PAYER_DOWN_CODES
    ]
    return {"rows": rows, "down": down}


ROUTES = [Route("/patients/{patient_id}", record, methods=["GET"])]
