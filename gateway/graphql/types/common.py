"""Types shared by every part of the schema."""

from __future__ import annotations

import strawberry

from payers import model
from payers.contract import Capability

# The model's enums are the schema's enums: strawberry.enum registers each class in place, and the
# aliases below let annotations name them as types (type checkers accept an alias, not a call result).
for _enum in (
    Capability,
    model.BenefitKind,
    model.Network,
    model.CoverageLevel,
    model.ClaimState,
    model.ClaimStatusFilter,
    model.SubscriberRelation,
):
    strawberry.enum(_enum)

CapabilityEnum = Capability
BenefitKindEnum = model.BenefitKind
NetworkEnum = model.Network
CoverageLevelEnum = model.CoverageLevel
ClaimStateEnum = model.ClaimState
ClaimStatusFilterEnum = model.ClaimStatusFilter
SubscriberRelationEnum = model.SubscriberRelation


@strawberry.type(name="Code", description="A code from a code set, with its readable description.")
class CodeType:
    system: str = strawberry.field(
        description="Code set, e.g. carc, service-type, place-of-service."
    )
    code: str
    description: str


@strawberry.type(description="One problem with the input, at a field path. Returned as data.")
class FieldError:
    code: str = strawberry.field(description="Stable machine-readable code, e.g. REQUIRED.")
    field: list[str] = strawberry.field(
        description='Path of the input field, e.g. ["input", "birthDate"].'
    )
    message: str
