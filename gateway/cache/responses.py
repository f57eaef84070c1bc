"""The whole-response cache: a repeated GraphQL query answered without parsing, validating or running it.

An ASGI layer between authentication and strawberry. The key is the practice, a digest of the caller's
scopes, and a digest of (query, operation name, variables), so one practice's response is never
served to another, nor to a caller with other scopes. A response is stored only when:

- the operation is a query (never a mutation or subscription) and it answered 200 without errors;
- every payer answer in it came from the payer-call cache, fresh and not stale (so a replay is as
  true as the original, ``fromCache`` and ``fetchedAt`` included), and nothing live (health) is in it;
- it expires when the first payer entry it used does (and within ``max_ttl``).

It carries the tags of those payer entries, so invalidating them (claim submission, status refresh,
``fresh: true``) drops it too; a mutation by a practice drops every response of that practice.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import OperationType, get_operation_ast, parse
from graphql.error import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.audit.trail import STATE_KEY as PHI_READS_STATE_KEY
from gateway.cache.keys import practice_responses_tag, response_key
from gateway.cache.recording import start_recording, stop_recording
from gateway.cache.store import CacheStore
from gateway.http.graphql_body import STATE_KEY as GRAPHQL_REQUEST
from gateway.http.graphql_body import GraphQLRequest

log = logging.getLogger(__name__)

#: ``audit(scope, phi_reads)``: gateway.audit.trail.audit_cached_response bound to the database.
ReplayAudit = Callable[[Scope, Any], Awaitable[None]]

HIT_HEADERS = [(b"content-type", b"application/json"), (b"x-response-cache", b"hit")]


@functools.lru_cache(maxsize=512)
def describe_operation(
    query: str, operation_name: str | None
) -> tuple[OperationType | None, str | None]:
    """The kind and name of the operation a request runs ((None, None) when it does not parse)."""
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return None, None
    if operation is None:
        return None, None
    return operation.operation, operation.name.value if operation.name else None


class ResponseCache:
    """ASGI middleware in front of the GraphQL view (after authentication)."""

    def __init__(
        self, app: ASGIApp, store: CacheStore, max_ttl: float, audit: ReplayAudit | None = None
    ) -> None:
        self.app = app
        self.store = store
        self.max_ttl = max_ttl
        self.metrics = store.metrics
        self.audit = audit  # writes the PHI reads a replayed response shows (gateway/audit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        principal = state.get("principal")
        if scope["type"] != "http" or scope["method"] != "POST" or principal is None:
            await self.app(scope, receive, send)
            return
        # Parsed (or refused) once by gateway/http/graphql_body.py; a batch is never cached.
        request = state.get(GRAPHQL_REQUEST)
        if not isinstance(request, GraphQLRequest):
            await self.app(scope, receive, send)
            return
        kind, state["graphql_operation"] = describe_operation(request.query, request.operation_name)
        if self.max_ttl <= 0:
            await self.app(scope, receive, send)
            return
        key = response_key(
            self.store.namespace,
            principal.practice_id,
            principal.scopes,
            request.query,
            request.variables,
            request.operation_name,
        )
        cached = await self.store.get(key)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], bytes):
            body, phi_reads = cached
            if await self._audited(scope, phi_reads):
                state["response_cache"] = "hit"
                self.metrics.response_cache.labels("hit").inc()
                await _send_cached(send, body)
                return
        self.metrics.response_cache.labels("miss").inc()
        await self._run_and_keep(scope, receive, send, key, principal.practice_id, kind)

    async def _audited(self, scope: Scope, phi_reads: Any) -> bool:
        """Record the replayed PHI reads; if that fails the response is not served from the cache
        (running the request then answers AUDIT_UNAVAILABLE, as any unauditable request does)."""
        if self.audit is None:
            return True
        try:
            await self.audit(scope, phi_reads)
        except Exception as exc:
            log.error("audit of a cached response failed", extra={"error_type": type(exc).__name__})
            return False
        return True

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: str,
        practice_id: str,
        kind: OperationType | None,
    ) -> None:
        status = 0
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-response-cache", b"miss"))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        recording, token = start_recording()
        try:
            await self.app(scope, receive, capture)
        finally:
            stop_recording(token)
        namespace = self.store.namespace
        if kind is OperationType.MUTATION and status == 200:
            await self.store.pop_tags([practice_responses_tag(namespace, practice_id)])
            return
        ttl = min(self.max_ttl, recording.fresh_until - time.time())
        if kind is not OperationType.QUERY or status != 200 or not recording.storable or ttl < 1:
            self.metrics.response_cache.labels("skipped").inc()
            return
        tags = [*sorted(recording.tags), practice_responses_tag(namespace, practice_id)]
        # The PHI reads go with the response: a replay is audited like the original (gateway/audit).
        phi_reads = scope.get("state", {}).get(PHI_READS_STATE_KEY, {})
        await self.store.set(key, (b"".join(chunks), phi_reads), ttl)
        await self.store.add_to_tags(tags, key, ttl)
        self.metrics.response_cache.labels("stored").inc()


async def _send_cached(send: Send, body: bytes) -> None:
    headers = [*HIT_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
