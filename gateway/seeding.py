"""Put a sandbox world's people into a practice as patients with their insurance cards."""

from __future__ import annotations

from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient
from payers.model import SubscriberRelation
from payers.sandbox.world import World


async def seed_practice_patients(
    database: Database, practice_id: str, world: World, payer_ids: set[str]
) -> dict[str, str]:
    """Register every person of ``world`` with their cards at ``payer_ids``.

    Returns person key -> patient id.
    """
    patient_ids: dict[str, str] = {}
    async with database.transaction() as session:
        for person in world.people.values():
            patient = Patient(
                practice_id=practice_id,
                first_name=person.first_name,
                last_name=person.last_name,
                birth_date=person.birth_date,
                gender=person.gender,
                address_line1=person.address1,
                city=person.city,
                state=person.state,
                postal_code=person.postal_code,
                phone=person.phone.replace("-", ""),
            )
            session.add(patient)
            await session.flush()
            patient_ids[person.key] = patient.id
            for member in world.coverages_of(person.key):
                if member.payer_key not in payer_ids or not member.on_file:
                    continue  # a card the practice does not hold is for coverage discovery to find
                dependent = member.relation != SubscriberRelation.SELF
                # the card as the practice recorded it, typos and out-of-date plans included
                plan = member.plan_on_file or member.plan
                session.add(
                    Coverage(
                        practice_id=practice_id,
                        patient_id=patient.id,
                        payer_id=member.payer_key,
                        member_id=member.practice_member_id or member.member_id,
                        group_number=plan.group_number,
                        plan_name=plan.name,
                        relation=member.relation.value,
                        priority=member.order,
                        effective_from=plan.start,
                        effective_to=plan.end,
                        subscriber_first_name=member.subscriber.first_name if dependent else None,
                        subscriber_last_name=member.subscriber.last_name if dependent else None,
                        subscriber_birth_date=member.subscriber.birth_date if dependent else None,
                    )
                )
    return patient_ids
