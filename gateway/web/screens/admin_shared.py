"""What every Practice admin page shares: the scope check, confirm steps, field errors, and values
shown once (a new key, secret or invitation link travels from the POST to the next page through the
stash under a random id -- never in a URL -- and the page that shows it drops it)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from gateway.web.api import ApiResult
from gateway.web.visit import Visit

USERS_MANAGE = "users:manage"
SHOWN_ONCE = "shown-once"
SHOWN_SECONDS = 5 * 60  # the page after the POST reads it at once; it should not linger

#: The admin area's tabs: (path, label, the scope its page needs).
TABS = (
    ("/admin", "People", USERS_MANAGE),
    ("/admin/api-keys", "API keys", USERS_MANAGE),
    ("/admin/webhooks", "Webhooks", "claims:write"),
    ("/admin/audit", "Audit trail", "audit:read"),
)


async def admin_frame(visit: Visit, scope: str = USERS_MANAGE) -> dict[str, Any] | None:
    """The page frame plus the admin tabs, or None when the viewer lacks ``scope``."""
    frame = await visit.frame()
    if USERS_MANAGE not in frame["scopes"] or scope not in frame["scopes"]:
        return None
    tabs = [(path, label) for path, label, needs in TABS if needs in frame["scopes"]]
    path = visit.request.url.path
    current = max(
        (p for p, _ in tabs if path == p or path.startswith(p + "/")), key=len, default=""
    )
    return {**frame, "admin_tabs": tabs, "admin_current": current}


def refused(visit: Visit) -> Response:
    return visit.refusal(
        403,
        "Only practice administrators can do this",
        "Your role does not include managing the practice. Ask your practice's administrator.",
    )


def field_errors(payload: dict[str, Any] | None, result: ApiResult) -> dict[str, str]:
    """The API's FieldErrors by form field (the input field's last name); a GraphQL error (NOT_FOUND,
    FORBIDDEN...) under the form's ``form`` key."""
    errors: dict[str, str] = {}
    for error in (payload or {}).get("errors") or ():
        field = (error.get("field") or ["form"])[-1]
        errors.setdefault(str(field), str(error.get("message") or "Check this value."))
    if payload is None and result.errors:
        errors["form"] = "That did not work just now. Reload the page and try again."
    return errors


async def keep_shown_once(visit: Visit, value: dict[str, Any]) -> str:
    """Keep ``value`` for the next page of this user only; the id goes in its URL."""
    return await visit.portal.stash.put(
        SHOWN_ONCE, str(visit.session.user_id), value, SHOWN_SECONDS
    )


async def take_shown_once(visit: Visit) -> dict[str, Any] | None:
    """The value kept for this page (``?shown=<id>``), dropped as it is read: a reload, the back
    button or anyone else gets nothing."""
    shown_id = visit.request.query_params.get("shown")
    value = await visit.portal.stash.get(SHOWN_ONCE, shown_id, visit.session.user_id)
    if value is not None:
        await visit.portal.stash.drop(SHOWN_ONCE, shown_id)
    return value


async def confirm_page(
    visit: Visit,
    frame: dict[str, Any],
    *,
    title: str,
    message: str,
    action: str,
    button: str,
    back: str,
) -> Response:
    """A page asking to confirm a destructive action: its form posts to ``action``."""
    return visit.html(
        "admin_confirm.html",
        **frame,
        title=title,
        message=message,
        action=action,
        button=button,
        back=back,
    )
