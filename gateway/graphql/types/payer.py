"""A configured payer as callers see it, with its live health."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.cache.recording import refuse_response_cache
from gateway.graphql.types.common import CapabilityEnum
from gateway.payers import ConfiguredPayer
from gateway.resilience.breaker import BreakerState
from gateway.resilience.health import HealthStatus, PayerHealth

PayerHealthStatus = strawberry.enum(
    HealthStatus,
    name="PayerHealthStatus",
    description="UP: answering. DEGRADED: its last call failed or its breaker is probing. "
    "DOWN: its breaker is open and calls are refused at once.",
)
CircuitBreakerState = strawberry.enum(
    BreakerState,
    name="CircuitBreakerState",
    description="CLOSED: calls go through. OPEN: refused at once after repeated failures. "
    "HALF_OPEN: one probe call decides whether it closes again.",
)


@strawberry.type(description="How the payer has been answering this gateway.")
class PayerHealthInfo:
    status: PayerHealthStatus  # type: ignore[valid-type]
    breaker: CircuitBreakerState  # type: ignore[valid-type]
    latency_p50: float | None = strawberry.field(
        description="Median milliseconds of the payer's recent answers; null before the first."
    )
    last_error: str | None = strawberry.field(
        description="Code of the payer's last failure (PAYER_UNAVAILABLE, PAYER_TIMEOUT, ...)."
    )
    last_error_at: datetime | None
    last_good_answer_at: datetime | None = strawberry.field(
        description="When the payer last answered (a member-not-found answer counts: the payer "
        "is working); null if it has not answered since this gateway started."
    )

    @classmethod
    def of(cls, health: PayerHealth) -> PayerHealthInfo:
        p50 = health.latency_p50
        error = health.last_error
        return cls(
            status=health.status,
            breaker=health.breaker.state,
            latency_p50=None if p50 is None else round(p50 * 1000, 1),
            last_error=error.code if error else None,
            last_error_at=error.at if error else None,
            last_good_answer_at=health.last_answer_at,
        )


@strawberry.type(description="A health-insurance payer the gateway is connected to.")
class Payer:
    id: strawberry.ID
    name: str
    protocol: str = strawberry.field(description="Wire protocol: rest, fhir, x12, ...")
    capabilities: list[CapabilityEnum]

    @strawberry.field(
        description="Live health: breaker, recent latency, last failure. Null if unconfigured."
    )
    def health(self, info: Info) -> PayerHealthInfo | None:
        refuse_response_cache()  # live state: a response showing it is never replayed
        health = info.context.services.payers.health_of(str(self.id))
        return None if health is None else PayerHealthInfo.of(health)

    @classmethod
    def of(cls, payer: ConfiguredPayer) -> Payer:
        return cls(
            id=strawberry.ID(payer.id),
            name=payer.settings.name,
            protocol=payer.protocol,
            capabilities=sorted(payer.capabilities),
        )

    @classmethod
    def unknown(cls, payer_id: str) -> Payer:
        """A payer a coverage names but the gateway no longer has configured."""
        return cls(
            id=strawberry.ID(payer_id), name=payer_id, protocol="unconfigured", capabilities=[]
        )
