"""Batch eligibility: ``/batches`` starts a check of a day's schedule and lists recent batches;
``/batches/{id}`` shows a batch's progress and its worklist (what the checks left to do, grouped by
kind, each item linking to its patient, with "Mark done" and "Open again").

Starting: the form carries a fresh idempotency key, sent with the day, so a double submit (or a
reload of the POST) makes one batch. While a batch runs its page asks again every few seconds
(htmx, skipped while the tab is hidden; a Refresh link without script) and stops once it finished.
Ids only in the address; everything is read and started through the API with the user's token.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.forms import GENERAL, FormErrors, field_errors
from gateway.web.practice_clock import practice_today
from gateway.web.visit import Visit, page

ELIGIBILITY_BATCH = "eligibility:batch"
PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 items: more than a day's schedule leaves
RECENT = 20  # batches per page of the list
POLL_SECONDS = 3
FORM_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")  # what the form was given: a UUID

STATUS_WORDS = {"queued": "Waiting to start", "running": "Checking", "finished": "Finished"}
STARTED_WORDS = {
    "new": "The check was started.",
    "again": "This day was already being checked from this form: nothing new was started. This is "
    "the batch from your first click.",
}
FORM_LABELS = {"date": "Day to check", GENERAL: "Check"}

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


async def _recent_page(
    visit: Visit, frame: dict[str, Any], values: dict[str, str], errors: FormErrors, status: int
) -> Response:
    """The list page: the start form (filled with ``values``) and the recent batches."""
    after = visit.request.query_params.get("after") or None
    result = await visit.call("RecentBatches", {"first": RECENT, "after": after})
    connection = result.data.get("batches") or {}
    zone = ((result.data.get("me") or {}).get("practice") or {}).get("timeZone")
    tomorrow = practice_today(zone) + timedelta(days=1)
    return visit.html(
        "batches.html",
        status,
        **frame,
        values={"date": values.get("date") or tomorrow.isoformat(), "key": values["key"]},
        tomorrow=tomorrow,
        errors=errors,
        labels=FORM_LABELS,
        batches=connection.get("items") or [],
        page_info=connection.get("pageInfo") or {},
        paged=bool(after),
        unreadable=not connection and bool(result.errors),
        status_words=STATUS_WORDS,
    )


@page()
async def recent(visit: Visit) -> Response:
    frame = await visit.frame()
    if ELIGIBILITY_BATCH not in frame["scopes"]:
        return _refused(visit)
    asked = visit.request.query_params.get("date", "")
    values = {"date": asked if _iso_day(asked) else "", "key": str(uuid.uuid4())}
    return await _recent_page(visit, frame, values, FormErrors(), 200)


@page()
async def start(visit: Visit) -> Response:
    posted = await visit.request.form()
    values = {name: str(posted.get(name) or "").strip() for name in ("date", "key")}
    if not FORM_KEY.match(values["key"]):  # missing or altered: this send is a form of its own
        values["key"] = str(uuid.uuid4())
    errors = FormErrors()
    day = _iso_day(values["date"])
    if day is None:
        errors.add("date", "Choose the day whose appointments to check.")
    else:
        # The day is part of the key: the same form sent twice is one batch, and the same form
        # sent again for another day (back, change the day) is another batch, not a conflict.
        key = f"{values['key']}:{day.isoformat()}"
        result = await visit.call("CheckScheduleDay", {"key": key, "day": day.isoformat()})
        payload = result.data.get("checkEligibilityBatch")
        if payload is not None and payload["batch"] is not None:
            started = "new" if payload["created"] else "again"
            return visit.redirect(f"/batches/{payload['batch']['id']}?started={started}")
        if payload is not None:
            field_errors(
                [
                    {**e, "field": ["date"]} if e["field"] == ["scheduleDate"] else e
                    for e in payload["errors"]
                ],
                FORM_LABELS,
                errors,
            )
        else:  # refused whole (no scope: refused below) or failed
            errors.add(GENERAL, "The check could not be started just now. Try again in a moment.")
    frame = await visit.frame()
    if ELIGIBILITY_BATCH not in frame["scopes"]:
        return _refused(visit)
    return await _recent_page(visit, frame, values, errors, 400)


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@page()
async def worklist(visit: Visit) -> Response:
    frame = await visit.frame()
    if ELIGIBILITY_BATCH not in frame["scopes"]:
        return _refused(visit)
    batch_id = visit.request.path_params["batch_id"]
    progress, found = await asyncio.gather(
        visit.call("BatchProgress", {"id": batch_id}),
        _worklist(visit, batch_id, "phi:read" in frame["scopes"]),
    )
    batch = progress.data.get("batch")
    if batch is None or found is None:  # unknown, malformed or another practice's id
        return visit.refusal(404, "Batch not found", "There is no such batch in your practice.")
    for item in found["items"]:
        for part in ("firstName", "lastName"):  # left out of the query without phi:read
            (item.get("patient") or {}).setdefault(part, None)
    context = {
        "batch": batch,
        "batch_id": batch_id,
        "groups": _grouped(found["items"]),
        "open_items": sum(c["open"] for c in found["counts"]),
        "done_items": sum(c["done"] for c in found["counts"]),
        "done_id": visit.request.query_params.get("done"),
        "status_words": STATUS_WORDS,
        "poll_seconds": POLL_SECONDS,
    }
    if visit.is_htmx:
        return visit.html("_batch_live.html", **frame, **context)
    return visit.html(
        "batch.html",
        **frame,
        **context,
        started=STARTED_WORDS.get(visit.request.query_params.get("started", ""), ""),
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
    Route("/batches", recent, methods=["GET"]),
    Route("/batches", start, methods=["POST"]),
    Route("/batches/{batch_id}", worklist, methods=["GET"]),
    Route("/batches/{batch_id}/items/{item_id}", mark, methods=["POST"]),
]
