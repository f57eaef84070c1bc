"""The Starlette application: /graphql (GraphiQL in a browser), /healthz, /readyz."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.config import GatewaySettings
from gateway.graphql.context import GatewayServices, RequestContext
from gateway.graphql.masking import ensure_code
from gateway.graphql.schema import build_schema
from gateway.http.auth import BearerAuth
from gateway.http.limits import BodySizeLimit
from gateway.http.request_id import RequestId
from gateway.payers import PayerDirectory, TransportFactory
from gateway.storage.database import Database
from payers.contract import PayerSettings
from payers.registry import AdapterRegistry, load_payers_config


class GatewayGraphQL(GraphQL):
    """Strawberry's ASGI view with our context: the authenticated principal and the services."""

    def __init__(self, services: GatewayServices) -> None:
        super().__init__(
            build_schema(services.settings),
            graphql_ide="graphiql",
            allow_queries_via_get=False,  # keeps queries (and any PHI in variables) out of URLs and logs
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.services = services

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Errors raised before execution (parsing) never reach the schema extensions.
        for error in result.errors or ():
            ensure_code(error)
        return await super().process_result(request, result)

    async def get_context(self, request: Any, response: Any = None) -> RequestContext:
        state = request.scope.get("state", {})
        return RequestContext(
            services=self.services,
            principal=state.get("principal"),  # None only for the GraphiQL page itself
            request_id=state.get("request_id", "-"),
            request=request,
            response=response,
        )


def build_services(
    settings: GatewaySettings,
    payer_settings: Sequence[PayerSettings] | None = None,
    transport_for: TransportFactory | None = None,
    registry: AdapterRegistry | None = None,
) -> GatewayServices:
    """Everything the app needs; raises RegistryError (naming the payer) when a payer is unusable."""
    if payer_settings is None:
        payer_settings = load_payers_config(settings.payers_config)
    payers = PayerDirectory.build(payer_settings, registry or AdapterRegistry.discover(), transport_for)
    return GatewayServices(settings=settings, database=Database(settings.database_url), payers=payers)


def create_app(services: GatewayServices) -> Starlette:
    settings = services.settings

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            await services.database.ping()
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await services.payers.aclose()
        await services.database.dispose()

    graphql_app = GatewayGraphQL(services)
    protected = BodySizeLimit(BearerAuth(graphql_app, services.database), settings.max_body_bytes)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", protected, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", protected),
        ],
        middleware=[Middleware(RequestId)],
        lifespan=lifespan,
    )
    app.state.services = services
    return app
