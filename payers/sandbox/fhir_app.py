"""The FHIR R4 sandbox payer (Northwind Blue speaks it): what :mod:`payers.fhir.adapter` calls.

``POST /oauth/token`` is an OAuth2 client-credentials token endpoint (client authentication by HTTP
Basic or in the form body); every FHIR route needs ``Authorization: Bearer <token>`` while the
token lives (``token_lifetime`` seconds), else 401 with an OperationOutcome. With ``credentials``
``None`` the server asks for no token. Bodies are ``application/fhir+json``; errors are
OperationOutcome. The FHIR base is the server root (the adapter's ``base_url``); routes::

    POST CoverageEligibilityRequest/$submit  -> CoverageEligibilityResponse (outcome error with AAA
                                                reject reasons when the member does not match)
    GET  Patient?identifier=&birthdate=      a member (identifier: member id, optionally system|id)
    GET  Patient?family=&given=&birthdate=[&address-postalcode=]   people, for coverage discovery
    GET  Coverage?beneficiary=Patient/{id}   that patient's coverage (active or cancelled)
    GET  ExplanationOfBenefit?patient={ids}[&service-date=geD][&_lastUpdated=geD] | ?identifier=
    GET  ClaimResponse?request:identifier=[system|]{control number} | ?identifier={claim id}
    GET  PaymentReconciliation?identifier={trace numbers, comma-separated}
    POST Claim/$submit                       -> ClaimResponse; the same claim identifier (control
                                                number) again answers the first claim's response,
                                                marked duplicate (CARC 18)

While the ``busy`` fault is on, ``$submit`` of a CoverageEligibilityRequest answers HTTP 200 with a
CoverageEligibilityResponse of ``outcome = error`` carrying the AAA reason (42 or 80) and its plain
words in ``disposition``, as payers bridging from X12 do; every other route answers HTTP 200 with an
OperationOutcome whose issue code is ``transient`` (``timeout`` for reason 80), FHIR's own terms.

Searches answer searchset Bundles of at most ``page_size`` entries with a ``next`` link
(``_offset``); the default page size (2) makes every demo member's claim search page. The fault
layer and ``/_control/*`` come from :mod:`payers.sandbox.faults`; the token endpoint sits outside
it (never faulted). EOB searches count as ``payments`` when they filter on ``_lastUpdated`` or name
no patient, and then answer one EOB per claim payment of each remittance paid since that day (a
reversal, CLP02 22, is an EOB of its own with negated amounts); else they count as ``claim_search``
and answer one EOB per claim; Patient look-ups by member id count as no operation (they
precede both).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from payers.codesets import lookup, plain_words
from payers.sandbox.clock import ClockSettings
from payers.sandbox.crossover import SandboxNetwork
from payers.sandbox.faults import FaultSettings, busy_reason, install_faults
from payers.sandbox.fhir_members import eligibility_error
from payers.sandbox.fhir_search import FhirPayer, SearchError
from payers.sandbox.fhir_token import TokenIssuer
from payers.sandbox.fhir_wire import fhir_response, operation_outcome
from payers.sandbox.intake import ClaimIntake
from payers.sandbox.world import SandboxPayerBook

DEFAULT_PAGE_SIZE = 2
#: The busy fault's AAA reason -> the OperationOutcome issue type (both are "transient" kinds).
BUSY_ISSUES = {"42": "transient", "80": "timeout"}
Handler = Callable[[Request], Awaitable[Response]]

_SEARCH_OPERATIONS = {
    "Coverage": "coverage_discovery",
    "ClaimResponse": "claim_status",
    "PaymentReconciliation": "payments",
}


def fhir_operation(scope: Scope) -> str | None:
    """The contract operation a request is, for stats and per-operation faults."""
    method, path = scope.get("method"), scope.get("path", "")
    query = scope.get("query_string", b"").decode("latin-1")
    names = {part.split("=", 1)[0] for part in query.split("&") if part}
    if method == "POST":
        return {
            "/CoverageEligibilityRequest/$submit": "eligibility",
            "/Claim/$submit": "claim_submission",
        }.get(path, f"POST {path}")
    resource = path.removeprefix("/")
    if resource == "ExplanationOfBenefit":
        if "identifier" in names:
            return "claim_status"
        return "payments" if "_lastUpdated" in names or "patient" not in names else "claim_search"
    if resource == "Patient":
        return None if "identifier" in names else "coverage_discovery"
    return _SEARCH_OPERATIONS.get(resource, f"{method} {path}")


class BearerTokens:
    """Refuses FHIR requests without a live access token."""

    def __init__(self, app: ASGIApp, issuer: TokenIssuer | None) -> None:
        self.app = app
        self.issuer = issuer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.issuer is not None and scope["type"] == "http":
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            token = header[7:] if header.lower().startswith("bearer ") else ""
            if not self.issuer.valid(token):
                response = operation_outcome(
                    401,
                    "login",
                    "missing, invalid or expired access token",
                    headers={
                        "WWW-Authenticate": 'Bearer realm="sandbox-payer", error="invalid_token"'
                    },
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def busy_aware(handler: Handler, book: SandboxPayerBook, today: date, eligibility: bool) -> Handler:
    """``handler``, answering "cannot respond now" instead while the fault layer says busy."""

    async def route(request: Request) -> Response:
        reason = busy_reason(request.scope)
        if reason is None:
            return await handler(request)
        code = lookup("aaa-reject-reason", reason)
        words = plain_words(code) or code.description
        if eligibility:
            return fhir_response(eligibility_error(book, today, today, (code,), words))
        return operation_outcome(200, BUSY_ISSUES.get(reason, "transient"), words)

    return route


async def _search_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SearchError)
    return operation_outcome(exc.status, exc.code, exc.message)


async def _not_found(request: Request, exc: Exception) -> Response:
    return operation_outcome(404, "not-found", f"no route {request.method} {request.url.path}")


def create_fhir_app(
    book: SandboxPayerBook,
    *,
    credentials: Mapping[str, str] | None,
    faults: FaultSettings | None = None,
    today: date | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    token_lifetime: int = 3600,
    clock: Callable[[], float] = time.monotonic,
    claim_clock: ClockSettings | None = None,
    network: SandboxNetwork | None = None,
) -> Starlette:
    """A FHIR payer server for ``book``; its control is at ``app.state.sandbox_control``.

    ``claim_clock``: when received claims are adjudicated and paid (``clock`` is the token
    lifetime's); ``network``: the other sandboxes a crossover payer forwards claims to."""
    today = today or book.today
    intake = ClaimIntake(book, today, claim_clock, network)
    book = intake.book
    issuer = (
        TokenIssuer(credentials["client_id"], credentials["client_secret"], token_lifetime, clock)
        if credentials is not None
        else None
    )
    api = Starlette(
        exception_handlers={SearchError: _search_error, 404: _not_found, 405: _not_found}
    )
    api.add_middleware(BearerTokens, issuer=issuer)
    control = install_faults(api, faults, fhir_operation)  # outermost: faults hit even 401s
    control.on_reset(intake.reset)
    control.on_claim_status(intake.set_status)
    control.on_clock(intake)
    payer = FhirPayer(book, intake, today, page_size, control.stats.record_claim)
    for path, handler, method in (
        ("/CoverageEligibilityRequest/$submit", payer.eligibility, "POST"),
        ("/Claim/$submit", payer.submit_claim, "POST"),
        ("/{resource_type}", payer.search, "GET"),
    ):
        busy = busy_aware(handler, book, today, eligibility=handler == payer.eligibility)
        api.router.routes.append(Route(path, busy, methods=[method]))
    token_routes: list[Any] = []
    if issuer is not None:
        token_routes.append(Route("/oauth/token", issuer.endpoint, methods=["POST"]))
    app = Starlette(routes=[*token_routes, Mount("", app=api)])
    app.state.sandbox_control = control
    app.state.intake = intake
    app.state.book = book
    app.state.tokens = issuer
    return app
