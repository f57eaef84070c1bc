"""Batch eligibility's worklist (``/batches/{id}``): what tomorrow's checks left to do, grouped by
kind, each item linking to its patient, with "Mark done" (and "Open again").

Ids only in the address; the worklist is read through ``batchWorklist`` with the user's token.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.visit import Visit, page

ELIGIBILITY_BATCH = "eligibility:batch"
PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 items: more than a day's schedule leaves

#: Each kind as the desk says it, and what it asks of them; in the order a desk works them.
KIND_WORDS: dict[str, tuple[str, str]] = {
    "COVERAGE_ENDED": ("Coverage ended", "Ask for the current card before the visit."),
    "INACTIVE": ("Coverage not active", "Ask for the insurance in force on the visit's day."),
    "MEMBER_NOT_FOUND": ("Member not found", "Check the card's member ID, name and birth date."),
    "PLAN_CHANGED": ("Plan changed", "Update the card; copays and deductibles may differ."),
    "PAYER_NOT_ANSWERING": ("Payer not answering", "Check again later, or call the payer."),
    "CHECK_FAILED": ("Check refused", "Check by phone or on the payer's portal."),
    "AUTH_REQUIRED": ("Prior authorization needed", "Get the authorization number first."),
    "SERVICE_NOT_COVERED": ("Service not covered", "Tell the patient before the visit."),
    "DEDUCTIBLE_REMAINING": ("Deductible left", "Collect at check-in."),
}


def _refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "You cannot see batch eligibility",
        "Your role does not include batch eligibility. Ask your practice's administrator.",
    )


async def _worklist(visit: Visit, batch_id: str, phi: bool) -> dict[str, Any] | None:
    """Every item of the batch (following the API's pages), and its counts per kind."""
    items: list[dict[str, Any]] = []
    after = None
    counts: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        result = await visit.call(
            "BatchWorklist",
            {"batchId": batch_id, "first": PAGE_SIZE, "after": after, "phi": phi},
        )
        connection = result.data.get("batchWorklist")
        if connection is None:
            return None
        items += connection["items"]
        counts = connection["counts"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    return {"items": items, "counts": counts}


def _grouped(items: list[dict[str, Any]]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(kind, title, advice, items) in the desk's order; open items first within each kind."""
    groups = []
    for kind, (title, advice) in KIND_WORDS.items():
        mine = [i for i in items if i["kind"] == kind]
        if mine:
            mine.sort(key=lambda i: i["resolved"])
            groups.append((kind, title, advice, mine))
    return groups


@page()
async def worklist(visit: Visit) -> Response:
    frame = await visit.frame()
    if ELIGIBILITY_BATCH not in frame["scopes"]:
        return _refused(visit)
    batch_id = visit.request.path_params["batch_id"]
    found = await _worklist(visit, batch_id, "phi:read" in frame["scopes"])
    if found is None:
        return visit.refusal(404, "Batch not found", "There is no such batch in your practice.")
    for item in found["items"]:
        for part in ("firstName", "lastName"):  # left out of the query without phi:read
            (item.get("patient") or {}).setdefault(part, None)
    open_items = sum(c["open"] for c in found["counts"])
    return visit.html(
        "batch.html",
        **frame,
        batch_id=batch_id,
        groups=_grouped(found["items"]),
        open_items=open_items,
        done_items=sum(c["done"] for c in found["counts"]),
        done_id=visit.request.query_params.get("done"),
    )


@page()
async def mark(visit: Visit) -> Response:
    batch_id = visit.request.path_params["batch_id"]
    item_id = visit.request.path_params["item_id"]
    posted = await visit.request.form()
    done = posted.get("done") != "0"
    result = await visit.call("ResolveWorklistItem", {"id": item_id, "done": done})
    payload = result.data.get("resolveWorklistItem")
    if payload is None:
        frame = await visit.frame()
        if ELIGIBILITY_BATCH not in frame["scopes"]:
            return _refused(visit)
        return visit.refusal(
            400,
            "The item was not changed",
            "It could not be saved just now. Go back and try again.",
        )
    if payload["errors"]:
        return visit.refusal(
            404, "Item not found", "There is no such worklist item in your practice."
        )
    return visit.redirect(f"/batches/{batch_id}?done={item_id}#item-{item_id}")


ROUTES = [
    Route("/batches/{batch_id}", worklist, methods=["GET"]),
    Route("/batches/{batch_id}/items/{item_id}", mark, methods=["POST"]),
]
