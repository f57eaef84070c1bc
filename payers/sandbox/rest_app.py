"""The JSON REST sandbox payer (Lakeshore Health Plan and Cascade Mutual Insurance speak it).

All ``/v1`` routes need ``Authorization: Bearer <api key>`` when the server has one (else 401).
Bodies are JSON; money is a decimal string, dates are ISO ``YYYY-MM-DD``, codes are X12 code values.
A member is ``{"memberId", "firstName", "lastName", "birthDate", "groupNumber"?, "relationship"?}``.

==========================================  =====================================================
``POST /v1/eligibility``                    ``{"member", "serviceTypes": ["30"], "asOf"?}`` ->
                                            ``{"memberId", "active", "asOf", "plan", "benefits",
                                            "messages"}``
``POST /v1/claims/search``                  ``{"member", "since"?, "status"?: open|closed|all}`` ->
                                            ``{"claims": [...]}`` newest first
``GET  /v1/claims/{claimId}/status``        ``{"status": {...}}`` by the payer's claim id
``GET  /v1/claims/status?controlNumber=``   the same, by the submitter's control number
``GET  /v1/payments?memberId=&since=``      ``{"payments": [...]}`` (all of the provider's, or
                                            one member's claims within each remittance)
``POST /v1/claims``                         submit ``{"controlNumber", "member", "billingProvider":
                                            {"npi", "taxId", "name"}, "renderingProviderNpi"?,
                                            "placeOfService", "frequencyCode"?, "diagnoses",
                                            "lines": [{"procedureCode", "modifiers"?, "units"?,
                                            "charge", "diagnosisPointers", "serviceDate"}],
                                            "totalCharge"}`` -> 201 ``{"accepted", "duplicate",
                                            "controlNumber", "claimId", "status", "rejection"}``;
                                            the same control number again answers 200 with the
                                            same claim id and ``"duplicate": true``
``POST /v1/coverage/discovery``             ``{"firstName", "lastName", "birthDate", "gender"?,
                                            "postalCode"?}`` -> ``{"coverages": [...]}``
==========================================  =====================================================

Errors are ``{"error": {"code", "message", "reasons": [{"codeSet", "code", "followUp"?}]}}``:
401 ``UNAUTHORIZED``; 400 ``INVALID_REQUEST``; 404 ``MEMBER_NOT_FOUND`` (AAA 75) or
``CLAIM_NOT_FOUND`` (277 A4/35); 422 ``DEMOGRAPHICS_MISMATCH`` (AAA 73 name, 71 birth date).
A payer that cannot answer now (the ``busy`` fault) says ``TRY_LATER`` with the AAA reason (42 or
80, follow-up ``R``), ``retryAfterSeconds`` and a ``Retry-After`` header: inside an HTTP 200 for the
real-time inquiries (eligibility, claim status), as HTTP 503 for everything else.
The fault layer and ``/_control/*`` routes come from :mod:`payers.sandbox.faults`.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from payers.codesets import lookup, plain_words
from payers.model import ClaimStatusFilter, Code, Demographics, MemberQuery
from payers.sandbox import rest_json as wire
from payers.sandbox.clock import ClockSettings
from payers.sandbox.crossover import SandboxNetwork
from payers.sandbox.faults import FaultSettings, busy_reason, install_faults
from payers.sandbox.intake import ClaimIntake
from payers.sandbox.world import MemberMismatch, SandboxMember, SandboxPayerBook

_CODE_SETS = {
    "aaa-reject-reason": "AAA",
    "claim-status-category": "CLAIM_STATUS_CATEGORY",
    "claim-status": "CLAIM_STATUS",
}
_FOLLOW_UP = {"73": "C", "71": "C", "75": "C", "42": "R", "80": "R"}
RETRY_AFTER_SECONDS = 30
#: Operations whose "busy" answer is an HTTP 200 carrying the error, as real-time inquiries do.
_REAL_TIME = frozenset({"eligibility", "claim_status"})
Handler = Callable[[Request], Awaitable[Response]]

_OPERATIONS = (
    ("POST", re.compile(r"^/v1/eligibility$"), "eligibility"),
    ("POST", re.compile(r"^/v1/claims/search$"), "claim_search"),
    ("GET", re.compile(r"^/v1/claims/status$"), "claim_status"),
    ("GET", re.compile(r"^/v1/claims/[^/]+/status$"), "claim_status"),
    ("GET", re.compile(r"^/v1/payments$"), "payments"),
    ("POST", re.compile(r"^/v1/claims$"), "claim_submission"),
    ("POST", re.compile(r"^/v1/coverage/discovery$"), "coverage_discovery"),
)


def rest_operation(scope: Scope) -> str | None:
    """The contract operation a request is, for stats and per-operation faults."""
    for method, pattern, operation in _OPERATIONS:
        if scope.get("method") == method and pattern.match(scope.get("path", "")):
            return operation
    return f"{scope.get('method')} {scope.get('path')}"


def error(
    status: int,
    code: str,
    message: str,
    reasons: tuple[Code, ...] = (),
    retry_after: int | None = None,
) -> JSONResponse:
    """A payer error body (``retry_after``: seconds, also sent as ``Retry-After``)."""
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "reasons": [
            {
                "codeSet": _CODE_SETS.get(r.system, r.system),
                "code": r.code,
                "description": r.description,
                "followUp": _FOLLOW_UP.get(r.code),
            }
            for r in reasons
        ],
    }
    if retry_after is not None:
        body["retryAfterSeconds"] = retry_after
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def try_later(reason: str, operation: str) -> JSONResponse:
    """The payer's "cannot answer now" for one operation, with the AAA reason it gives."""
    code = lookup("aaa-reject-reason", reason)
    status = 200 if operation in _REAL_TIME else 503
    message = plain_words(code) or code.description
    return error(status, "TRY_LATER", message, (code,), retry_after=RETRY_AFTER_SECONDS)


def busy_aware(handler: Handler, operation: str) -> Handler:
    """``handler``, answering ``TRY_LATER`` instead while the fault layer says the payer is busy."""

    async def route(request: Request) -> Response:
        reason = busy_reason(request.scope)
        if reason is not None:
            return try_later(reason, operation)
        return await handler(request)

    return route


class BearerAuth:
    """Refuses ``/v1`` requests without the server's API key."""

    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self.expected = f"Bearer {api_key}".encode() if api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.expected is not None
            and scope["type"] == "http"
            and scope["path"].startswith("/v1")
        ):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = error(401, "UNAUTHORIZED", "missing or invalid API key")
                response.headers["WWW-Authenticate"] = 'Bearer realm="sandbox-payer"'
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _RestPayer:
    """Route handlers over one book and its intake."""

    def __init__(
        self, book: SandboxPayerBook, intake: ClaimIntake, record_claim: Callable[[str], None]
    ) -> None:
        self.book = book
        self.intake = intake
        self.record_claim = record_claim

    async def _body(self, request: Request) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError as exc:
            raise wire.BadRequest("the body is not JSON") from exc

    def _member(self, query: MemberQuery) -> SandboxMember:
        return self.book.verify_member(
            query.member_id, query.first_name, query.last_name, query.birth_date
        )

    async def eligibility(self, request: Request) -> Response:
        body = await self._body(request)
        member = self._member(wire.parse_member(wire.field(body, "member", dict)))
        service_types = wire.field(body, "serviceTypes", list, required=False) or ["30"]
        as_of = wire.parse_date(body, "asOf", required=False) or self.book.today
        result = self.book.eligibility(member, service_types, as_of)
        return JSONResponse(wire.eligibility_json(result))

    async def claim_search(self, request: Request) -> Response:
        body = await self._body(request)
        member = self._member(wire.parse_member(wire.field(body, "member", dict)))
        since = wire.parse_date(body, "since", required=False)
        try:
            status = ClaimStatusFilter(
                (wire.field(body, "status", required=False) or "all").lower()
            )
        except ValueError as exc:
            raise wire.BadRequest("status must be open, closed or all") from exc
        claims = self.intake.claims_of(member.member_id, since, status)
        return JSONResponse({"claims": [wire.claim_json(c) for c in claims]})

    async def claim_status(self, request: Request) -> Response:
        claim_id = request.path_params.get("claim_id")
        control_number = request.query_params.get("controlNumber")
        if not claim_id and not control_number:
            raise wire.BadRequest("controlNumber is required")
        claim = self.intake.find_claim(claim_id, control_number)
        if claim is None:
            return error(
                404,
                "CLAIM_NOT_FOUND",
                "no such claim",
                (lookup("claim-status-category", "A4"), lookup("claim-status", "35")),
            )
        return JSONResponse({"status": wire.status_json(claim.status)})

    async def payments(self, request: Request) -> Response:
        member_id = request.query_params.get("memberId")
        since = wire.parse_date(dict(request.query_params), "since", required=False)
        if member_id is not None and member_id.strip().upper() not in self.book.members:
            raise MemberMismatch(f"no member {member_id!r}", (), not_found=True)
        payments = self.intake.payments_for(member_id and member_id.strip().upper(), since)
        return JSONResponse({"payments": [wire.payment_json(p) for p in payments]})

    async def submit_claim(self, request: Request) -> Response:
        control_number, claim = wire.parse_submission(await self._body(request))
        self.record_claim(control_number)
        ack = self.intake.receive(claim, control_number)
        status = 201 if ack.accepted and not ack.duplicate else 200
        return JSONResponse(wire.ack_json(ack), status_code=status)

    async def discover_coverage(self, request: Request) -> Response:
        body = await self._body(request)
        who = Demographics(
            first_name=wire.field(body, "firstName"),
            last_name=wire.field(body, "lastName"),
            birth_date=wire.parse_date(body, "birthDate"),  # type: ignore[arg-type]
            gender=wire.field(body, "gender", required=False),
            postal_code=wire.field(body, "postalCode", required=False),
        )
        found = self.book.discover(who)
        return JSONResponse({"coverages": [wire.coverage_json(c) for c in found]})


async def _bad_request(request: Request, exc: Exception) -> Response:
    return error(400, "INVALID_REQUEST", str(exc))


async def _member_mismatch(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MemberMismatch)
    if exc.not_found:
        return error(
            404,
            "MEMBER_NOT_FOUND",
            exc.message,
            exc.reasons or (lookup("aaa-reject-reason", "75"),),
        )
    return error(422, "DEMOGRAPHICS_MISMATCH", exc.message, exc.reasons)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error(
        exc.status_code, "NOT_FOUND" if exc.status_code == 404 else "HTTP_ERROR", exc.detail
    )


def create_rest_app(
    book: SandboxPayerBook,
    *,
    api_key: str | None,
    faults: FaultSettings | None = None,
    today: date | None = None,
    clock: ClockSettings | None = None,
    network: SandboxNetwork | None = None,
) -> Starlette:
    """A REST payer server for ``book``; its control is at ``app.state.sandbox_control``.

    ``clock``: when received claims are adjudicated and paid; ``network``: the other sandboxes a
    crossover payer forwards claims to."""
    intake = ClaimIntake(book, today, clock, network)
    book = intake.book
    app = Starlette(
        exception_handlers={
            wire.BadRequest: _bad_request,
            MemberMismatch: _member_mismatch,
            HTTPException: _http_error,
        }
    )
    app.add_middleware(BearerAuth, api_key=api_key)
    control = install_faults(app, faults, rest_operation)  # outermost: faults hit even 401s
    payer = _RestPayer(book, intake, lambda cn: control.stats.record_claim(cn))
    control.on_reset(intake.reset)
    control.on_claim_status(intake.set_status)
    control.on_clock(intake)
    for path, handler, method, operation in (
        ("/v1/eligibility", payer.eligibility, "POST", "eligibility"),
        ("/v1/claims/search", payer.claim_search, "POST", "claim_search"),
        ("/v1/claims/status", payer.claim_status, "GET", "claim_status"),
        ("/v1/claims/{claim_id}/status", payer.claim_status, "GET", "claim_status"),
        ("/v1/payments", payer.payments, "GET", "payments"),
        ("/v1/claims", payer.submit_claim, "POST", "claim_submission"),
        ("/v1/coverage/discovery", payer.discover_coverage, "POST", "coverage_discovery"),
    ):
        app.router.routes.append(Route(path, busy_aware(handler, operation), methods=[method]))
    app.state.intake = intake
    app.state.book = book
    return app
