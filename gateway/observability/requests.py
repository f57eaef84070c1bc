"""Per-request measurement of the GraphQL endpoint: count and latency by operation, one access log line.

The log line carries the request id, the practice id, the operation name, status, duration and
whether the response cache answered: identifiers and numbers, never variables or response data.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability.context import request_id_var
from gateway.observability.metrics import GatewayMetrics

access_log = logging.getLogger("gateway.access")


class GraphQLRequestMetrics:
    """ASGI middleware around the GraphQL route (outside authentication, so 401s are counted too)."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        token = request_id_var.set(state.get("request_id", "-"))
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            elapsed = time.perf_counter() - started
            self._record(state, status, elapsed)
            request_id_var.reset(token)

    def _record(self, state: dict, status: int, elapsed: float) -> None:  # type: ignore[type-arg]
        operation = self.metrics.operation_label(state.get("graphql_operation"))
        cache = state.get("response_cache", "miss")
        if status == 200:
            outcome = "cached" if cache == "hit" else "ok"
        else:
            outcome = f"http_{status}"
        self.metrics.graphql_requests.labels(operation, outcome).inc()
        self.metrics.graphql_seconds.labels(operation).observe(elapsed)
        principal = state.get("principal")
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "graphql request",
                extra={
                    "operation": operation,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "response_cache": cache,
                    "practice_id": getattr(principal, "practice_id", None),
                },
            )
