"""Types shared by every part of the schema."""

from __future__ import annotations

import strawberry

from payers import model
from payers.contract import Capability

CapabilityEnum = strawberry.enum(Capability, name="Capability")
BenefitKindEnum = strawberry.enum(model.BenefitKind, name="BenefitKind")
NetworkEnum = strawberry.enum(model.Network, name="Network")
CoverageLevelEnum = strawberry.enum(model.CoverageLevel, name="CoverageLevel")
ClaimStateEnum = strawberry.enum(model.ClaimState, name="ClaimState")
ClaimStatusFilterEnum = strawberry.enum(model.ClaimStatusFilter, name="ClaimStatusFilter")
SubscriberRelationEnum = strawberry.enum(model.SubscriberRelation, name="SubscriberRelation")


@strawberry.type(name="Code", description="A code from a code set, with its readable description.")
class CodeType:
    system: str = strawberry.field(description="Code set, e.g. carc, service-type, place-of-service.")
    code: str
    description: str


@strawberry.type(description="One problem with the input, at a field path. Returned as data.")
class FieldError:
    code: str = strawberry.field(description="Stable machine-readable code, e.g. REQUIRED.")
    field: list[str] = strawberry.field(description="Path of the input field, e.g. [\"input\", \"birthDate\"].")
    message: str
