"""Remittances: the ledger's payments (``/remittances``), one with its claim payments, balancing
findings and match states (``/remittances/<id>``), the unmatched worklist with a match form
(``/remittances/unmatched``), uploading an 835 received elsewhere (``/remittances/upload``) and
fetching a payer's remittances now (``/remittances/fetch``, the answer shown on the list).

Reading needs payments:read; uploading, matching and fetching payments:write (the API refuses
anyway; a fetch is refused here first, 403, as its form is only shown to those who may use it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.api import PAYER_DOWN_CODES
from gateway.web.forms import GENERAL, FormErrors, call_failed, field_errors
from gateway.web.screens.payments import GROUP_WORDS
from gateway.web.visit import Visit, page

PAYMENTS_READ = "payments:read"
PAYMENTS_WRITE = "payments:write"
PAGE_SIZE = 25
MAX_UPLOAD_BYTES = 240_000  # the API's limit on an 835's text
SOURCE_WORDS = {
    "FETCHED": "Fetched from the payer",
    "UPLOADED": "Uploaded 835",
    "ENTERED": "Typed in",
}
MATCH_WORDS = {"MATCHED": "Matched", "MANUAL": "Matched by hand", "UNMATCHED": "Not matched"}
#: A fetch's failure in a biller's words, after the payer's name (the API's code in the URL).
FETCH_ERROR_WORDS = {
    "IN_PROGRESS": "a fetch from this payer is already running; reload this page in a moment.",
    "UNKNOWN_PAYER": "this payer does not send remittances through the gateway.",
}
FETCH_DOWN_WORDS = "is not answering; the gateway fetches again on its own schedule. Try later."


def refused(visit: Visit, writing: bool = False) -> Response:
    what = "post remittances" if writing else "see remittances"
    return visit.refusal(
        403,
        f"You cannot {what}",
        "Your role does not allow it. Ask your practice's administrator if you need it.",
    )


def payer_names(result: Any) -> dict[str, str]:
    return {p["id"]: p["name"] for p in result.data.get("payers") or ()}


@page()
async def listing(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return refused(visit)
    return await _listing_page(visit, frame, FormErrors())


async def _listing_page(
    visit: Visit, frame: dict[str, Any], errors: FormErrors, status: int = 200
) -> Response:
    after = visit.request.query_params.get("after") or None
    result = await visit.call("RemittancesList", {"first": PAGE_SIZE, "after": after})
    connection = result.data.get("remittances")
    names = payer_names(result)
    sending = [p for p in result.data.get("payers") or () if "PAYMENTS" in p["capabilities"]]
    return visit.html(
        "remittances.html",
        status,
        **frame,
        remittances=(connection or {}).get("items") or [],
        page_info=(connection or {}).get("pageInfo") or {},
        paged=bool(after),
        failed=connection is None,
        payers=names,
        fetch_payers=sending,
        source_words=SOURCE_WORDS,
        posted=visit.request.query_params.get("posted", ""),
        fetch_notice=fetch_notice(visit.request.query_params, names),
        errors=errors,
        labels={"payerId": "Payer"},
    )


def fetch_notice(query: Any, names: dict[str, str]) -> tuple[str, str] | None:
    """("ok" | "error", the sentence) for the fetch this page was redirected from, else None."""
    payer_id = query.get("fetched_from")
    if not payer_id:
        return None
    name = names.get(payer_id, "That payer")  # never the URL's text on the page
    code = query.get("fetch_error")
    if code:
        if code in PAYER_DOWN_CODES:
            return "error", f"{name} {FETCH_DOWN_WORDS}"
        words = FETCH_ERROR_WORDS.get(code, "the fetch did not work; try again in a moment.")
        return "error", f"{name}: {words}"
    fetched, new = _count(query.get("fetched")), _count(query.get("new"))
    return "ok", (
        f"{name}: {fetched} remittance{'' if fetched == 1 else 's'} fetched, {new} new posted."
    )


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@page()
async def fetch(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_WRITE not in frame["scopes"]:
        return refused(visit, writing=True)
    posted = await visit.request.form()
    payer_id = str(posted.get("payerId", "")).strip()
    errors = FormErrors()
    if not payer_id:
        errors.add("payerId", "Choose the payer to fetch remittances from.")
        return await _listing_page(visit, frame, errors, 400)
    result = await visit.call("FetchRemittances", {"payerId": payer_id})
    payload = result.data.get("fetchRemittances")
    if payload is None:
        errors.add(GENERAL, "The fetch could not be started just now. Try again in a moment.")
        return await _listing_page(visit, frame, errors, 400)
    query = {"fetched_from": payer_id}
    problems = payload.get("errors") or ()
    if problems:
        query["fetch_error"] = str(problems[0].get("code") or "")
    else:
        query |= {"fetched": str(payload["fetched"]), "new": str(payload["posted"])}
    return visit.redirect(f"/remittances?{urlencode(query)}")


@page()
async def detail(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return refused(visit)
    result = await visit.call(
        "RemittanceDetail", {"id": visit.request.path_params["remittance_id"]}
    )
    remittance = result.data.get("remittance")
    if remittance is None:
        return visit.refusal(404, "Remittance not found", "There is no such remittance here.")
    return visit.html(
        "remittance.html",
        **frame,
        remittance=remittance,
        payers=payer_names(result),
        source_words=SOURCE_WORDS,
        match_words=MATCH_WORDS,
        group_words=GROUP_WORDS,
    )


async def _unmatched_page(
    visit: Visit, frame: dict[str, Any], errors: FormErrors, status: int = 200
) -> Response:
    after = visit.request.query_params.get("after") or None
    result = await visit.call("UnmatchedPayments", {"first": PAGE_SIZE, "after": after})
    connection = result.data.get("unmatchedClaimPayments")
    items = (connection or {}).get("items") or []
    candidates: dict[str, list[dict[str, Any]]] = {}
    if PAYMENTS_WRITE in frame["scopes"]:
        for payer_id in sorted({i["payerId"] for i in items}):
            found = await visit.call("MatchCandidates", {"payerId": payer_id})
            edges = (found.data.get("claims") or {}).get("edges") or ()
            candidates[payer_id] = [e["node"] for e in edges]
    return visit.html(
        "remittances_unmatched.html",
        status,
        **frame,
        items=items,
        candidates=candidates,
        page_info=(connection or {}).get("pageInfo") or {},
        paged=bool(after),
        failed=connection is None,
        payers=payer_names(result),
        group_words=GROUP_WORDS,
        match_words=MATCH_WORDS,
        errors=errors,
        matched=visit.request.query_params.get("matched", ""),
    )


@page()
async def unmatched(visit: Visit) -> Response:
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return refused(visit)
    return await _unmatched_page(visit, frame, FormErrors())


@page()
async def match(visit: Visit) -> Response:
    posted = await visit.request.form()
    claim_id = str(posted.get("claim", "")).strip()
    payment_id = visit.request.path_params["claim_payment_id"]
    errors = FormErrors()
    if not claim_id:
        errors.add(f"claim-{payment_id}", "Choose the claim this payment is for.")
    else:
        result = await visit.call(
            "MatchClaimPayment", {"input": {"claimPaymentId": payment_id, "claimId": claim_id}}
        )
        payload = result.data.get("matchClaimPayment")
        if payload is None:
            call_failed(result.errors, errors)
        else:
            for problem in payload.get("errors") or ():
                errors.add(f"claim-{payment_id}", str(problem.get("message") or "Check this."))
        if not errors:
            return visit.redirect("/remittances/unmatched?matched=1")
    frame = await visit.frame()
    if PAYMENTS_READ not in frame["scopes"]:
        return refused(visit)
    return await _unmatched_page(visit, frame, errors, 400)


async def _upload_page(
    visit: Visit, form: dict[str, str], errors: FormErrors, status: int = 200
) -> Response:
    frame = await visit.frame()
    if PAYMENTS_WRITE not in frame["scopes"]:
        return refused(visit, writing=True)
    result = await visit.call("RemittancePayers")
    return visit.html(
        "remittance_upload.html",
        status,
        **frame,
        payers=result.data.get("payers") or [],
        form=form,
        errors=errors,
        labels={"payerId": "Payer", "file": "835 file", GENERAL: "The file"},
    )


@page()
async def upload_form(visit: Visit) -> Response:
    return await _upload_page(visit, {"payerId": ""}, FormErrors())


@page()
async def upload(visit: Visit) -> Response:
    posted = await visit.request.form()
    try:
        form = {"payerId": str(posted.get("payerId", "")).strip()}
        errors = FormErrors()
        text = await _file_text(posted.get("file"), errors)
    finally:
        await posted.close()  # the uploaded file's temporary copy
    if not form["payerId"]:
        errors.add("payerId", "Choose the payer the 835 is from.")
    if errors:
        return await _upload_page(visit, form, errors, 400)
    result = await visit.call(
        "UploadRemittance", {"input": {"payerId": form["payerId"], "x12": text}}
    )
    payload = result.data.get("uploadRemittance")
    if payload is None:
        call_failed(result.errors, errors)
    else:
        field_errors(payload.get("errors") or (), ("payerId", "x12"), errors)
    if "x12" in errors:  # the file's problems belong to the file field
        errors.add("file", errors.pop("x12"))
    if errors:
        return await _upload_page(visit, form, errors, 400)
    count = len((payload or {}).get("remittances") or ())
    return visit.redirect(f"/remittances?posted={count}")


async def _file_text(sent: Any, errors: FormErrors) -> str:
    """The uploaded 835 as text (an error at the file field when there is none or it is too big)."""
    if sent is None or isinstance(sent, str) or not sent.filename:
        errors.add("file", "Choose the 835 file to upload.")
        return ""
    body = await sent.read(MAX_UPLOAD_BYTES + 1)
    if len(body) > MAX_UPLOAD_BYTES:
        errors.add("file", "The file is larger than 240 kB; split it or ask the sender.")
        return ""
    return str(body.decode("utf-8", errors="replace"))


ROUTES = [
    Route("/remittances", listing, methods=["GET"]),
    Route("/remittances/fetch", fetch, methods=["POST"]),
    Route("/remittances/unmatched", unmatched, methods=["GET"]),
    Route("/remittances/unmatched/{claim_payment_id}", match, methods=["POST"]),
    Route("/remittances/upload", upload_form, methods=["GET"]),
    Route("/remittances/upload", upload, methods=["POST"]),
    Route("/remittances/{remittance_id}", detail, methods=["GET"]),
]
