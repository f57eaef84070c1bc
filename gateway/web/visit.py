"""One request to a portal page: its session, its calls to the API, and what it answers.

Screens are written as ``@page()`` handlers taking a :class:`Visit`. The decorator loads the session,
refuses a POST without the session's CSRF token (403), sends a signed-out (or idle, or revoked)
visitor to login -- keeping a posted form for after login (see :meth:`Visit.resumed_form`) -- renders
errors as portal pages, and sends the re-sealed session cookie back with every answer.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gateway.config import GatewaySettings
from gateway.web.api import ApiResult, PortalApi, SessionEnded, Throttled
from gateway.web.nav import current_item, nav_for
from gateway.web.refresh import TokenRefresher
from gateway.web.session import PortalSession, SessionSeal
from gateway.web.stash import Stash
from gateway.web.templating import render

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
REFRESH_MARGIN_SECONDS = 30  # renew the access token a little before it expires
FORM_STASH = "form"


@dataclass
class Portal:
    """What every page shares: the API client, the session seal, the stash and the templates."""

    settings: GatewaySettings
    api: PortalApi
    seal: SessionSeal
    stash: Stash
    refresher: TokenRefresher
    templates: Environment


Handler = Callable[["Visit"], Awaitable[Response]]


class Visit:
    """A page request: the session, authorized API calls, rendering with the portal's frame."""

    def __init__(self, portal: Portal, request: Request, session: PortalSession) -> None:
        self.portal = portal
        self.request = request
        self.session = session
        self._token_lock = asyncio.Lock()
        self._frame: asyncio.Task[dict[str, Any]] | None = None

    @property
    def is_htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    async def call(self, name: str, variables: dict[str, Any] | None = None) -> ApiResult:
        """Run a named operation as the signed-in user (SessionEnded when the API refuses them)."""
        token = await self._access_token()
        return await self.portal.api.run(self.request, name, variables, token)

    async def call_anonymously(
        self, name: str, variables: dict[str, Any] | None = None
    ) -> ApiResult:
        return await self.portal.api.run(self.request, name, variables)

    async def access_token(self) -> str:
        """The signed-in user's access token, renewed when it is about to expire (for calls that
        are not named operations: the Export screen's download)."""
        return await self._access_token()

    async def _access_token(self) -> str:
        async with self._token_lock:
            session = self.session
            if session.access is None or session.refresh is None:
                raise SessionEnded
            if session.access_expires - time.time() > REFRESH_MARGIN_SECONDS:
                return session.access
            tokens = await self.portal.refresher.refresh(self.request, session.refresh)
            if tokens is None:
                raise SessionEnded
            self.sign_in(tokens)
            return str(session.access)

    def sign_in(self, tokens: dict[str, Any], user_id: str | None = None) -> None:
        """Keep the API's ``SessionTokens`` in the session."""
        session = self.session
        session.access = str(tokens["accessToken"])
        session.refresh = str(tokens["refreshToken"])
        session.access_expires = datetime.fromisoformat(tokens["accessTokenExpiresAt"]).timestamp()
        if user_id is not None:
            session.user_id = user_id

    async def frame(self) -> dict[str, Any]:
        """Who is signed in, what they may use, and which payers are down (for every page)."""
        result = await self.call("PortalFrame")
        viewer = result.data.get("me") or {}
        payers = result.data.get("payers") or []
        down = [p for p in payers if (p.get("health") or {}).get("status") in {"DOWN", "DEGRADED"}]
        return {
            "viewer": viewer,
            "scopes": set(viewer.get("scopes") or ()),
            "nav": nav_for(viewer.get("scopes") or ()),
            "current": current_item(self.request.url.path),
            "payers_down": down,
        }

    def start_frame(self) -> None:
        """Ask for the frame now, alongside the handler's own calls: a page then waits for the slower
        of the two (often a payer), not for both one after the other."""
        if self._frame is None:
            self._frame = asyncio.create_task(self.frame())

    def drop_frame(self) -> None:
        """Forget a frame the answer did not use (a redirect, a fragment, an error page)."""
        task, self._frame = self._frame, None
        if task is None:
            return
        if not task.done():
            task.cancel()
        elif not task.cancelled():
            task.exception()  # retrieved, so an unused frame's failure is not reported as lost

    async def page(self, template: str, status: int = 200, **context: Any) -> Response:
        """A full page with the header, navigation and payer banner."""
        frame = await self._frame if self._frame is not None else await self.frame()
        return self.html(template, status, **frame, **context)

    def html(self, template: str, status: int = 200, **context: Any) -> Response:
        """A template without the frame (login pages, fragments)."""
        body = render(self.portal.templates, template, {**self._basics(), **context})
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def _basics(self) -> dict[str, Any]:
        return {
            "csrf_token": self.session.csrf,
            "signed_in": self.session.signed_in,
            "viewer": None,
            "nav": [],
            "current": "",
            "payers_down": [],
            "scopes": set(),
        }

    def redirect(self, url: str) -> Response:
        """After a POST (post/redirect/get) or to another page; htmx follows it as a navigation."""
        if self.is_htmx:
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    async def resumed_form(self) -> dict[str, list[str]] | None:
        """The form this user posted to this page when their session had expired, once they are
        back (the page's GET has ``?resume=<id>``); None otherwise. Pages fill their form from it."""
        stash_id = self.request.query_params.get("resume")
        kept = await self.portal.stash.get(FORM_STASH, stash_id, self.session.user_id)
        if kept is None or kept.get("path") != self.request.url.path:
            return None
        await self.portal.stash.drop(FORM_STASH, stash_id)
        fields = kept.get("fields") or {}
        return {str(k): [str(v) for v in values] for k, values in fields.items()}

    async def to_login(self) -> Response:
        """Send a signed-out visitor to login; a posted form is kept for after it."""
        session, request = self.session, self.request
        ended = session.user_id is not None
        session.sign_out()
        if request.method == "POST" and session.user_id:
            form = await request.form()
            fields: dict[str, list[str]] = {}
            for name, value in form.multi_items():
                if name != CSRF_FIELD and isinstance(value, str):
                    fields.setdefault(name, []).append(value)
            stash_id = await self.portal.stash.put(
                FORM_STASH, session.user_id, {"path": request.url.path, "fields": fields}
            )
            session.next = f"{request.url.path}?{urlencode({'resume': stash_id})}"
        elif request.method == "GET" and not self.is_htmx:
            query = f"?{request.url.query}" if request.url.query else ""
            session.next = request.url.path + query
        return self.redirect("/login?expired=1" if ended else "/login")

    async def csrf_ok(self) -> bool:
        sent = self.request.headers.get(CSRF_HEADER)
        if sent is None:
            form = await self.request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        return bool(sent) and hmac.compare_digest(str(sent), self.session.csrf)

    def refusal(self, status: int, title: str, message: str) -> Response:
        """A plain error page in the portal's look (404, 403, 500)."""
        if self.is_htmx:
            return HTMLResponse(f"<p class='notice notice-error'>{title}</p>", status_code=status)
        return self.html("error.html", status, title=title, message=message)


def page(signed_in: bool = True) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Make ``handler(visit)`` a Starlette endpoint (see the module docstring)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            portal: Portal = request.app.state.portal
            visit = Visit(portal, request, portal.seal.load(request))
            response = await _answer(visit, handler, signed_in)
            portal.seal.store(request, response, visit.session)
            # The page's own time (API calls and rendering), for browsers' dev tools and bench/portal.py.
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
            return response

        return endpoint

    return wrap


async def _answer(visit: Visit, handler: Handler, signed_in: bool) -> Response:
    try:
        if visit.request.method == "POST" and not await visit.csrf_ok():
            return visit.refusal(
                403,
                "This form has expired",
                "The page was open too long or came from somewhere else. Go back, reload the page "
                "and send the form again.",
            )
        if signed_in and not visit.session.signed_in:
            return await visit.to_login()
        if signed_in and visit.request.method == "GET" and not visit.is_htmx:
            visit.start_frame()
        try:
            return await handler(visit)
        except SessionEnded:
            return await visit.to_login()
        except Throttled as throttled:
            response = visit.refusal(
                429,
                "Too many requests",
                "You are going faster than the gateway allows for one person. Wait a minute, then "
                "reload the page.",
            )
            response.headers["Retry-After"] = throttled.retry_after
            return response
        finally:
            visit.drop_frame()
    except Exception as exc:
        # Never the exception's text (it may hold patient data) nor a traceback: its type and where.
        log.error(
            "portal page failed",
            extra={"page": visit.request.url.path, "error_type": type(exc).__name__},
        )
        return visit.refusal(
            500,
            "Something went wrong",
            "The page could not be shown. Try again in a moment; if it keeps happening, tell your "
            "practice's administrator the time it happened.",
        )
