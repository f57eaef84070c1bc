"""Types shared by every part of the schema."""

from __future__ import annotations

import strawberry

from gateway.graphql.scalars import Money
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
    model.FindingSeverity,
    model.StatusLevel,
):
    strawberry.enum(_enum)

CapabilityEnum = Capability
BenefitKindEnum = model.BenefitKind
NetworkEnum = model.Network
CoverageLevelEnum = model.CoverageLevel
ClaimStateEnum = model.ClaimState
ClaimStatusFilterEnum = model.ClaimStatusFilter
SubscriberRelationEnum = model.SubscriberRelation
FindingSeverityEnum = model.FindingSeverity
StatusLevelEnum = model.StatusLevel


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


@strawberry.type(
    name="Finding",
    description="Something the gateway noticed in a payer's answer and reported rather than fixed "
    "or refused: a layout quirk, a part it could not read, numbers that do not balance.",
)
class FindingType:
    code: str = strawberry.field(
        description="Stable machine-readable code, e.g. 835_CLAIM_UNBALANCED."
    )
    message: str = strawberry.field(description="What is wrong, in one line.")
    severity: FindingSeverityEnum = strawberry.field(  # type: ignore[valid-type]
        description="WARNING: the answer is whole as read. ERROR: a part could not be read."
    )
    location: str | None = strawberry.field(description="Where: a segment, loop or resource path.")
    segment: int | None = strawberry.field(
        description="1-based position of the segment in its transaction set, for X12."
    )
    expected: Money | None = strawberry.field(
        description="For a balancing finding: the amount the other figures add up to."
    )
    actual: Money | None = strawberry.field(
        description="For a balancing finding: the amount stated."
    )
    codes: list[CodeType] = strawberry.field(
        default_factory=list,
        description="The codes the finding reports, each in its code system (a 271 AAA: "
        "aaa-valid-request, aaa-reject-reason, aaa-follow-up).",
    )
