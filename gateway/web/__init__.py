"""The portal: server-rendered pages for a practice's staff, a client of the gateway's own GraphQL API.

See gateway/web/README.md for how a screen, an operation and a test are added.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from gateway.cache.store import CacheStore
from gateway.config import GatewaySettings
from gateway.http.error_boundary import http_error
from gateway.http.errors import error_response
from gateway.web.api import PortalApi
from gateway.web.assets import portal_assets
from gateway.web.refresh import TokenRefresher
from gateway.web.screens import (
    admin,
    admin_keys,
    admin_webhooks,
    audit,
    batches,
    claim_actions,
    claim_correction,
    claims,
    estimate,
    exports,
    find_insurance,
    login,
    money,
    new_claim,
    patient,
    patient_cards,
    patient_forms,
    patients,
    payers,
    payments,
    remittance_entry,
    remittances,
    schedule,
    schedule_forms,
    today,
)
from gateway.web.session import SessionSeal
from gateway.web.stash import Stash
from gateway.web.templating import STATIC_PATH, environment
from gateway.web.visit import Portal, Visit, page

#: Every screen module's ``ROUTES``; a new screen adds its module here.
SCREENS = (
    login,
    today,
    schedule,
    schedule_forms,
    payers,
    patients,
    patient_forms,  # before patient: /patients/new is not a patient id
    find_insurance,
    patient_cards,
    estimate,  # before patient: /patients/{id}/estimate
    patient,
    new_claim,  # before claims: /claims/new is not a claim id
    claims,
    claim_correction,  # before claim_actions: correct is a form, not a confirm page
    claim_actions,
    payments,
    money,
    remittance_entry,  # before remittances: /remittances/enter is not a remittance id
    remittances,
    admin,
    admin_keys,
    admin_webhooks,
    audit,
    batches,
    exports,
)


def create_portal(
    settings: GatewaySettings,
    store: CacheStore,
    graphql_app: ASGIApp,
    export_app: ASGIApp | None = None,
) -> Starlette:
    """The portal's ASGI app, to mount at ``/``: ``graphql_app`` is the app behind ``POST /graphql``,
    ``export_app`` the one behind ``GET /exports/history`` (the Export screen streams it), ``store``
    the gateway's (shared) cache, where the portal keeps short-lived values."""
    seal = SessionSeal(settings)
    api = PortalApi(graphql_app, export_app)
    routes: list[BaseRoute] = [Mount(STATIC_PATH, portal_assets())]
    for screen in SCREENS:
        routes.extend(screen.ROUTES)
    app = Starlette(
        routes=[*routes, Route("/{path:path}", _not_found, methods=["GET", "POST"])],
        # Every path lands here last, /graphql's other methods included: a 405 is the gateway's JSON.
        exception_handlers={HTTPException: http_error},
    )
    app.state.portal = Portal(
        settings=settings,
        api=api,
        seal=seal,
        stash=Stash(store, seal, settings.cache_namespace),
        refresher=TokenRefresher(api, store, seal, settings.cache_namespace),
        templates=environment(settings.portal_time_zone),
    )
    return app


async def _not_found(request: Request) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        # An API client that missed a path gets the gateway's JSON answer, not a page.
        return error_response(404, "NOT_FOUND", "Not Found")
    return await _not_found_page(request)


@page(signed_in=False)
async def _not_found_page(visit: Visit) -> Response:
    return visit.refusal(
        404,
        "Page not found",
        "There is no page at this address. Use the menu, or go back to the Today page.",
    )
