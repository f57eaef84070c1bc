"""Crossover: a primary sandbox payer that forwards its members' claims to their secondary payer.

The sandboxes of one world share a :class:`SandboxNetwork`. When a crossover payer (see
:mod:`payers.sandbox.policy`) adjudicates a claim of a member who has secondary coverage at another
served sandbox, it remits the claim with CLP02 19 and MA18 and hands the secondary payer the claim
with its own adjudication as the prior payer's (the control number stays the provider's), so the
provider must not send that secondary claim itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from payers.model import (
    ClaimSubmission,
    MemberQuery,
    PriorLineAdjudication,
    PriorPayerAdjudication,
    SubmissionAck,
)
from payers.sandbox.world import SandboxMember, SandboxPayerBook, World

if TYPE_CHECKING:
    from payers.sandbox.adjudicator import Outcome

Receiver = Callable[[ClaimSubmission, str], SubmissionAck]


class SandboxNetwork:
    """The sandbox payers of one world that can hand claims to each other."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._receivers: dict[str, Receiver] = {}

    def register(self, book_key: str, receive: Receiver) -> None:
        self._receivers[book_key] = receive

    def secondary_of(
        self, book_key: str, member: SandboxMember
    ) -> tuple[str, SandboxMember] | None:
        """The served payer (and membership) that covers ``member`` after ``book_key``, if any."""
        for coverage in self.world.coverages_of(member.person.key):
            if (
                coverage.payer_key != book_key
                and coverage.order > member.order
                and coverage.active
                and coverage.payer_key in self._receivers
            ):
                return coverage.payer_key, coverage
        return None

    def forward(self, book_key: str, claim: ClaimSubmission, control_number: str) -> SubmissionAck:
        return self._receivers[book_key](claim, control_number)


def forwarded_claim(
    book: SandboxPayerBook,
    claim: ClaimSubmission,
    outcome: Outcome,
    secondary: SandboxMember,
    adjudicated_on: date,
) -> ClaimSubmission:
    """``claim`` as the primary forwards it: to the secondary member, with its adjudication."""
    payment = outcome.payment
    prior = PriorPayerAdjudication(
        payer_id=book.payer_number,
        payer_name=book.name,
        member_id=payment.member_id or "",
        responsibility="P",
        paid=payment.paid,
        adjudication_date=adjudicated_on,
        payer_claim_id=payment.payer_claim_id,
        patient_responsibility=payment.patient_responsibility,
        lines=tuple(
            PriorLineAdjudication(
                line_number=number,
                procedure=line.procedure,
                paid=line.paid,
                paid_units=line.units,
                modifiers=line.modifiers,
                adjustments=line.adjustments,
                adjudication_date=adjudicated_on,
            )
            for number, line in enumerate(payment.lines, start=1)
        ),
    )
    person = secondary.person
    member = MemberQuery(
        secondary.member_id,
        person.first_name,
        person.last_name,
        person.birth_date,
        secondary.group_number,
        secondary.relation,
    )
    return replace(
        claim,
        member=member,
        frequency_code="1",
        original_payer_claim_id=None,
        responsibility="S",
        prior_payers=(prior,),
    )
