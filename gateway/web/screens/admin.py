"""Practice admin, People: the practice's users (disable with a confirm step, enable), open
invitations, inviting someone by email with a role (the invitation code shown once), and the
practice's switch for sending secondary claims automatically."""

from __future__ import annotations

from typing import Any

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

#: Roles a practice admin may invite, in a front desk's words (operators are the gateway's own).
ROLE_WORDS = {
    "FRONT_DESK": "Front desk",
    "BILLER": "Biller",
    "ANALYST": "Analyst (sees claims and payments, not patient names)",
    "PRACTICE_ADMIN": "Practice administrator",
}
INVITE_LABELS = {
    "email": "Email address",
    "role": "Role",
    "form": "Invitation",
    "enabled": "Secondary claims",
}


@page()
async def people(visit: Visit) -> Response:
    return await _people_page(visit, {}, {})


async def _people_page(
    visit: Visit, form: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    result = await visit.call("AdminPeople")
    invitations = [i for i in result.data.get("invitations") or () if not i.get("acceptedAt")]
    practice = (result.data.get("me") or {}).get("practice") or {}
    return visit.html(
        "admin_people.html",
        status,
        **frame,
        users=result.data.get("users") or [],
        invitations=invitations,
        role_words=ROLE_WORDS,
        form=form,
        errors=errors,
        labels=INVITE_LABELS,
        auto_secondary=practice.get("autoSecondaryClaims"),
        secondary_saved=visit.request.query_params.get("secondary", ""),
    )


@page()
async def invite(visit: Visit) -> Response:
    posted = await visit.request.form()
    form = {"email": str(posted.get("email", "")).strip(), "role": str(posted.get("role", ""))}
    errors = {}
    if not form["email"]:
        errors["email"] = "Enter the email address of the person to invite."
    if form["role"] not in ROLE_WORDS:
        errors["role"] = "Choose what the person will do in the practice."
    if errors:
        return await _people_page(visit, form, errors, 400)
    result = await visit.call("AdminInviteUser", {"input": form})
    payload = result.data.get("inviteUser")
    errors = field_errors(payload, result)
    if errors or not payload or not payload.get("token"):
        return await _people_page(visit, form, errors or {"form": "Try again."}, 400)
    shown = await keep_shown_once(
        visit,
        {
            "token": payload["token"],
            "email": payload["invitation"]["email"],
            "role": payload["invitation"]["role"],
            "expiresAt": payload["invitation"]["expiresAt"],
        },
    )
    return visit.redirect(f"/admin/invitations/sent?shown={shown}")


@page()
async def invitation_sent(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    return visit.html(
        "admin_invited.html",
        **frame,
        invitation=await take_shown_once(visit),
        role_words=ROLE_WORDS,
    )


async def _user(visit: Visit) -> dict[str, Any] | None:
    user_id = visit.request.path_params["user_id"]
    result = await visit.call("AdminPeople")
    return next((u for u in result.data.get("users") or () if u["id"] == user_id), None)


@page()
async def confirm_disable(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    user = await _user(visit)
    if user is None:
        return visit.refusal(404, "Person not found", "There is no such person in your practice.")
    return await confirm_page(
        visit,
        frame,
        title=f"Disable {user['name']}?",
        message=f"{user['name']} will be signed out at once and cannot sign in until you enable "
        "them again. Their work in the practice stays.",
        action=visit.request.url.path,
        button=f"Disable {user['name']}",
        back="/admin",
    )


@page()
async def disable(visit: Visit) -> Response:
    return await _set_status(visit, "AdminDisableUser", "disableUser")


@page()
async def enable(visit: Visit) -> Response:
    return await _set_status(visit, "AdminEnableUser", "enableUser")


async def _set_status(visit: Visit, operation: str, field: str) -> Response:
    result = await visit.call(operation, {"id": visit.request.path_params["user_id"]})
    payload = result.data.get(field)
    if payload is None or payload.get("errors"):
        return visit.refusal(
            404 if payload else 403,
            "That person could not be changed",
            "They may have been removed, or you may not manage them. Go back to People and reload.",
        )
    return visit.redirect("/admin")


@page()
async def confirm_withdraw(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    invitation_id = visit.request.path_params["invitation_id"]
    result = await visit.call("AdminPeople")
    found = (i for i in result.data.get("invitations") or () if i["id"] == invitation_id)
    invitation = next(found, None)
    if invitation is None or invitation.get("acceptedAt"):
        return visit.refusal(
            404, "Invitation not found", "It may have been accepted or withdrawn already."
        )
    return await confirm_page(
        visit,
        frame,
        title=f"Withdraw the invitation to {invitation['email']}?",
        message="The invitation code sent to them stops working. You can invite them again later.",
        action=visit.request.url.path,
        button="Withdraw the invitation",
        back="/admin",
    )


@page()
async def withdraw(visit: Visit) -> Response:
    invitation_id = visit.request.path_params["invitation_id"]
    result = await visit.call("AdminRevokeInvitation", {"id": invitation_id})
    payload = result.data.get("revokeInvitation")
    if payload is None or payload.get("errors"):
        return visit.refusal(
            404 if payload else 403,
            "That invitation could not be withdrawn",
            "It may have been accepted or withdrawn already. Go back to People and reload.",
        )
    return visit.redirect("/admin")


@page()
async def auto_secondary(visit: Visit) -> Response:
    frame = await admin_frame(visit)
    if frame is None:
        return refused(visit)
    posted = await visit.request.form()
    wanted = str(posted.get("enabled", ""))
    if wanted not in ("true", "false"):
        return await _people_page(visit, {}, {"enabled": "Choose on or off."}, 400)
    result = await visit.call("AdminSetAutoSecondaryClaims", {"enabled": wanted == "true"})
    payload = result.data.get("setAutoSecondaryClaims")
    if payload is None:
        errors = {"enabled": "That did not work just now. Reload the page and try again."}
        return await _people_page(visit, {}, errors, 400)
    return visit.redirect(f"/admin?secondary={'on' if payload['enabled'] else 'off'}")


ROUTES = [
    Route("/admin", people, methods=["GET"]),
    Route("/admin/invitations", invite, methods=["POST"]),
    Route("/admin/secondary-claims", auto_secondary, methods=["POST"]),
    Route("/admin/invitations/sent", invitation_sent, methods=["GET"]),
    Route("/admin/invitations/{invitation_id}/withdraw", confirm_withdraw, methods=["GET"]),
    Route("/admin/invitations/{invitation_id}/withdraw", withdraw, methods=["POST"]),
    Route("/admin/users/{user_id}/disable", confirm_disable, methods=["GET"]),
    Route("/admin/users/{user_id}/disable", disable, methods=["POST"]),
    Route("/admin/users/{user_id}/enable", enable, methods=["POST"]),
]
