"""The one place a GraphQL request body is read and parsed, for every layer that needs it.

:class:`GraphQLBody` sits right inside the body size limit. For a POST it reads the body once,
parses it with :mod:`gateway.http.strict_json`, checks it is a GraphQL request (an object with a
``query`` string, ``variables`` an object...) and leaves the result in
``scope["state"]["graphql_request"]``; everything after it (rate limits, the response cache,
strawberry's view) reads it from there instead of parsing the body again. Anything else is refused
here with 400, ``extensions.code`` and the request id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.errors import ErrorResponse
from gateway.http.strict_json import BodyRefused, loads

#: Where the parsed request waits in ``scope["state"]``.
STATE_KEY = "graphql_request"

UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
BAD_REQUEST_BODY = "BAD_REQUEST_BODY"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One operation as the caller sent it (the GraphQL-over-HTTP request parameters)."""

    query: str
    variables: dict[str, Any]
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None


def parse_graphql_request(
    body: bytes, content_type: str | None, max_operations: int = 0
) -> GraphQLRequest | list[GraphQLRequest]:
    """The request(s) in a POST body, or :class:`BodyRefused`; a list only when batching is on."""
    media_type, _, parameters = (content_type or "").partition(";")
    if media_type.strip().lower() != "application/json":
        raise BodyRefused(
            UNSUPPORTED_MEDIA_TYPE,
            "Send the request as JSON with 'Content-Type: application/json'.",
        )
    charset = parameters.strip().lower().removeprefix("charset=").strip('"')
    if parameters.strip() and charset not in {"utf-8", "utf8"}:
        raise BodyRefused(UNSUPPORTED_MEDIA_TYPE, "The request body must be UTF-8 JSON.")
    if not body.strip():
        raise BodyRefused(BAD_REQUEST_BODY, _WANTED.format(found="an empty body"))
    payload = loads(body)
    if isinstance(payload, list):
        if max_operations <= 0:
            raise BodyRefused(
                BAD_REQUEST_BODY, "Batching is off: send one operation as a JSON object."
            )
        if not 0 < len(payload) <= max_operations:
            raise BodyRefused(BAD_REQUEST_BODY, f"A batch holds 1 to {max_operations} operations.")
        return [_operation(item) for item in payload]
    return _operation(payload)


_WANTED = 'Send a JSON object like {{"query": "...", "variables": {{...}}}}, not {found}.'
_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_KINDS.get(type(value), "a number")


def _operation(payload: Any) -> GraphQLRequest:
    if not isinstance(payload, dict):
        raise BodyRefused(BAD_REQUEST_BODY, _WANTED.format(found=_kind(payload)))
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        found = "no query" if query is None else f"a query that is {_kind(query)}"
        raise BodyRefused(
            BAD_REQUEST_BODY, f"'query' must be a GraphQL document (a string); found {found}."
        )
    fields = {name: payload.get(name) for name in ("variables", "operationName", "extensions")}
    for name, wanted in (("variables", dict), ("operationName", str), ("extensions", dict)):
        if fields[name] is not None and not isinstance(fields[name], wanted):
            what = "an object" if wanted is dict else "a string"
            raise BodyRefused(
                BAD_REQUEST_BODY, f"'{name}' must be {what} or null, not {_kind(fields[name])}."
            )
    return GraphQLRequest(
        query=query,
        variables=fields["variables"] or {},
        operation_name=fields["operationName"],
        extensions=fields["extensions"],
    )


class GraphQLBody:
    """ASGI middleware: parse a POST's GraphQL body once, or refuse it with 400."""

    def __init__(self, app: ASGIApp, max_operations: int = 0) -> None:
        self.app = app
        self.max_operations = max_operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        try:
            parsed = parse_graphql_request(body, content_type, self.max_operations)
        except BodyRefused as refused:
            await ErrorResponse(400, refused.code, refused.message)(scope, receive, send)
            return
        scope.setdefault("state", {})[STATE_KEY] = parsed
        await self.app(scope, replaying(body, receive), send)


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the already-read body over once, then the client's further messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
