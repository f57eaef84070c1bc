"""A small client for Payer Gateway: GraphQL with an API key, history as pandas or polars frames."""

from payer_gateway_client.errors import (
    AuthenticationRefused,
    GatewayError,
    InvalidRequest,
    PayerFailed,
    RateLimited,
    ScopeForbidden,
    TransportFailed,
)
from payer_gateway_client.gateway import Gateway

__all__ = [
    "AuthenticationRefused",
    "Gateway",
    "GatewayError",
    "InvalidRequest",
    "PayerFailed",
    "RateLimited",
    "ScopeForbidden",
    "TransportFailed",
]
