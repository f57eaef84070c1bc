"""Metrics (Prometheus), request-scoped log fields and the per-request access log."""

from gateway.observability.metrics import GatewayMetrics

__all__ = ["GatewayMetrics"]
