"""Claims: the worklist (status, payer, dates; paged) and one claim with its status timeline.

Both pages refresh their changing part while open: htmx asks the same address every few seconds
(skipped while the tab is hidden, see portal.js) and gets only the fragment; without script, a
Refresh link does the same. Filters are states, a payer id and dates: nothing PHI in the address.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web import claim_words
from gateway.web.claim_words import STATE_WORDS
from gateway.web.formats import from_us_date
from gateway.web.screens.payments import GROUP_WORDS
from gateway.web.visit import Visit, page

PAGE_SIZE = 25
POLL_SECONDS = 5
NEEDS_ATTENTION = ["INFORMATION_REQUESTED", "DENIED", "REJECTED", "ERROR"]


@page()
async def worklist(visit: Visit) -> Response:
    query = visit.request.query_params
    status, payer = query.get("status", ""), query.get("payer", "")
    typed_from, typed_to = query.get("from", ""), query.get("to", "")
    errors: dict[str, str] = {}
    claim_filter: dict[str, Any] = {}
    if status == "open":
        claim_filter["open"] = True
    elif status == "attention":
        claim_filter["states"] = NEEDS_ATTENTION
    elif status in STATE_WORDS:
        claim_filter["states"] = [status]
    if payer:
        claim_filter["payerId"] = payer
    for name, typed, key in (
        ("from", typed_from, "serviceDateFrom"),
        ("to", typed_to, "serviceDateTo"),
    ):
        day = from_us_date(typed) if typed else None
        if typed and day is None:
            errors[name] = "Write the date as MM/DD/YYYY, e.g. 12/01/2026."
        elif day:
            claim_filter[key] = day.isoformat()
    variables = {"filter": claim_filter or None, "first": PAGE_SIZE, "after": query.get("after")}
    result = await visit.call("ClaimsWorklist", variables)
    connection = result.data.get("claims") or {}
    claims = [edge["node"] for edge in connection.get("edges") or ()]
    context: dict[str, Any] = {
        "claims": claims,
        "patients": await _patients(visit, {claim["patientId"] for claim in claims}),
        "page_info": connection.get("pageInfo") or {},
        "failed": bool(result.errors) and not connection,
        "filtered": bool(claim_filter),
        "paged": bool(query.get("after")),
        "query": {"status": status, "payer": payer, "from": typed_from, "to": typed_to},
        "words": claim_words,
        "here": str(visit.request.url.path)
        + (f"?{visit.request.url.query}" if visit.request.url.query else ""),
    }
    if visit.is_htmx:
        return visit.html("_claim_rows.html", **context)
    return await visit.page(
        "claims.html",
        payers=result.data.get("payers") or [],
        states=STATE_WORDS,
        errors=errors,
        poll_seconds=POLL_SECONDS,
        **context,
    )


@page()
async def claim_page(visit: Visit) -> Response:
    claim_id = visit.request.path_params["claim_id"]
    result = await visit.call("ClaimDetail", {"id": claim_id})
    claim = result.data.get("claim")
    if claim is None and result.codes <= {"BAD_USER_INPUT", "NOT_FOUND"}:  # no such claim here
        return visit.refusal(
            404, "Claim not found", "There is no such claim in your practice. Find it in Claims."
        )
    if claim is None:
        return visit.refusal(
            502, "Could not show the claim", "The claim could not be read just now; try again soon."
        )
    if visit.is_htmx:
        return visit.html("_claim_live.html", claim=claim, words=claim_words)
    frame = await visit.frame()
    patients = await _patients(visit, {claim["patientId"]})
    payments: list[dict[str, Any]] = []
    financials: dict[str, Any] | None = None
    if "payments:read" in frame["scopes"]:
        paid, money = await asyncio.gather(
            visit.call("ClaimPayments", {"id": claim_id}),
            visit.call("ClaimMoney", {"id": claim_id}),
        )
        payments = ((paid.data.get("claim") or {}).get("payments")) or []
        financials = (money.data.get("claim") or {}).get("financials")
    return visit.html(
        "claim.html",
        **frame,
        claim=claim,
        patient=patients.get(claim["patientId"]),
        words=claim_words,
        payments=payments,
        financials=financials,
        group_words=GROUP_WORDS,
        sent=visit.request.query_params.get("sent", ""),
        poll_seconds=POLL_SECONDS,
    )


async def _patients(visit: Visit, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The claims' patients by id (names need phi:read; without it the API gives the key only)."""
    ordered = sorted(ids)
    answers = await asyncio.gather(*(visit.call("ClaimPatient", {"id": i}) for i in ordered))
    return {
        i: a.data["patient"] for i, a in zip(ordered, answers, strict=True) if a.data.get("patient")
    }


ROUTES = [
    Route("/claims", worklist, methods=["GET"]),
    Route("/claims/{claim_id}", claim_page, methods=["GET"]),
]
