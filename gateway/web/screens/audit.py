"""Practice admin, Audit trail: who did what, newest first, in words ("Jane Desk viewed patient
details"), paged, filtered by what happened, by patient and by person or key."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.screens.admin_shared import admin_frame, refused
from gateway.web.visit import Visit, page

AUDIT_READ = "audit:read"
PAGE_SIZE = 25
#: Event kinds in words: "<actor> <words>". Kinds not listed read as their code.
KIND_WORDS = {
    "phi.read": "viewed patient details",
    "patients.searched": "searched for patients",
    "patient.updated": "changed a patient's details",
    "login.succeeded": "signed in",
    "login.password_accepted": "entered their password",
    "login.failed": "failed to sign in",
    "mfa.enrolled": "set up an authenticator app",
    "mfa.failed": "entered a wrong sign-in code",
    "mfa.recovery_code_used": "signed in with a recovery code",
    "account.locked": "was locked out after too many tries",
    "password.changed": "changed their password",
    "user.invited": "invited someone",
    "user.joined": "joined the practice",
    "invitation.revoked": "withdrew an invitation",
    "user.disabled": "disabled a person's account",
    "user.enabled": "enabled a person's account again",
    "api_key.created": "created an API key",
    "api_key.revoked": "revoked an API key",
    "webhook.registered": "added a webhook",
    "webhook.deleted": "deleted a webhook",
    "practice.auto_secondary_claims": "switched automatic secondary claims on or off",
    "remittance.uploaded": "uploaded a remittance file (835)",
    "remittance.entered": "entered a paper remittance",
    "claim_payment.matched": "matched a payment to a claim by hand",
    "remittances.fetched": "fetched remittances from a payer",
}

#: Patient fields read, as a front desk names them (first and last name are one "name").
FIELD_WORDS = {
    "firstName": "name",
    "lastName": "name",
    "birthDate": "birth date",
    "address": "address",
    "phone": "phone",
    "memberId": "member ID",
    "subscriber": "subscriber",
    "messages": "payer messages",
    "rawExchange": "payer exchange",
}


@page()
async def trail(visit: Visit) -> Response:
    frame = await admin_frame(visit, AUDIT_READ)
    if frame is None:
        return refused(visit)
    query = visit.request.query_params
    filters = {
        "kind": query.get("kind") or None,
        "patientId": query.get("patient") or None,
        "actorId": query.get("actor") or None,
    }
    result = await visit.call(
        "AdminAuditTrail", {"first": PAGE_SIZE, "after": query.get("after") or None, **filters}
    )
    events = result.data.get("auditEvents")
    if events is None:
        message = "Check the filters: the patient or person may not exist. Clear them to see all."
        return visit.html(
            "audit.html",
            400,
            **frame,
            rows=[],
            filters=filters,
            kind_words=KIND_WORDS,
            actors={},
            patients={},
            next_query="",
            problem=message,
        )
    patients = {p["id"]: p for p in result.data.get("recentPatients") or ()}
    actors = {u["id"]: u["name"] for u in result.data.get("users") or ()}
    actors.update({k["id"]: f"API key “{k['name']}”" for k in result.data.get("apiKeys") or ()})
    rows = [_in_words(edge["node"], actors) for edge in events.get("edges") or ()]
    next_query = ""
    if events.get("hasNextPage") and events.get("endCursor"):
        kept = {
            "kind": filters["kind"],
            "patient": filters["patientId"],
            "actor": filters["actorId"],
        }
        next_query = urlencode(
            {**{k: v for k, v in kept.items() if v}, "after": events["endCursor"]}
        )
    return visit.html(
        "audit.html",
        **frame,
        rows=rows,
        filters=filters,
        kind_words=KIND_WORDS,
        actors=actors,
        patients=patients,
        next_query=next_query,
        problem="",
    )


def _in_words(event: dict[str, Any], actors: dict[str, str]) -> dict[str, Any]:
    """One event as a sentence and its particulars."""
    actor_id = event.get("actorId")
    if actor_id is None:
        who = "Someone not signed in"
    else:
        who = actors.get(actor_id) or (
            "An API key" if event.get("actorKind") == "api_key" else "A former user"
        )
    what = KIND_WORDS.get(event["kind"], event["kind"])
    fields: list[str] = []
    for name in event.get("fields") or ():
        words = FIELD_WORDS.get(name.split(".")[-1], name.split(".")[-1])
        if words not in fields:
            fields.append(words)
    return {
        **event,
        "sentence": f"{who} {what}",
        "read": ", ".join(fields),
    }


ROUTES = [Route("/admin/audit", trail, methods=["GET"])]
