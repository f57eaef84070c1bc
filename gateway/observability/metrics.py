"""The gateway's Prometheus metrics, kept in a registry of their own (one per app, so tests and
several apps in one process never collide) and served at ``/metrics``.

Label values are bounded: payer ids and operations come from the config and the contract; GraphQL
operation names come from clients, so only well-formed names are used, at most
:data:`MAX_OPERATION_NAMES` of them, the rest count as ``other``.
"""

from __future__ import annotations

import os
import re
from typing import Generic, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

#: Breaker state as a number, for the ``pgw_payer_breaker_state`` gauge.
BREAKER_STATE_VALUE = {"closed": 0, "half_open": 1, "open": 2}

_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_PAYER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)

Family = TypeVar("Family", Counter, Gauge, Histogram)


class Labelled(Generic[Family]):
    """A metric family whose labelled children are looked up once per label tuple.

    prometheus_client's ``labels()`` checks and converts every value and takes a lock on each call;
    the hot path (several calls per payer call) asks for the same few children again and again.
    The labels are bounded (see the module docstring), so this dict is too.
    """

    def __init__(self, family: Family) -> None:
        self.family: Family = family
        self._children: dict[tuple[str, ...], Family] = {}

    def labels(self, *values: str) -> Family:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.family.labels(*values)
        return child


class GatewayMetrics:
    """Every metric the gateway exports, in one registry."""

    # generate_latest writes the classic text format; every Prometheus version reads 0.0.4.
    content_type = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.graphql_requests = Labelled(
            Counter(
                "pgw_graphql_requests",
                "GraphQL HTTP requests by operation name and outcome",
                ["operation", "outcome"],
                registry=r,
            )
        )
        self.graphql_seconds = Labelled(
            Histogram(
                "pgw_graphql_request_seconds",
                "GraphQL HTTP request latency by operation name",
                ["operation"],
                buckets=_REQUEST_BUCKETS,
                registry=r,
            )
        )
        self.payer_call_seconds = Labelled(
            Histogram(
                "pgw_payer_call_seconds",
                "Latency of one payer call attempt, by payer, operation and outcome (ok or error code)",
                ["payer", "operation", "outcome"],
                buckets=_PAYER_BUCKETS,
                registry=r,
            )
        )
        self.payer_calls = Labelled(
            Counter(
                "pgw_payer_calls",
                "Payer calls (after retries) by payer, operation and outcome",
                ["payer", "operation", "outcome"],
                registry=r,
            )
        )
        self.payer_retries = Labelled(
            Counter(
                "pgw_payer_retries",
                "Retries of idempotent payer reads",
                ["payer", "operation"],
                registry=r,
            )
        )
        self.breaker_state = Labelled(
            Gauge(
                "pgw_payer_breaker_state",
                "Circuit breaker per payer: 0 closed, 1 half-open, 2 open",
                ["payer"],
                registry=r,
            )
        )
        self.cache_lookups = Labelled(
            Counter(
                "pgw_cache_lookups",
                "Payer-call cache lookups by operation and result (hit, miss, stale, bypass)",
                ["operation", "result"],
                registry=r,
            )
        )
        self.cache_errors = Labelled(
            Counter(
                "pgw_cache_errors",
                "Cache operations that failed or timed out (the cache fails open)",
                ["action"],
                registry=r,
            )
        )
        self.response_cache = Labelled(
            Counter(
                "pgw_response_cache",
                "Whole-response cache: hit, miss, stored, skipped, invalidated",
                ["result"],
                registry=r,
            )
        )
        # Every process serves its own /metrics (`serve --workers N`): say which one answered.
        self.process = Gauge(
            "pgw_process_info", "The process these metrics are from", ["pid"], registry=r
        )
        self.process.labels(str(os.getpid())).set(1)
        self._operation_names: set[str] = set()

    def operation_label(self, name: object) -> str:
        """A bounded label for a client-chosen GraphQL operation name."""
        if not isinstance(name, str) or not name:
            return "anonymous"
        if name in self._operation_names:
            return name
        if not _OPERATION_NAME.match(name) or len(self._operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        self._operation_names.add(name)
        return name

    def set_breaker_state(self, payer_id: str, state: str) -> None:
        self.breaker_state.labels(payer_id).set(BREAKER_STATE_VALUE[state])

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
