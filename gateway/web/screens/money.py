"""Money: receivables by payer and age and denials by payer and reason (``/money``), and the denials
worklist with each claim's reasons in words and the next step (``/denials``).

Dates come in the address as the person typed them (MM/DD/YYYY: nothing PHI), the worklist's page as
the API's opaque cursor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.formats import from_us_date
from gateway.web.screens.payments import GROUP_WORDS
from gateway.web.visit import Visit, page

PAYMENTS_READ = "payments:read"
WORKLIST_SIZE = 25
BUCKETS = ("0-30", "31-60", "61-90", "90+")

#: The API's next steps as a biller says them.
STEP_WORDS = {
    "CORRECT_AND_RESUBMIT": "Correct and resubmit",
    "SEND_RECORDS": "Send records",
    "APPEAL": "Appeal",
    "BILL_PATIENT": "Bill the patient",
    "BILL_SECONDARY": "Bill the secondary payer",
}


def _refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "You cannot see the practice's money",
        "Your role does not include payments. Ask your practice's administrator if you need them.",
    )


def _typed_dates(query: Any, names: tuple[str, ...]) -> tuple[dict[str, date], dict[str, str]]:
    days: dict[str, date] = {}
    errors: dict[str, str] = {}
    for name in names:
        typed = query.get(name, "").strip()
        if not typed:
            continue
        day = from_us_date(typed)
        if day is None:
            errors[name] = "Write the date as MM/DD/YYYY, e.g. 12/01/2026."
        else:
            days[name] = day
    return days, errors


def _by_bucket(row: dict[str, Any]) -> dict[str, str]:
    return {b["bucket"]: b["amount"] for b in row.get("buckets") or ()}


@page()
async def overview(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return _refused(visit)
    query = visit.request.query_params
    days, errors = _typed_dates(query, ("asof", "from", "to"))
    if "from" in days and "to" in days and days["from"] > days["to"]:
        errors["to"] = "The end date must be on or after the start date."
    variables = {
        "asOf": days["asof"].isoformat() if "asof" in days else None,
        "from": days["from"].isoformat() if "from" in days and not errors else None,
        "to": days["to"].isoformat() if "to" in days and not errors else None,
    }
    result = await visit.call("MoneyOverview", variables)
    receivables = result.data.get("receivables")
    denials = result.data.get("denials")
    return visit.html(
        "money.html",
        **frame,
        receivables=receivables,
        denials=denials,
        buckets=BUCKETS,
        by_bucket=_by_bucket,
        errors=errors,
        failed=receivables is None or denials is None,
        query={name: query.get(name, "") for name in ("asof", "from", "to")},
    )


@page()
async def denials_worklist(visit: Visit) -> Response:
    frame = await visit.frame()
    if not {PAYMENTS_READ, "claims:read"} <= frame["scopes"]:
        return _refused(visit)
    after = visit.request.query_params.get("after") or None
    result = await visit.call(
        "DenialsWorklist",
        {"first": WORKLIST_SIZE, "after": after, "phi": "phi:read" in frame["scopes"]},
    )
    connection = result.data.get("denialsWorklist")
    if connection is None and after:
        return visit.refusal(
            404, "That page of the worklist is gone", "Open the worklist again from the menu."
        )
    items = [edge["node"] for edge in (connection or {}).get("edges") or ()]
    for item in items:
        for part in ("firstName", "lastName"):  # left out of the query without phi:read
            (item.get("patient") or {}).setdefault(part, None)
    return visit.html(
        "denials.html",
        **frame,
        items=items,
        page_info=(connection or {}).get("pageInfo") or {},
        paged=bool(after),
        failed=connection is None,
        step_words=STEP_WORDS,
        group_words=GROUP_WORDS,
    )


ROUTES = [
    Route("/money", overview, methods=["GET"]),
    Route("/denials", denials_worklist, methods=["GET"]),
]
