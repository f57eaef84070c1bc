"""Practice admin, Webhooks: the URLs that receive the practice's claim events, each with its latest
deliveries; registering one shows its signing secret once; deleting asks first."""

from __future__ import annotations

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

CLAIMS_WRITE = "claims:write"
EVENT_WORDS = {
    "CLAIM_STATUS_CHANGED": "A claim's status changes",
    "CLAIM_REMITTANCE": "A payer pays or denies a claim",
}
#: The API's event names (WebhookInfo.events, deliveries) in the same words.
SENT_WORDS = {
    "claim.status_changed": EVENT_WORDS["CLAIM_STATUS_CHANGED"],
    "claim.remittance": EVENT_WORDS["CLAIM_REMITTANCE"],
}
STATE_WORDS = {
    "DELIVERED": "Delivered",
    "PENDING": "Waiting to retry",
    "FAILED": "Failed",
    "CANCELLED": "Cancelled",
}
LABELS = {"url": "Address (URL)", "events": "Send when", "form": "Webhook"}


@page()
async def webhooks(visit: Visit) -> Response:
    return await _webhooks_page(visit, {}, list(EVENT_WORDS), {})


async def _webhooks_page(
    visit: Visit, form: dict[str, str], events: list[str], errors: dict[str, str], status: int = 200
) -> Response:
    frame = await admin_frame(visit, CLAIMS_WRITE)
    if frame is None:
        return refused(visit)
    result = await visit.call("AdminWebhooks")
    return visit.html(
        "admin_webhooks.html",
        status,
        **frame,
        webhooks=[w for w in result.data.get("webhooks") or () if w.get("active")],
        event_words=EVENT_WORDS,
        sent_words=SENT_WORDS,
        state_words=STATE_WORDS,
        form=form,
        chosen=events,
        errors=errors,
        labels=LABELS,
    )


@page()
async def register(visit: Visit) -> Response:
    posted = await visit.request.form()
    form = {"url": str(posted.get("url", "")).strip()}
    events = [e for e in posted.getlist("events") if isinstance(e, str) and e in EVENT_WORDS]
    errors = {}
    if not form["url"]:
        errors["url"] = "Enter the address your system receives events at, starting https://."
    if not events:
        errors["events"] = "Tick at least one event to send."
    if errors:
        return await _webhooks_page(visit, form, events, errors, 400)
    result = await visit.call(
        "AdminRegisterWebhook", {"input": {"url": form["url"], "events": events}}
    )
    payload = result.data.get("registerWebhook")
    errors = field_errors(payload, result)
    if errors or not payload or not payload.get("secret"):
        return await _webhooks_page(visit, form, events, errors or {"form": "Try again."}, 400)
    shown = await keep_shown_once(
        visit, {"secret": payload["secret"], "url": payload["webhook"]["url"]}
    )
    return visit.redirect(f"/admin/webhooks/created?shown={shown}")


@page()
async def created(visit: Visit) -> Response:
    frame = await admin_frame(visit, CLAIMS_WRITE)
    if frame is None:
        return refused(visit)
    return visit.html("admin_webhook_created.html", **frame, webhook=await take_shown_once(visit))


@page()
async def confirm_delete(visit: Visit) -> Response:
    frame = await admin_frame(visit, CLAIMS_WRITE)
    if frame is None:
        return refused(visit)
    webhook_id = visit.request.path_params["webhook_id"]
    result = await visit.call("AdminWebhooks")
    found = (w for w in result.data.get("webhooks") or () if w["id"] == webhook_id)
    webhook = next(found, None)
    if webhook is None or not webhook.get("active"):
        return visit.refusal(404, "Webhook not found", "There is no such webhook in your practice.")
    return await confirm_page(
        visit,
        frame,
        title="Delete this webhook?",
        message=f"Nothing more is sent to {webhook['url']}, and deliveries still waiting are "
        "cancelled. This cannot be undone.",
        action=visit.request.url.path,
        button="Delete the webhook",
        back="/admin/webhooks",
    )


@page()
async def delete(visit: Visit) -> Response:
    result = await visit.call("AdminDeleteWebhook", {"id": visit.request.path_params["webhook_id"]})
    payload = result.data.get("deleteWebhook")
    if payload is None or payload.get("errors"):
        return visit.refusal(
            404 if payload else 403,
            "That webhook could not be deleted",
            "It may already be gone. Go back to Webhooks and reload.",
        )
    return visit.redirect("/admin/webhooks")


ROUTES = [
    Route("/admin/webhooks", webhooks, methods=["GET"]),
    Route("/admin/webhooks", register, methods=["POST"]),
    Route("/admin/webhooks/created", created, methods=["GET"]),
    Route("/admin/webhooks/{webhook_id}/delete", confirm_delete, methods=["GET"]),
    Route("/admin/webhooks/{webhook_id}/delete", delete, methods=["POST"]),
]
