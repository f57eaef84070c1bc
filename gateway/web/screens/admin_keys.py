"""Practice admin, API keys: the practice's keys for partner systems; creating one (name, what it may
do as checkboxes in plain words, how long it works) shows the key once on the next page; revoking
asks first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.responses import Response
from starlette.routing import Route

from gateway.web.screens.admin_shared import (
    admin_frame,
    confirm_page,
    field_errors,
    keep_shown_once,
    refused,
    take_shown_once,
)
from gateway.web.visit import Visit, page

#: What a key may be allowed to do, in a front desk's words (the API refuses any other scope).
SCOPE_WORDS = {
    "patients:read": "Look up patients",
    "patients:write": "Register patients and update their details and insurance cards",
    "phi:read": "See patients' names, birth dates, addresses and member IDs",
    "eligibility:read": "Check insurance eligibility and benefits",
    "claims:read": "See claims and their status",
    "claims:write": "Send claims and manage webhooks",
    "payments:read": "See payments and adjustments",
    "payments:write": "Upload, enter and match remittances, and fetch them from payers now",
    "audit:read": "Read the audit trail",
    "fees:write": "Maintain the practice's fee schedule",
}
#: How long a new key works: choice -> days (None: until revoked).
EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, "never": None}
EXPIRY_WORDS = {"30": "30 days", "90": "90 days", "365": "1 year", "never": "Until revoked"}
LABELS = {
    "name": "Key name",
    "scopes": "What the key may do",
    "expires": "Works for",
    "form": "Key",
}


@page()
async def keys(visit: Visit) -> Response:
    return await _keys_page(visit, {"expires": "90"}, [], {})


async def _keys_page(
    visit: Visit, form: dict[str, str], scopes: list[str], errors: dict[str, str], status: int = 200
) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    result = await visit.call("AdminApiKeys")
    return visit.html(
        "admin_keys.html",
        status,
        **frame,
        keys=result.data.get("apiKeys") or [],
        scope_words=SCOPE_WORDS,
        expiry_words=EXPIRY_WORDS,
        form=form,
        chosen=scopes,
        errors=errors,
        labels=LABELS,
        now=datetime.now(UTC).isoformat(),
    )


@page()
async def create(visit: Visit) -> Response:
    posted = await visit.request.form()
    form = {"name": str(posted.get("name", "")).strip(), "expires": str(posted.get("expires", ""))}
    scopes = [s for s in posted.getlist("scopes") if isinstance(s, str) and s in SCOPE_WORDS]
    errors = {}
    if not form["name"]:
        errors["name"] = "Name the key after the system that will use it, e.g. Scheduling app."
    if not scopes:
        errors["scopes"] = "Tick at least one thing the key may do."
    if form["expires"] not in EXPIRY_DAYS:
        errors["expires"] = "Choose how long the key works."
    if errors:
        return await _keys_page(visit, form, scopes, errors, 400)
    days = EXPIRY_DAYS[form["expires"]]
    expires = (datetime.now(UTC) + timedelta(days=days)).isoformat() if days else None
    result = await visit.call(
        "AdminCreateApiKey",
        {"input": {"name": form["name"], "scopes": scopes, "expiresAt": expires}},
    )
    payload = result.data.get("createApiKey")
    errors = field_errors(payload, result)
    errors = {("expires" if k == "expiresAt" else k): v for k, v in errors.items()}
    if errors or not payload or not payload.get("secret"):
        return await _keys_page(visit, form, scopes, errors or {"form": "Try again."}, 400)
    shown = await keep_shown_once(
        visit, {"secret": payload["secret"], "name": payload["apiKey"]["name"]}
    )
    return visit.redirect(f"/admin/api-keys/created?shown={shown}")


@page()
async def created(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    return visit.html("admin_key_created.html", **frame, key=await take_shown_once(visit))


@page()
async def confirm_revoke(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    key_id = visit.request.path_params["key_id"]
    result = await visit.call("AdminApiKeys")
    key = next((k for k in result.data.get("apiKeys") or () if k["id"] == key_id), None)
    if key is None or key.get("revokedAt"):
        return visit.refusal(404, "Key not found", "There is no such active key in your practice.")
    return await confirm_page(
        visit,
        frame,
        title=f"Revoke the key “{key['name']}”?",
        message=f"Any system using the key starting {key['prefix']} is refused from now on. "
        "This cannot be undone: to connect it again, create a new key.",
        action=visit.request.url.path,
        button="Revoke the key",
        back="/admin/api-keys",
    )


@page()
async def revoke(visit: Visit) -> Response:
    result = await visit.call("AdminRevokeApiKey", {"id": visit.request.path_params["key_id"]})
    payload = result.data.get("revokeApiKey")
    if payload is None or payload.get("errors"):
        return visit.refusal(
            404 if payload else 403,
            "That key could not be revoked",
            "It may not be one of your practice's keys. Go back to API keys and reload.",
        )
    return visit.redirect("/admin/api-keys")


ROUTES = [
    Route("/admin/api-keys", keys, methods=["GET"]),
    Route("/admin/api-keys", create, methods=["POST"]),
    Route("/admin/api-keys/created", created, methods=["GET"]),
    Route("/admin/api-keys/{key_id}/revoke", confirm_revoke, methods=["GET"]),
    Route("/admin/api-keys/{key_id}/revoke", revoke, methods=["POST"]),
]
