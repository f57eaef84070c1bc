"""A patient's insurance card at one payer, as stored by the practice."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.estimates.service import member_of
from gateway.graphql.permissions import phi
from gateway.graphql.types.common import SubscriberRelationEnum
from gateway.graphql.types.payer import Payer
from gateway.payers import PayerDirectory
from gateway.storage import tables
from payers.model import MemberQuery, SubscriberRelation


@strawberry.type(description="The subscriber (card holder) when the patient is a dependent.")
class Subscriber:
    first_name: str | None
    last_name: str | None
    birth_date: date | None


@strawberry.type(description="One insurance card of a patient: priority 1 is primary, 2 secondary.")
class Coverage:
    """Plain fields filled in once by :meth:`of`: a resolver method per leaf costs far more to run."""

    row: strawberry.Private[tables.Coverage]
    patient: strawberry.Private[tables.Patient]
    id: strawberry.ID
    payer: Payer
    member_id: str | None = strawberry.field(extensions=phi())
    group_number: str | None
    plan_name: str | None
    relation: SubscriberRelationEnum  # type: ignore[valid-type]
    priority: int = strawberry.field(description="1 = primary, 2 = secondary, 3 = tertiary.")
    effective_from: date | None
    effective_to: date | None
    subscriber: Subscriber | None = strawberry.field(extensions=phi())
    member: strawberry.Private[MemberQuery]

    @classmethod
    def of(cls, row: tables.Coverage, patient: tables.Patient, payers: PayerDirectory) -> Coverage:
        configured = payers.get(row.payer_id)
        return cls(
            row=row,
            patient=patient,
            id=strawberry.ID(row.id),
            payer=Payer.of(configured) if configured else Payer.unknown(row.payer_id),
            member_id=row.member_id,
            group_number=row.group_number,
            plan_name=row.plan_name,
            relation=SubscriberRelation(row.relation),
            priority=row.priority,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            subscriber=None
            if row.relation == SubscriberRelation.SELF
            else Subscriber(
                first_name=row.subscriber_first_name,
                last_name=row.subscriber_last_name,
                birth_date=row.subscriber_birth_date,
            ),
            member=member_of(row, patient),
        )

    def member_query(self) -> MemberQuery:
        """What the payer matches on: the card's member id and the patient's demographics (built
        once with the card: every payer operation on it asks with the same one)."""
        return self.member
