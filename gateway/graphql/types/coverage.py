"""A patient's insurance card at one payer, as stored by the practice."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.graphql.permissions import phi
from gateway.graphql.types.common import SubscriberRelationEnum
from gateway.graphql.types.payer import Payer
from gateway.storage import tables
from payers.model import MemberQuery, SubscriberRelation


@strawberry.type(description="The subscriber (card holder) when the patient is a dependent.")
class Subscriber:
    first_name: str | None
    last_name: str | None
    birth_date: date | None


@strawberry.type(description="One insurance card of a patient: priority 1 is primary, 2 secondary.")
class Coverage:
    row: strawberry.Private[tables.Coverage]
    patient: strawberry.Private[tables.Patient]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def payer(self, info: Info) -> Payer:
        configured = info.context.services.payers.get(self.row.payer_id)
        return Payer.of(configured) if configured else Payer.unknown(self.row.payer_id)

    @strawberry.field(extensions=phi())
    def member_id(self) -> str | None:
        return self.row.member_id

    @strawberry.field
    def group_number(self) -> str | None:
        return self.row.group_number

    @strawberry.field
    def plan_name(self) -> str | None:
        return self.row.plan_name

    @strawberry.field
    def relation(self) -> SubscriberRelationEnum:
        return SubscriberRelation(self.row.relation)

    @strawberry.field(description="1 = primary, 2 = secondary, 3 = tertiary.")
    def priority(self) -> int:
        return self.row.priority

    @strawberry.field
    def effective_from(self) -> date | None:
        return self.row.effective_from

    @strawberry.field
    def effective_to(self) -> date | None:
        return self.row.effective_to

    @strawberry.field(extensions=phi())
    def subscriber(self) -> Subscriber | None:
        if self.row.relation == SubscriberRelation.SELF:
            return None
        return Subscriber(
            first_name=self.row.subscriber_first_name,
            last_name=self.row.subscriber_last_name,
            birth_date=self.row.subscriber_birth_date,
        )

    def member_query(self) -> MemberQuery:
        """What the payer matches on: the card's member id and the patient's demographics."""
        return MemberQuery(
            member_id=self.row.member_id,
            first_name=self.patient.first_name,
            last_name=self.patient.last_name,
            birth_date=self.patient.birth_date,
            group_number=self.row.group_number,
            relation=SubscriberRelation(self.row.relation),
        )
