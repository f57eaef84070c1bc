"""Patients: the practice's patients by name, a page at a time, with the same search as Today.

The API's cursor encodes the last name, first name and id of the page's last patient (PHI), so it
never goes in a URL: the portal keeps it in the stash and the "Next page" link carries only the
stash's random id (``/patients?page=<id>``), as the search keeps its term (``?search=<id>``).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.patient_search import keep_search, kept_search
from gateway.web.visit import Visit, page

PAGE_SIZE = 25
PAGE = "patients-page"


@page()
async def patients(visit: Visit) -> Response:
    frame = await visit.frame()
    scopes = frame["scopes"]
    if "patients:read" not in scopes:
        return visit.refusal(403, "Not available", "Your role does not include the patient list.")
    owner = str(visit.session.user_id)
    params = visit.request.query_params
    kept_page = await visit.portal.stash.get(PAGE, params.get("page"), owner) or {}
    search_id = str(kept_page.get("search_id") or params.get("search") or "")
    search = await kept_search(visit, search_id or None, scopes)
    page_expired = bool(params.get("page")) and not kept_page
    if search.expired:  # a later page of a search that is gone: start again from the first page
        kept_page, page_expired = {}, True
    after = kept_page.get("after")
    number = int(kept_page.get("number") or 1)
    variables: dict[str, Any] = {"first": PAGE_SIZE, "after": after, "search": search.term or None}
    result = await visit.call("PatientsList", variables)
    connection = result.data.get("patients") or {}
    info = connection.get("pageInfo") or {}
    next_page = ""
    if info.get("hasNextPage") and info.get("endCursor"):
        kept = {"after": info["endCursor"], "search_id": search_id, "number": number + 1}
        next_page = f"/patients?page={await visit.portal.stash.put(PAGE, owner, kept)}"
    here = f"/patients?search={search_id}" if search.term else "/patients"
    return visit.html(
        "patients.html",
        **frame,
        patients=[edge["node"] for edge in connection.get("edges") or []],
        failed=bool(result.errors) and not connection,
        term=search.term,
        typed=search.typed,
        search_expired=page_expired,
        can_search="phi:read" in scopes,
        number=number,
        next_page=next_page,
        first_page=here if number > 1 else "",
    )


@page()
async def search(visit: Visit) -> Response:
    return visit.redirect(await keep_search(visit, "/patients"))


ROUTES = [
    Route("/patients", patients, methods=["GET"]),
    Route("/patients", search, methods=["POST"]),
]
