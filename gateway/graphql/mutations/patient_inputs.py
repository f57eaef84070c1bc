"""What registering and correcting patients and cards share: inputs, edits, rows, duplicate checks.

Every mutation that writes a patient or a card runs these same edits, so a correction can never
store what registration would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from gateway.graphql.types.common import SubscriberRelationEnum
from gateway.graphql.validation import Problems
from gateway.identity import PHI_READ
from gateway.storage import tables
from payers.model import SubscriberRelation

MAX_COVERAGES = 3  # cards in force or to come; ended cards are kept as history and do not count


@strawberry.input
class SubscriberInput:
    first_name: str
    last_name: str
    birth_date: date


@strawberry.input(description="An insurance card. The member ID is required: payers match on it.")
class CoverageInput:
    payer_id: str
    member_id: str
    group_number: str | None = None
    plan_name: str | None = None
    relation: SubscriberRelationEnum = SubscriberRelation.SELF
    priority: int = 1
    effective_from: date | None = None
    effective_to: date | None = None
    subscriber: SubscriberInput | None = strawberry.field(
        default=None, description="Required when the patient is not the subscriber."
    )


@strawberry.input
class AddressInput:
    line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class Demographics:
    """A patient's identity and contact details, as given (checked by :func:`check_demographics`)."""

    first_name: str
    last_name: str
    birth_date: date
    gender: str | None
    phone: str | None
    address: AddressInput | None


def today() -> date:
    return datetime.now(UTC).date()


def check_demographics(problems: Problems, person: Demographics) -> None:
    problems.name("firstName", person.first_name, "First name")
    problems.name("lastName", person.last_name, "Last name")
    problems.birth_date("birthDate", person.birth_date, today())
    problems.phone("phone", person.phone)
    if person.address:
        problems.state("address.state", person.address.state)
        problems.postal_code("address.postalCode", person.address.postal_code)


@dataclass(frozen=True, slots=True)
class CardSlot:
    """A card's place in the patient's order (priority) over its period; None ends are open."""

    priority: int
    effective_from: date | None
    effective_to: date | None

    def overlaps(self, other: CardSlot) -> bool:
        starts_before_other_ends = (
            self.effective_from is None
            or other.effective_to is None
            or self.effective_from <= other.effective_to
        )
        ends_after_other_starts = (
            self.effective_to is None
            or other.effective_from is None
            or other.effective_from <= self.effective_to
        )
        return starts_before_other_ends and ends_after_other_starts

    @classmethod
    def of(cls, row: tables.Coverage) -> CardSlot:
        return cls(row.priority, row.effective_from, row.effective_to)


def ended(row: tables.Coverage, day: date) -> bool:
    """The card ended before ``day``: kept as history, no longer in the patient's order."""
    return row.effective_to is not None and row.effective_to < day


def slots_in_force(rows: list[tables.Coverage], day: date) -> list[CardSlot]:
    return [CardSlot.of(row) for row in rows if not ended(row, day)]


def check_coverage(problems: Problems, info: Info, c: CoverageInput, taken: list[CardSlot]) -> None:
    """The card's own edits; a priority clashes with a card of ``taken`` whose period overlaps."""
    if info.context.services.payers.get(c.payer_id) is None:
        problems.add(
            "payerId", "UNKNOWN_PAYER", f"No payer with id {c.payer_id!r}; see the payers query."
        )
    problems.member_id("memberId", c.member_id)
    problems.group_number("groupNumber", c.group_number)
    slot = CardSlot(c.priority, c.effective_from, c.effective_to)
    if not 1 <= c.priority <= MAX_COVERAGES:
        problems.add("priority", "INVALID_PRIORITY", "Priority must be 1 (primary), 2 or 3.")
    elif any(s.priority == c.priority and s.overlaps(slot) for s in taken):
        problems.add(
            "priority",
            "DUPLICATE_PRIORITY",
            f"The patient already has a coverage of priority {c.priority} in this period: "
            "end that card first, or give this one a start date after it ends.",
        )
    taken.append(slot)
    if c.effective_from and c.effective_to and c.effective_to < c.effective_from:
        problems.add("effectiveTo", "INVALID_PERIOD", "Coverage cannot end before it starts.")
    if c.relation != SubscriberRelation.SELF:
        if c.subscriber is None:
            problems.add(
                "subscriber", "REQUIRED", "Subscriber is required when the patient is a dependent."
            )
        else:
            problems.name("subscriber.firstName", c.subscriber.first_name, "Subscriber first name")
            problems.name("subscriber.lastName", c.subscriber.last_name, "Subscriber last name")
            problems.birth_date("subscriber.birthDate", c.subscriber.birth_date, today())


def normalized_member_id(member_id: str) -> str:
    return member_id.strip().upper()


def same_card(row: tables.Coverage, payer_id: str, member_id: str) -> bool:
    return row.payer_id == payer_id and row.member_id == normalized_member_id(member_id)


def fill_coverage_row(row: tables.Coverage, c: CoverageInput) -> tables.Coverage:
    """Write the card's fields onto ``row`` as stored: member and group ids upper-cased."""
    sub = c.subscriber if c.relation != SubscriberRelation.SELF else None
    row.payer_id = c.payer_id
    row.member_id = normalized_member_id(c.member_id)
    row.group_number = c.group_number.strip().upper() if c.group_number else None
    row.plan_name = c.plan_name
    row.relation = SubscriberRelation(c.relation).value
    row.priority = c.priority
    row.effective_from = c.effective_from
    row.effective_to = c.effective_to
    row.subscriber_first_name = sub.first_name.strip() if sub else None
    row.subscriber_last_name = sub.last_name.strip() if sub else None
    row.subscriber_birth_date = sub.birth_date if sub else None
    return row


def coverage_input_of(row: tables.Coverage) -> CoverageInput:
    """A stored card as input, for corrections to start from."""
    subscriber = (
        SubscriberInput(
            first_name=row.subscriber_first_name or "",
            last_name=row.subscriber_last_name or "",
            birth_date=row.subscriber_birth_date,  # type: ignore[arg-type]
        )
        if row.relation != SubscriberRelation.SELF.value
        else None
    )
    return CoverageInput(
        payer_id=row.payer_id,
        member_id=row.member_id,
        group_number=row.group_number,
        plan_name=row.plan_name,
        relation=SubscriberRelation(row.relation),
        priority=row.priority,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        subscriber=subscriber,
    )


async def find_patient(
    session: AsyncSession, practice_id: str, patient_id: str
) -> tables.Patient | None:
    return await session.scalar(
        select(tables.Patient).where(
            tables.Patient.id == patient_id, tables.Patient.practice_id == practice_id
        )
    )


async def patient_cards(
    session: AsyncSession, practice_id: str, patient_id: str
) -> list[tables.Coverage]:
    return list(
        await session.scalars(
            select(tables.Coverage).where(
                tables.Coverage.practice_id == practice_id,
                tables.Coverage.patient_id == patient_id,
            )
        )
    )


DUPLICATE_PATIENT_MESSAGE = (
    "A patient with this name and birth date is already registered: open the existing patient "
    "(existingPatient), or confirm this is another person (allowDuplicate)."
)


async def same_person(
    info: Info,
    session: AsyncSession,
    person: Demographics,
    audit_field: str,
    *,
    other_than: str | None = None,
) -> tables.Patient | None:
    """The practice's patient with this name and birth date (case and spaces aside), if any.

    Only for callers holding phi:read: to anyone else the answer would tell whether someone is a
    patient here, which is PHI; their registrations are not checked. Offering the existing patient
    is noted in the audit trail as a read of that patient.
    """
    principal = info.context.principal
    if principal is None or not principal.has(PHI_READ):
        return None
    statement = select(tables.Patient).where(
        tables.Patient.practice_id == info.context.practice_id,
        tables.Patient.birth_date == person.birth_date,
        func.lower(tables.Patient.first_name) == person.first_name.strip().lower(),
        func.lower(tables.Patient.last_name) == person.last_name.strip().lower(),
    )
    if other_than is not None:
        statement = statement.where(tables.Patient.id != other_than)
    existing = await session.scalar(statement.order_by(tables.Patient.created_at).limit(1))
    if existing is not None:
        info.context.audit.read(existing.id, audit_field)
    return existing
