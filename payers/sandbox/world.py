"""The sandbox world: fictitious people, their coverage at four payers, and each payer's book.

One protocol-neutral world, built deterministically from ``today`` (claims are always recent). Every
sandbox payer server serializes the same :class:`SandboxPayerBook` into its own protocol, and the
gateway's demo seeding reads it, so the REST, FHIR and X12 payers agree with each other and with the
tests. The payers:

====================  ==============================  ========
key                   name                            protocol
====================  ==============================  ========
``lakeshore``         Lakeshore Health Plan           rest
``cascade``           Cascade Mutual Insurance        rest
``northwind``         Northwind Blue                  fhir
``summit``            Summit Health Alliance          x12
====================  ==============================  ========

The query methods on :class:`SandboxPayerBook` (member verification, eligibility on a date, claim
search, payments, coverage discovery) are the payer's business rules; servers only translate them.
Claims submitted at run time are kept by :class:`payers.sandbox.intake.ClaimIntake`, not here:
the world is immutable.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from payers.codesets import lookup
from payers.model import (
    Benefit,
    BenefitKind,
    Claim,
    ClaimPayment,
    ClaimStatusFilter,
    Code,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    OtherCoverage,
    Payment,
    Plan,
    SubscriberRelation,
)
from payers.sandbox.benefits import DESIGNS, PlanDesign, inactive_benefits, plan_benefits
from payers.sandbox.cast import SandboxPerson, SandboxProvider, build_people, build_providers
from payers.sandbox.claims import build_history
from payers.sandbox.coverage import BOOKS, MEMBERS, BookSpec, MemberSpec, payer_claim_id

__all__ = [
    "MemberMismatch",
    "SandboxMember",
    "SandboxPayerBook",
    "SandboxPerson",
    "SandboxProvider",
    "World",
    "build_world",
]


@dataclass(frozen=True, slots=True)
class SandboxMember:
    """One person's coverage at one payer."""

    payer_key: str
    person: SandboxPerson
    member_id: str
    group_number: str
    plan: Plan
    relation: SubscriberRelation
    subscriber: SandboxPerson
    order: int  # 1 primary, 2 secondary
    active: bool  # covered today
    subscriber_member_id: str = ""
    family: bool = False  # family (vs individual) coverage tier
    on_file: bool = True  # the practice holds this card (False: only discovery finds it)
    other_coverage: tuple[OtherCoverage, ...] = ()  # other insurance this payer knows of (COB)
    earlier_plan: Plan | None = None  # the plan in force before ``plan`` started (same member id)
    practice_member_id: str | None = None  # what the practice has on file, when mistyped
    # the plan as the practice has it on file, when the payer's has moved on without its knowing
    # (an old card from before a group change, or an end it has not heard of)
    plan_on_file: Plan | None = None

    def covers(self, day: date) -> bool:
        """True when the coverage is in force on ``day``."""
        return any(_in_force(plan, day) for plan in (self.plan, self.earlier_plan) if plan)

    def plan_on(self, day: date) -> Plan:
        """The plan that covers ``day`` (the current one when none does)."""
        if self.earlier_plan is not None and _in_force(self.earlier_plan, day):
            return self.earlier_plan
        return self.plan


def _in_force(plan: Plan, day: date) -> bool:
    return (plan.start or date.min) <= day <= (plan.end or date.max)


class MemberMismatch(Exception):
    """The payer cannot match a member: ``not_found`` (no such member id) or demographics differ.

    ``reasons`` are AAA reject reason codes (75 not found, 73 name, 71 birth date).
    """

    def __init__(self, message: str, reasons: Sequence[Code], *, not_found: bool) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = tuple(reasons)
        self.not_found = not_found


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def first_name_variant(asked: str, known: str) -> bool:
    """A different spelling or short form of the same first name, as the sandbox payers' fuzzy
    search accepts it: one is the other's prefix (Sam/Samuel) or both start alike (Jordan/Jordyn)."""
    a, b = ("".join(n.split()).casefold() for n in (asked, known))
    if not a or not b or a == b:
        return False
    return a.startswith(b) or b.startswith(a) or (len(a) >= 4 and a[:3] == b[:3])


def matches_person(person: SandboxPerson, who: Demographics) -> bool:
    """The sandbox payers' demographic search: birth date and last name exactly, the first name
    exactly or as a variant, and the postal code when one is given."""
    return (
        person.birth_date == who.birth_date
        and _same_name(person.last_name, who.last_name)
        and (
            not who.first_name
            or _same_name(person.first_name, who.first_name)
            or first_name_variant(who.first_name, person.first_name)
        )
        and (who.postal_code is None or who.postal_code[:5] == person.postal_code)
    )


@dataclass(frozen=True)
class SandboxPayerBook:
    """Everything one sandbox payer knows: its members, their benefits, claims and payments."""

    key: str
    name: str
    protocol: str  # "rest" | "fhir" | "x12"
    payer_number: str  # the payer's electronic id (X12 NM1*PR / FHIR insurer identifier)
    claim_id_prefix: str
    design: PlanDesign
    today: date
    members: Mapping[str, SandboxMember]
    benefits: Mapping[str, tuple[Benefit, ...]]
    claims: Mapping[str, tuple[Claim, ...]]
    payments: tuple[Payment, ...]
    providers: Mapping[str, SandboxProvider] = field(default_factory=dict)

    def new_payer_claim_id(self, received: date, sequence: int) -> str:
        """The payer's claim id for the ``sequence``-th claim received on ``received``."""
        return payer_claim_id(self.claim_id_prefix, received, sequence)

    def verify_member(
        self, member_id: str, first_name: str, last_name: str, birth_date: date
    ) -> SandboxMember:
        """The member with this id if the demographics match; otherwise :class:`MemberMismatch`."""
        member = self.members.get(member_id.strip().upper())
        if member is None:
            raise MemberMismatch(
                f"no member {member_id!r} at {self.name}",
                [lookup("aaa-reject-reason", "75")],
                not_found=True,
            )
        reasons = []
        person = member.person
        if not (
            _same_name(first_name, person.first_name) and _same_name(last_name, person.last_name)
        ):
            reasons.append(lookup("aaa-reject-reason", "73"))
        if birth_date != person.birth_date:
            reasons.append(lookup("aaa-reject-reason", "71"))
        if reasons:
            raise MemberMismatch(
                f"member {member_id!r} found but the demographics do not match",
                reasons,
                not_found=False,
            )
        return member

    def dependent_of(
        self, member_id: str, first_name: str, last_name: str, birth_date: date
    ) -> SandboxMember | None:
        """The member with this name and birth date billed under ``member_id``: that member itself,
        or a dependent whose subscriber holds ``member_id`` (a family card); None when no one."""
        key = member_id.strip().upper()
        for member in self.members.values():
            if key not in (member.member_id, member.subscriber_member_id):
                continue
            person = member.person
            if (
                person.birth_date == birth_date
                and _same_name(first_name, person.first_name)
                and _same_name(last_name, person.last_name)
            ):
                return member
        return None

    def eligibility(
        self, member: SandboxMember, service_types: Iterable[str], as_of: date
    ) -> EligibilityResult:
        """The payer's answer for ``member`` on ``as_of``.

        Benefits: all of them when no service type or "30" (health benefit plan coverage) is asked;
        otherwise the active-coverage line plus the lines for the asked service types.
        """
        if not member.covers(as_of):
            return EligibilityResult(
                payer_id=self.key,
                member_id=member.member_id,
                active=False,
                as_of=as_of,
                plan=member.plan_on(as_of),
                benefits=inactive_benefits(self.design),
                messages=("Coverage not in force on the requested date",),
            )
        asked = {code.strip().upper() for code in service_types}
        benefits = self.benefits[member.member_id]
        if asked and "30" not in asked:
            benefits = tuple(
                b
                for b in benefits
                if b.kind is BenefitKind.ACTIVE_COVERAGE
                or any(st.code in asked for st in b.service_types)
            )
        return EligibilityResult(
            payer_id=self.key,
            member_id=member.member_id,
            active=True,
            as_of=as_of,
            plan=member.plan_on(as_of),
            benefits=benefits,
            other_coverage=member.other_coverage,
        )

    def claims_of(
        self,
        member_id: str,
        since: date | None = None,
        status: ClaimStatusFilter = ClaimStatusFilter.ALL,
    ) -> tuple[Claim, ...]:
        """The member's claims with service on or after ``since`` in that state, newest first."""
        return tuple(
            c
            for c in self.claims.get(member_id, ())
            if status.admits(c.status.state)
            and (
                since is None or (c.service_date_from is not None and c.service_date_from >= since)
            )
        )

    def find_claim(
        self, payer_claim_id: str | None = None, control_number: str | None = None
    ) -> Claim | None:
        """The claim with this payer claim id, else with this control number."""
        for claims in self.claims.values():
            for claim in claims:
                if payer_claim_id and claim.payer_claim_id == payer_claim_id:
                    return claim
                if not payer_claim_id and control_number and claim.control_number == control_number:
                    return claim
        return None

    def payments_for(
        self, member_id: str | None = None, since: date | None = None
    ) -> tuple[Payment, ...]:
        """Payments dated on or after ``since``; for a member, only that member's claims in each
        (the payment amount stays the whole remittance's, as on a filtered 835)."""
        return filter_payments(self.payments, member_id, since)

    def discover(
        self, who: Demographics, as_of: date | None = None
    ) -> tuple[DiscoveredCoverage, ...]:
        """Coverage in force on ``as_of`` (default today) of people matching ``who`` (see
        :func:`matches_person`: first-name variants are candidates too), exact names first."""
        day = as_of or self.today
        return tuple(discovered(self.key, m, day) for m in self.discover_members(who, day))

    def discover_members(self, who: Demographics, as_of: date) -> list[SandboxMember]:
        """The members :meth:`discover` answers with, exact first names first."""
        found = [
            m for m in self.members.values() if matches_person(m.person, who) and m.covers(as_of)
        ]
        return sorted(found, key=lambda m: not _same_name(m.person.first_name, who.first_name))


def discovered(
    payer_key: str, member: SandboxMember, as_of: date | None = None
) -> DiscoveredCoverage:
    """One member as a found coverage (its plan on ``as_of``, default the current one), with the
    person as the payer's records state them."""
    person = member.person
    return DiscoveredCoverage(
        payer_id=payer_key,
        member_id=member.member_id,
        plan=member.plan_on(as_of) if as_of else member.plan,
        relation=member.relation,
        person=Demographics(
            person.first_name,
            person.last_name,
            person.birth_date,
            person.gender,
            person.postal_code,
        ),
    )


@dataclass(frozen=True)
class World:
    """All sandbox people, providers and payer books, as of ``today``."""

    today: date
    people: Mapping[str, SandboxPerson]
    providers: Mapping[str, SandboxProvider]
    books: Mapping[str, SandboxPayerBook]

    def coverages_of(self, person_key: str) -> tuple[SandboxMember, ...]:
        """Every coverage of a person across the books: active first, then by order."""
        found = [
            member
            for book in self.books.values()
            for member in book.members.values()
            if member.person.key == person_key
        ]
        return tuple(sorted(found, key=lambda m: (not m.active, m.order, m.payer_key)))


def filter_payments(
    payments: Iterable[Payment], member_id: str | None = None, since: date | None = None
) -> tuple[Payment, ...]:
    """``payments`` dated on or after ``since``; for a member, only that member's claims in each
    (the payment amount stays the whole remittance's, as on a filtered 835)."""
    result = []
    for payment in payments:
        if since is not None and (payment.payment_date is None or payment.payment_date < since):
            continue
        if member_id is None:
            result.append(payment)
            continue
        claims = tuple(c for c in payment.claims if c.member_id == member_id)
        if claims:
            result.append(
                Payment(
                    payer_id=payment.payer_id,
                    trace_number=payment.trace_number,
                    method=payment.method,
                    payment_date=payment.payment_date,
                    amount=payment.amount,
                    claims=claims,
                    provider_adjustments=(),
                    payee_npi=payment.payee_npi,
                )
            )
    return tuple(result)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _other_coverage(spec: MemberSpec, today: date) -> tuple[OtherCoverage, ...]:
    """What a payer reports of a member's other insurance (the other book's name and number)."""
    if spec.other_coverage is None:
        return ()
    key, member_id = spec.other_coverage
    other = next(b for b in BOOKS if b.key == key)
    return (OtherCoverage(other.name, other.payer_number, member_id, date(today.year - 2, 1, 1)),)


def _members(
    spec: BookSpec, today: date, people: Mapping[str, SandboxPerson]
) -> dict[str, SandboxMember]:
    ended = _month_end(today - timedelta(days=100))
    this_month = today.replace(day=1)
    members = {}
    for m in MEMBERS[spec.key]:
        if m.coverage == "ended":
            start, end = date(today.year - 3, 1, 1), ended
        elif m.coverage == "lapsed":
            start, end = date(today.year - 3, 1, 1), this_month - timedelta(days=1)
        elif m.coverage == "new":
            start, end = ended + timedelta(days=1), None
        else:
            start, end = date(today.year - int(m.coverage), 1, 1), None
        group_number, group_name = m.group
        plan = Plan(
            name=DESIGNS[spec.key].name,
            group_number=group_number,
            group_name=group_name,
            plan_number=spec.plan_number,
            start=start,
            end=end,
        )
        earlier = on_file = None
        if m.coverage == "lapsed":
            on_file = replace(plan, end=None)
        if m.moved_to_group is not None:  # the old group ran to the end of last month
            on_file = plan
            earlier = replace(plan, end=this_month - timedelta(days=1))
            group_number, group_name = m.moved_to_group
            plan = replace(plan, group_number=group_number, group_name=group_name, start=this_month)
        subscriber = people[m.subscriber or m.person]
        members[m.member_id] = SandboxMember(
            payer_key=spec.key,
            person=people[m.person],
            member_id=m.member_id,
            group_number=group_number,
            plan=plan,
            relation=m.relation,
            subscriber=subscriber,
            order=m.order,
            active=start <= today and (end is None or today <= end),
            subscriber_member_id=m.subscriber_member_id or m.member_id,
            family=m.family,
            on_file=m.on_file,
            other_coverage=_other_coverage(m, today),
            earlier_plan=earlier,
            practice_member_id=m.practice_member_id,
            plan_on_file=on_file,
        )
    return members


def _deductible_used(payer_key: str, member_id: str) -> Decimal | None:
    spec = next(m for m in MEMBERS[payer_key] if m.member_id == member_id)
    return Decimal(spec.deductible_used) if spec.deductible_used is not None else None


def build_world(today: date) -> World:
    """The whole sandbox as of ``today``; the same ``today`` always gives the same world."""
    people = build_people(today)
    providers = build_providers()
    books: dict[str, SandboxPayerBook] = {}
    settled: dict[str, ClaimPayment] = {}
    # Primary payers' remittances must exist before the secondary payers price their crossovers.
    for spec in sorted(BOOKS, key=lambda s: s.build_order):
        design = DESIGNS[spec.key]
        members = _members(spec, today, people)
        used = {m.member_id: m.used_percent for m in MEMBERS[spec.key]}
        benefits = {
            member_id: plan_benefits(
                design,
                family=member.family,
                seed=f"{spec.key}/{member_id}",
                used_percent=used.get(member_id),
                deductible_used=_deductible_used(spec.key, member_id),
            )
            for member_id, member in members.items()
        }
        history = build_history(
            spec.key, today, design.coinsurance[0], providers, spec.claim_id_prefix, settled
        )
        books[spec.key] = SandboxPayerBook(
            key=spec.key,
            name=spec.name,
            protocol=spec.protocol,
            payer_number=spec.payer_number,
            claim_id_prefix=spec.claim_id_prefix,
            design=design,
            today=today,
            members=members,
            benefits=benefits,
            claims=history.claims,
            payments=history.payments,
            providers=providers,
        )
    ordered = {spec.key: books[spec.key] for spec in BOOKS}
    return World(today=today, people=people, providers=providers, books=ordered)
