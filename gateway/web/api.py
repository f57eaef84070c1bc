"""The portal as a client of the gateway's own API: named operations over the /graphql ASGI stack.

Every read and write of a page goes through here, with the signed-in user's access token, into the
same ASGI app that serves ``POST /graphql`` (authentication, rate limits, response cache, the schema
and its permissions, audit). The browser's address is passed on as the request's client, so rate
limits and the audit trail see the person, not the portal; the request id is passed on too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.types import ASGIApp

from gateway.http.request_id import RequestId
from gateway.web.operations import operation

#: Codes that mean the payer, not the request, is the problem (the badge says "not answering").
PAYER_DOWN_CODES = frozenset({"PAYER_UNAVAILABLE", "PAYER_TIMEOUT", "PAYER_PROTOCOL_ERROR"})


class SessionEnded(Exception):
    """The API no longer accepts the session's tokens: the person has to sign in again."""


class Throttled(Exception):
    """The API refused the call for the caller's rate limit: the page says so, never "not found"."""

    def __init__(self, retry_after: str) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ApiError:
    code: str
    message: str
    path: tuple[str | int, ...] = ()
    payer: str | None = None


@dataclass
class ApiResult:
    """``data`` (fields the API could not answer are None) and the errors, each with its code."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: list[ApiError] = field(default_factory=list)

    def errors_under(self, *path: str | int) -> list[ApiError]:
        """Errors at ``path`` or below it."""
        return [e for e in self.errors if e.path[: len(path)] == path]

    @property
    def codes(self) -> set[str]:
        return {e.code for e in self.errors}


class PortalApi:
    """Runs the portal's named operations against the gateway's GraphQL ASGI app."""

    def __init__(self, graphql_app: ASGIApp, export_app: ASGIApp | None = None) -> None:
        self.app = RequestId(graphql_app)
        # GET /exports/history behind its BearerAuth (None: this portal offers no export); called
        # through gateway/web/download.py, which streams its answer.
        self.export_app = RequestId(export_app) if export_app is not None else None

    async def run(
        self,
        request: Request,
        name: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> ApiResult:
        """Run operation ``name``; raises :class:`SessionEnded` when the API refuses ``token`` and
        :class:`Throttled` when it refuses the caller's rate."""
        client = request.scope.get("client") or ("unknown", 0)
        transport = httpx.ASGITransport(app=self.app, client=(str(client[0]), int(client[1])))
        headers = {"X-Request-ID": str(request.scope.get("state", {}).get("request_id", ""))}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = {"query": operation(name), "operationName": name, "variables": variables or {}}
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.portal") as http:
            response = await http.post("/graphql", json=body, headers=headers)
        if response.status_code == 401 and token:
            raise SessionEnded
        if response.status_code == 429:
            raise Throttled(response.headers.get("Retry-After", "60"))
        return _result(response)


def _result(response: httpx.Response) -> ApiResult:
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    errors = [
        ApiError(
            code=str((e.get("extensions") or {}).get("code", "GATEWAY_ERROR")),
            message=str(e.get("message", "")),
            path=tuple(e.get("path") or ()),
            payer=(e.get("extensions") or {}).get("payer"),
        )
        for e in payload.get("errors") or ()
        if isinstance(e, dict)
    ]
    if response.status_code != 200 and not errors:
        errors.append(ApiError("GATEWAY_ERROR", f"The gateway answered {response.status_code}."))
    return ApiResult(data=payload.get("data") or {}, errors=errors)
