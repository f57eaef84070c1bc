"""The claim page's actions: void a claim (frequency 8) or send it to the secondary payer, each after
a confirm page. The confirm page carries one idempotency key, so a double click or a resent form
makes one claim; the new claim's page follows."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.visit import Visit, page

CLAIMS_WRITE = "claims:write"

#: action -> (operation, payload field, title, message, button)
ACTIONS: dict[str, tuple[str, str, str, str, str]] = {
    "void": (
        "VoidClaim",
        "voidClaim",
        "Void claim {control}?",
        "A void (frequency 8) goes to {payer} carrying its claim number {pcn}: the payer takes back "
        "what it paid on this claim. This cannot be undone; a new claim is needed to bill again.",
        "Void the claim",
    ),
    "secondary": (
        "SendSecondaryClaim",
        "sendSecondaryClaim",
        "Send claim {control} to the secondary payer?",
        "A claim goes to the patient's secondary payer with what {payer} paid and adjusted, so the "
        "secondary pays its share of what is left.",
        "Send to the secondary payer",
    ),
}


def _refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "You cannot change claims",
        "Your role does not include sending claims. Ask your practice's administrator.",
    )


async def _claim(visit: Visit) -> dict[str, Any] | None:
    result = await visit.call("ClaimForAction", {"id": visit.request.path_params["claim_id"]})
    claim: dict[str, Any] | None = result.data.get("claim")
    return claim


@page()
async def confirm(visit: Visit) -> Response:
    frame = await visit.frame()
    action = visit.request.path_params["action"]
    if action not in ACTIONS:
        return visit.refusal(404, "Page not found", "There is no such action on a claim.")
    if CLAIMS_WRITE not in frame["scopes"]:
        return _refused(visit)
    claim = await _claim(visit)
    if claim is None:
        return visit.refusal(404, "Claim not found", "There is no such claim in your practice.")
    _, _, title, message, button = ACTIONS[action]
    words = {
        "control": claim["controlNumber"],
        "payer": (claim.get("payer") or {}).get("name", "the payer"),
        "pcn": claim.get("payerClaimId") or "(not given yet)",
    }
    # Only a claim the payer holds (it gave its claim number) can be voided: say so before asking.
    held = action != "void" or bool(claim.get("payerClaimId"))
    return visit.html(
        "claim_action.html",
        **frame,
        title=title.format(**words),
        message=message.format(**words) if held else "",
        button=button,
        action=visit.request.url.path,
        back=f"/claims/{claim['id']}",
        key=str(uuid.uuid4()) if held else None,
        error=None
        if held
        else "The payer has not given its claim number for this claim yet: "
        "there is nothing at the payer to void. Wait for its acknowledgment.",
    )


@page()
async def act(visit: Visit) -> Response:
    action = visit.request.path_params["action"]
    if action not in ACTIONS:
        return visit.refusal(404, "Page not found", "There is no such action on a claim.")
    claim_id = visit.request.path_params["claim_id"]
    posted = await visit.request.form()
    key = str(posted.get("idempotencyKey", "")).strip()
    operation, field, _, _, button = ACTIONS[action]
    result = await visit.call(operation, {"input": {"claimId": claim_id, "idempotencyKey": key}})
    payload = result.data.get(field) or {}
    made = payload.get("claim")
    if made:
        sent = "again" if payload.get("replayed") else "new"
        return visit.redirect(f"/claims/{made['id']}?sent={sent}")
    frame = await visit.frame()
    if CLAIMS_WRITE not in frame["scopes"]:
        return _refused(visit)
    problems = payload.get("errors") or ()
    error = " ".join(str(p.get("message")) for p in problems) or (
        "It could not be sent just now. Try again in a moment."
    )
    return visit.html(
        "claim_action.html",
        400,
        **frame,
        title="The claim was not sent",
        message="",
        button=button,
        action=visit.request.url.path,
        back=f"/claims/{claim_id}",
        key=key,
        error=error,
    )


ROUTES = [
    Route("/claims/{claim_id}/{action}", confirm, methods=["GET"]),
    Route("/claims/{claim_id}/{action}", act, methods=["POST"]),
]
