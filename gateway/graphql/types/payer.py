"""A configured payer as callers see it."""

from __future__ import annotations

import strawberry

from gateway.graphql.types.common import CapabilityEnum
from gateway.payers import ConfiguredPayer


@strawberry.type(description="A health-insurance payer the gateway is connected to.")
class Payer:
    id: strawberry.ID
    name: str
    protocol: str = strawberry.field(description="Wire protocol: rest, fhir, x12, ...")
    capabilities: list[CapabilityEnum]

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
        return cls(id=strawberry.ID(payer_id), name=payer_id, protocol="unconfigured", capabilities=[])
