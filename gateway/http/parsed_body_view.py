"""Strawberry's ASGI view reading the body :mod:`gateway.http.graphql_body` parsed, answering JSON refusals.

Without this, strawberry would parse the body a second time with plain ``json.loads`` (where a
100,000-digit number or deep nesting escape as exceptions) and answer its own refusals (GET queries,
a batch when batching is off) as ``text/plain``.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException, StarletteRequestAdapter
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from gateway.http.errors import ErrorResponse, code_for_status
from gateway.http.graphql_body import STATE_KEY, GraphQLRequest
from gateway.http.strict_json import BodyRefused, loads


class _ParsedRequestAdapter(StarletteRequestAdapter):
    """Starlette's request adapter, carrying what GraphQLBody parsed (None for a GET)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.parsed: GraphQLRequest | list[GraphQLRequest] | None = request.scope.get(
            "state", {}
        ).get(STATE_KEY)


class ParsedBodyView(GraphQL):  # type: ignore[type-arg]
    request_adapter_class = _ParsedRequestAdapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = ErrorResponse(exc.status_code, code_for_status(exc.status_code), exc.reason)
        except BodyRefused as refused:  # a GET's variables (strawberry reads them with decode_json)
            response = ErrorResponse(400, refused.code, refused.message)
        await response(scope, receive, send)

    async def parse_http_body(self, request: Any) -> Any:
        parsed = getattr(request, "parsed", None)
        if parsed is None:
            return await super().parse_http_body(request)
        if isinstance(parsed, list):
            self._validate_batch_request(parsed, protocol="http")  # type: ignore[arg-type]
            return [_request_data(item) for item in parsed]
        return _request_data(parsed)

    def decode_json(self, data: str | bytes) -> object:
        return loads(data)


def _request_data(request: GraphQLRequest) -> GraphQLRequestData:
    return GraphQLRequestData(
        query=request.query,
        variables=request.variables,
        operation_name=request.operation_name,
        extensions=request.extensions,
    )
