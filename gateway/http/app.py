"""The Starlette application: /graphql (and GraphiQL when turned on), /healthz, /readyz, /metrics,
and the portal (gateway/web/) at every other path."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from gateway.audit.trail import audit_cached_response
from gateway.auth.secrets import with_ephemeral_secrets
from gateway.cache import open_payer_cache
from gateway.cache.recording import refuse_response_cache
from gateway.cache.responses import ResponseCache
from gateway.claims.services import build_claim_services
from gateway.config import GatewaySettings
from gateway.exports.endpoint import HistoryExportEndpoint
from gateway.graphql.context import GatewayServices, RequestContext
from gateway.graphql.masking import ensure_code
from gateway.graphql.schema import build_schema
from gateway.http.auth import BearerAuth
from gateway.http.connection_auth import AuthenticatedTransportWS
from gateway.http.cors import GatewayCors, allowed_origins
from gateway.http.error_boundary import ErrorBoundary, http_error
from gateway.http.graphiql import ASSETS_PATH, graphiql_assets, graphiql_page, graphiql_response
from gateway.http.graphql_body import GraphQLBody
from gateway.http.json_body import encode_answer
from gateway.http.limits import BodySizeLimit
from gateway.http.parsed_body_view import ParsedBodyView
from gateway.http.rate_limit import RateLimit, RateLimiter, limiter_for
from gateway.http.request_id import RequestId
from gateway.http.security_headers import SecurityHeaders
from gateway.jobs.services import build_batch_services
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.requests import GraphQLRequestMetrics
from gateway.payers import PayerDirectory, Resilience, TransportFactory
from gateway.resilience.retry import RetryPolicy
from gateway.resilience.shared_breakers import shared_breakers_for
from gateway.storage.database import Database
from gateway.web import create_portal
from payers.contract import PayerSettings
from payers.registry import AdapterRegistry, load_payers_config


class GatewayGraphQL(ParsedBodyView):
    """Strawberry's ASGI view with our context: the authenticated principal and the services."""

    max_subscriptions_per_connection = 10  # claimStatusChanged: a client needs a few, not thousands
    graphql_transport_ws_handler_class = AuthenticatedTransportWS  # type: ignore[assignment]  # refuses anonymous connections

    def __init__(self, services: GatewayServices, limiter: RateLimiter) -> None:
        super().__init__(
            build_schema(services.settings),
            graphql_ide="graphiql",
            allow_queries_via_get=False,  # keeps queries (and any PHI in variables) out of URLs and logs
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services
        self.limiter = limiter

    async def render_graphql_ide(self, request: Any) -> Response:
        # Our own page and vendored assets, not strawberry's (which loads them from a CDN).
        return graphiql_response(self.services.settings.graphiql)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        # strawberry's, encoded with orjson. Only HTTP answers: the WebSocket sends text frames,
        # which its encode_json (a str) keeps.
        response = Response(encode_answer(response_data), media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Errors raised before execution (parsing) never reach the schema extensions.
        for error in result.errors or ():
            ensure_code(error)
        if result.errors:
            refuse_response_cache()
        return await super().process_result(request, result)

    async def get_context(self, request: Any, response: Any = None) -> RequestContext:  # type: ignore[override]
        state = request.scope.get("state", {})
        return RequestContext(
            services=self.services,
            principal=state.get("principal"),  # None for anonymous callers (login, registration)
            request_id=state.get("request_id", "-"),
            request=request,
            response=response,
            limiter=self.limiter,
        )


def build_services(
    settings: GatewaySettings,
    payer_settings: Sequence[PayerSettings] | None = None,
    transport_for: TransportFactory | None = None,
    registry: AdapterRegistry | None = None,
) -> GatewayServices:
    """Everything the app needs; raises RegistryError (naming the payer) when a payer is unusable."""
    settings = with_ephemeral_secrets(settings)  # `serve` refuses to start without real ones
    if payer_settings is None:
        payer_settings = load_payers_config(settings.payers_config)
    metrics = GatewayMetrics()
    registry = registry or AdapterRegistry.discover()
    payers = PayerDirectory.build(
        payer_settings,
        registry,
        transport_for,
        cache=open_payer_cache(settings, metrics, payer_settings),
        metrics=metrics,
        resilience=Resilience(
            failure_threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
            retry=RetryPolicy(
                attempts=settings.retry_attempts,
                base_delay=settings.retry_base_delay_ms / 1000,
                max_delay=settings.retry_max_delay_ms / 1000,
            ),
        ),
    )
    database = Database(settings.database_url)
    claims = build_claim_services(settings, database, payers)
    batches = build_batch_services(settings, database, payer_settings, registry, transport_for)
    return GatewayServices(
        settings=settings, database=database, payers=payers, claims=claims, batches=batches
    )


class GatewayApp(Starlette):
    """Starlette whose every response, even the last-resort 500, carries the security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(services: GatewayServices) -> Starlette:
    settings = services.settings
    origins = allowed_origins(settings.cors_origins)  # CorsSettingError before anything starts

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        """Ready when the database and the cache both answer (each within a couple of seconds)."""
        database, cache = await asyncio.gather(
            _reachable(services.database.ping()), _reachable(services.payers.cache.store.ping())
        )
        body = {
            "database": "ok" if database else "unreachable",
            "cache": "ok" if cache else "unreachable",
        }
        if database and cache:
            return JSONResponse({"status": "ready", **body})
        return JSONResponse({"status": "unavailable", **body}, status_code=503)

    async def metrics(_: Request) -> Response:
        exported = services.payers.metrics
        return Response(exported.exposition(), media_type=exported.content_type)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # An exit stack: everything opened is closed, in reverse order, even when start-up or the
        # body fails part way (an unclosed Redis or database connection would outlive the loop).
        async with contextlib.AsyncExitStack() as opened:
            opened.push_async_callback(limiter.aclose)
            opened.push_async_callback(services.database.dispose)
            opened.push_async_callback(services.payers.aclose)
            if services.claims is not None:
                opened.push_async_callback(services.claims.close)
                await services.claims.start(loops=services.claims.settings.run_in_gateway)
            if services.batches is not None:
                opened.push_async_callback(services.batches.close)
                await services.batches.start(loops=services.batches.settings.run_in_gateway)
            shared = shared_breakers_for(
                settings.cache_url, settings.cache_namespace, services.payers.health.breakers()
            )
            if shared is not None:  # other processes on this Redis see our openings, we theirs
                await opened.enter_async_context(shared.running())
            yield

    limiter = limiter_for(settings)
    graphql_app = GatewayGraphQL(services, limiter)
    cached = ResponseCache(
        graphql_app,
        services.payers.cache.store,
        settings.response_cache_ttl,
        audit=functools.partial(audit_cached_response, services.database),
    )
    protected = GraphQLRequestMetrics(
        BodySizeLimit(
            GraphQLBody(
                BearerAuth(RateLimit(cached, limiter, settings), services.database, settings),
                settings.max_batch_operations,
            ),
            settings.max_body_bytes,
        ),
        services.payers.metrics,
    )
    # One endpoint for API callers and the portal's Export screen: its limit on exports running at
    # once per practice holds across both.
    exports = BearerAuth(HistoryExportEndpoint(services, limiter), services.database, settings)
    assets = []
    if settings.graphiql:
        graphiql_page()  # a broken vendored folder stops start-up, not the first page load
        assets.append(Mount(ASSETS_PATH, graphiql_assets()))
    app = GatewayApp(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/graphql", protected, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", protected),
            Route("/exports/history", exports),
            *assets,
            # Last: the portal answers every other path (its pages call `protected` like any client).
            Mount("/", create_portal(settings, services.payers.cache.store, protected, exports)),
        ],
        # ErrorBoundary outermost (inside the security headers): whatever escapes, RequestId and
        # CORS included, is answered as JSON.
        middleware=[
            Middleware(ErrorBoundary),
            Middleware(RequestId),
            Middleware(GatewayCors, origins=origins),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.services = services
    return app


async def _reachable(check: Awaitable[None], seconds: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await check
    except Exception:
        return False
    return True
