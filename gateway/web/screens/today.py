"""Today: the practice's recent patients, each with eligibility badges, and a patient search.

Until the schedule exists, "today" is the practice's patients with the latest activity first.
Badges load after the page (htmx) so it shows at once; without script each card links to its
badges. The search (shared with Patients, ``patient_search.py``) keeps its PHI term out of URLs.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.api import PAYER_DOWN_CODES, ApiResult
from gateway.web.patient_search import keep_search, kept_search
from gateway.web.visit import Visit, page

PAGE_SIZE = 20


@page()
async def today(visit: Visit) -> Response:
    frame = await visit.frame()
    scopes = frame["scopes"]
    search = await kept_search(visit, visit.request.query_params.get("search"), scopes)
    if search.term:
        result = await visit.call("PatientSearch", {"search": search.term, "first": PAGE_SIZE})
        patients = [edge["node"] for edge in (result.data.get("patients") or {}).get("edges") or []]
    elif "patients:read" in scopes:
        result = await visit.call("TodayPatients", {"first": PAGE_SIZE})
        patients = result.data.get("recentPatients") or []
    else:
        patients = []
    return visit.html(
        "today.html",
        **frame,
        patients=patients,
        term=search.term,
        typed=search.typed,
        search_expired=search.expired,
        can_search="phi:read" in scopes,
        can_check="eligibility:read" in scopes,
    )


@page()
async def search(visit: Visit) -> Response:
    return visit.redirect(await keep_search(visit, "/"))


@page()
async def eligibility(visit: Visit) -> Response:
    patient_id = visit.request.path_params["patient_id"]
    result = await visit.call("PatientEligibility", {"id": patient_id})
    patient = result.data.get("patient")
    if patient is None and not result.errors:
        return visit.refusal(404, "Patient not found", "There is no such patient in your practice.")
    if patient is None:
        return visit.refusal(
            502, "Could not check insurance", "The check did not work just now; try again soon."
        )
    badges = eligibility_badges(patient or {}, result)
    if visit.is_htmx:
        return visit.html("_badges.html", badges=badges, patient_id=patient_id)
    return await visit.page("eligibility.html", patient=patient or {}, badges=badges)


def eligibility_badges(patient: dict[str, Any], result: ApiResult) -> list[dict[str, str]]:
    """One badge per payer asked: active, inactive, member not found, payer not answering."""
    names = {c["payer"]["id"]: c["payer"]["name"] for c in patient.get("coverages") or ()}
    badges = []
    for answer in patient.get("eligibility") or ():
        if answer is None:
            continue  # its error below names the payer
        active = bool(answer.get("active"))
        badges.append(
            {
                "payer": answer["payer"]["name"],
                "state": "active" if active else "inactive",
                "label": "Active" if active else "Inactive",
                "plan": (answer.get("plan") or {}).get("name") or "",
            }
        )
    for error in result.errors_under("patient", "eligibility"):
        payer = names.get(error.payer or "", error.payer or "A payer")
        if error.code == "MEMBER_NOT_FOUND":
            state, label = "not-found", "Member not found"
        elif error.code in PAYER_DOWN_CODES:
            state, label = "down", "Payer not answering"
        elif error.code == "FORBIDDEN":
            continue  # this role does not check eligibility; the page offers no badge
        else:
            state, label = "error", "Could not check"
        badges.append({"payer": payer, "state": state, "label": label, "plan": ""})
    return badges


ROUTES = [
    Route("/", today, methods=["GET"]),
    Route("/", search, methods=["POST"]),
    Route("/today/eligibility/{patient_id}", eligibility, methods=["GET"]),
]
