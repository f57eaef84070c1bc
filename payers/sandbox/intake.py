"""Claims a sandbox payer receives at run time, deduplicated on the submitter's control number.

Protocol-neutral: the REST, FHIR and X12 sandbox servers all hand their decoded submission to a
:class:`ClaimIntake` and serialize the :class:`~payers.model.SubmissionAck` it returns. The world
stays immutable; each server owns one intake, cleared by ``POST /_control/reset``. A received
claim moves on by itself on the payer's clock (:mod:`payers.sandbox.timeline`): adjudicated, then
remitted in a payment cycle; the intake's :attr:`~ClaimIntake.book` answers eligibility with the
members' deductibles as those claims used them. A test may still set a claim's status by hand
(``PUT /_control/claims/{control_number}/status``): the payer then leaves that claim alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from payers.codesets import lookup
from payers.model import (
    Claim,
    ClaimLine,
    ClaimState,
    ClaimStatus,
    ClaimStatusFilter,
    ClaimSubmission,
    Payment,
    SubmissionAck,
    SubscriberRelation,
)
from payers.sandbox.accumulators import Accumulators, LiveBenefits
from payers.sandbox.adjudicator import Outcome
from payers.sandbox.clock import ClockSettings, ClockStep, SandboxClock
from payers.sandbox.crossover import SandboxNetwork
from payers.sandbox.npi import is_valid_npi
from payers.sandbox.policy import policy_of
from payers.sandbox.status_change import StatusChange
from payers.sandbox.timeline import ClaimRecord, ClaimTimeline
from payers.sandbox.world import MemberMismatch, SandboxPayerBook, filter_payments
from payers.x12.claim_status import claim_state

#: Run-time claims are numbered from here so they never collide with the world's claim ids.
FIRST_SEQUENCE = 50001


@dataclass(frozen=True, slots=True)
class _Edit:
    status: str  # 277 status code
    entity: str  # entity identifier the status is about ("" when none)
    category: str = "A7"  # rejected for invalid information (A3: returned as unprocessable)


#: ICD-10-CM replaced ICD-9-CM for services from this date (HIPAA; 5010 payers reject ICD-9 after).
ICD10_FROM = date(2015, 10, 1)


def icd10_with_dot(code: str) -> str:
    """ICD-10-CM as the code set writes it (X12 drops the dot after the category)."""
    code = code.strip().upper()
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class ClaimIntake:
    """One sandbox payer's received claims on top of its book."""

    def __init__(
        self,
        book: SandboxPayerBook,
        received_on: date | None = None,
        clock: ClockSettings | None = None,
        network: SandboxNetwork | None = None,
    ) -> None:
        self.clock = SandboxClock(clock or ClockSettings(), received_on or book.today)
        self.accumulators = Accumulators(book.members, book.benefits)
        # The servers answer from this book: the world's, with benefits as claims have used them.
        self.book = replace(book, benefits=LiveBenefits(self.accumulators))
        self._claims: dict[str, Claim] = {}  # by control number
        self.timeline = ClaimTimeline(
            self.book,
            policy_of(book.key),
            self.clock,
            self.accumulators,
            self._adjudicated,
            network,
        )
        if network is not None:
            network.register(book.key, self.receive)

    @property
    def received_on(self) -> date:
        """The payer's today (its clock's date)."""
        return self.clock.now().date()

    def reset(self) -> None:
        """Forget every claim received since start (and what they spent, and their payments)."""
        self._claims.clear()
        self.timeline.reset()
        self.accumulators.reset()

    def catch_up(self) -> None:
        """Let every received claim move on to where the payer's clock says it is now."""
        self.timeline.catch_up()

    def clock_json(self) -> dict[str, Any]:
        """``GET /_control/clock``: the payer's time and clock settings."""
        self.timeline.catch_up()
        return self.clock.to_json()

    def step_clock(self, step: ClockStep) -> dict[str, Any]:
        """``POST /_control/clock``: move time on; the new time and what moved."""
        progress = self.timeline.catch_up()
        if step.pace is not None:
            self.clock.settings = replace(self.clock.settings, **step.pace)  # type: ignore[arg-type]
        if step.advance_seconds:
            self.clock.advance(step.advance_seconds)
            later = self.timeline.catch_up()
            progress.moved += later.moved
            progress.remittances += later.remittances
        if step.run_until_idle:
            later = self.timeline.run_until_idle()
            progress.moved += later.moved
            progress.remittances += later.remittances
        return progress.to_json(self.clock.now())

    def receive(self, submission: ClaimSubmission, control_number: str) -> SubmissionAck:
        """Accept (or reject) a claim; the same control number again returns the first answer."""
        self.timeline.catch_up()
        known = self._claims.get(control_number)
        if known is not None:
            return SubmissionAck(
                accepted=True,
                control_number=control_number,
                payer_claim_id=known.payer_claim_id,
                status=known.status,
                duplicate=True,
            )
        submission = self._patient_of(submission)
        edits = self._front_door_edits(submission)
        if submission.frequency_code in ("7", "8") and (
            self.timeline.original_of(submission.original_payer_claim_id) is None
        ):  # a replacement or void must name a live claim of this payer (its payer claim number)
            edits.append(_Edit("21", "PR"))
        if edits:
            category = lookup("claim-status-category", edits[0].category)
            statuses = tuple(lookup("claim-status", edit.status) for edit in edits)
            status = ClaimStatus(
                state=ClaimState.REJECTED,
                category=category,
                status=statuses[0],
                entity=lookup("entity-identifier", edits[0].entity) if edits[0].entity else None,
                effective_date=self.received_on,
                control_number=control_number,
                total_charge=submission.total_charge,
            )
            return SubmissionAck(
                accepted=False,
                control_number=control_number,
                status=status,
                reasons=(category, *statuses),
            )
        original = None
        if submission.frequency_code in ("7", "8"):
            original = self.timeline.original_of(submission.original_payer_claim_id)
        claim = self._record(submission, control_number, original)
        self.timeline.add(control_number, claim.payer_claim_id or "", submission)
        ack = SubmissionAck(
            accepted=True,
            control_number=control_number,
            payer_claim_id=claim.payer_claim_id,
            status=claim.status,
        )
        self.timeline.catch_up()
        return ack

    def _patient_of(self, submission: ClaimSubmission) -> ClaimSubmission:
        """A dependent billed on the card holder's id is adjudicated as the dependent's own member
        record: the one under that card whose name and birth date are the patient's. When there is
        none, the member check that follows says what does not match."""
        member = submission.member
        if member.relation is SubscriberRelation.SELF:
            return submission
        dependent = self.book.dependent_of(
            member.member_id, member.first_name, member.last_name, member.birth_date
        )
        if dependent is None or dependent.member_id == member.member_id.strip().upper():
            return submission
        return replace(submission, member=replace(member, member_id=dependent.member_id))

    def _front_door_edits(self, submission: ClaimSubmission) -> list[_Edit]:
        """Why the payer would refuse the claim at the front door (277CA), if it would."""
        member = submission.member
        try:
            self.book.verify_member(
                member.member_id, member.first_name, member.last_name, member.birth_date
            )
        except MemberMismatch as exc:
            if exc.not_found:
                return [_Edit("33", "IL", category="A3")]
            return [_Edit("30", "IL")]
        edits = []
        dates = [line.service_date for line in submission.lines if line.service_date]
        if submission.diagnosis_code_list == "icd9cm" and any(d >= ICD10_FROM for d in dates):
            # A 5010 payer takes ICD-9-CM only for services before ICD-10-CM's start date.
            edits.append(_Edit("254", ""))
        if not is_valid_npi(submission.billing_provider_npi):
            edits.append(_Edit("562", "85"))
        if not submission.lines:
            edits.append(_Edit("21", "85"))
        elif sum(line.charge for line in submission.lines) != submission.total_charge:
            edits.append(_Edit("178", "85"))
        return edits

    def _record(
        self, submission: ClaimSubmission, control_number: str, original: ClaimRecord | None = None
    ) -> Claim:
        if original is not None:  # a replacement or void keeps the original's number family
            payer_claim_id = self.timeline.family_id(original)
        else:
            sequence = FIRST_SEQUENCE + len(self._claims)
            payer_claim_id = self.book.new_payer_claim_id(self.received_on, sequence)
        dates = [line.service_date for line in submission.lines if line.service_date is not None]
        status = ClaimStatus(
            state=ClaimState.ACKNOWLEDGED,
            category=lookup("claim-status-category", "A1"),
            status=lookup("claim-status", "19"),
            entity=lookup("entity-identifier", "PR"),
            effective_date=self.received_on,
            payer_claim_id=payer_claim_id,
            control_number=control_number,
            total_charge=submission.total_charge,
        )
        claim = Claim(
            payer_id=self.book.key,
            payer_claim_id=payer_claim_id,
            control_number=control_number,
            member_id=submission.member.member_id.strip().upper(),
            status=status,
            service_date_from=min(dates) if dates else None,
            service_date_to=max(dates) if dates else None,
            total_charge=submission.total_charge,
            billing_provider_npi=submission.billing_provider_npi,
            rendering_provider_npi=submission.rendering_provider_npi,
            place_of_service=lookup("place-of-service", submission.place_of_service),
            diagnoses=tuple(
                lookup("icd9cm", code)
                if submission.diagnosis_code_list == "icd9cm"
                else lookup("icd10cm", icd10_with_dot(code))
                for code in submission.diagnoses
            ),
            lines=tuple(
                ClaimLine(
                    line_number=line.line_number,
                    procedure=lookup("procedure", line.procedure.code),
                    charge=line.charge,
                    units=line.units,
                    modifiers=line.modifiers,
                    diagnosis_pointers=line.diagnosis_pointers,
                    service_date=line.service_date,
                    drug=line.drug,
                    ordering_provider=line.ordering_provider,
                    referring_provider=line.referring_provider,
                )
                for line in submission.lines
            ),
        )
        self._claims[control_number] = claim
        return claim

    def set_status(self, control_number: str, change: StatusChange) -> Claim:
        """Answer ``change`` for a received claim from now on (claim status and claim search).

        ``KeyError`` if no claim with that control number was received; ``ValueError`` if the paid
        amount exceeds the claim's charge."""
        claim = self._claims[control_number]
        self.timeline.take_manual(control_number)
        if change.paid_amount is not None and change.paid_amount > claim.total_charge:
            raise ValueError(
                f"paid_amount {change.paid_amount} exceeds the claim's charge {claim.total_charge}"
            )
        status = replace(
            claim.status,
            state=change.state,
            category=change.category,
            status=change.status,
            effective_date=change.effective_date or self.received_on,
            paid_amount=change.paid_amount,
        )
        self._claims[control_number] = replace(claim, status=status, paid_amount=change.paid_amount)
        return self._claims[control_number]

    def _adjudicated(
        self,
        control_number: str,
        category: str,
        status: str | None,
        entity: str | None,
        outcome: Outcome | None,
    ) -> None:
        """The timeline moved a claim: answer its new status (and amounts) from now on."""
        claim = self._claims.get(control_number)
        if claim is None:  # a claim of the world's history keeps the status it had
            return
        paid = outcome.payment if outcome else None
        new_status = replace(
            claim.status,
            state=claim_state(category),
            category=lookup("claim-status-category", category),
            status=lookup("claim-status", status) if status else None,
            entity=lookup("entity-identifier", entity) if entity else None,
            effective_date=self.received_on,
            paid_amount=paid.paid if paid else None,
        )
        lines = claim.lines
        if paid is not None:
            lines = tuple(
                replace(line, allowed_amount=settled.allowed_amount, paid_amount=settled.paid)
                for line, settled in zip(claim.lines, paid.lines, strict=True)
            )
        self._claims[control_number] = replace(
            claim,
            status=new_status,
            lines=lines,
            paid_amount=paid.paid if paid else None,
            patient_responsibility=paid.patient_responsibility if paid else None,
        )

    def received(self) -> tuple[Claim, ...]:
        """Every claim accepted since start, in arrival order."""
        self.timeline.catch_up()
        return tuple(self._claims.values())

    def payments_for(
        self, member_id: str | None = None, since: date | None = None
    ) -> tuple[Payment, ...]:
        """The world's remittances and those cut since start (oldest first), filtered the same way."""
        self.timeline.catch_up()
        return self.book.payments_for(member_id, since) + filter_payments(
            self.timeline.remittances, member_id, since
        )

    def claims_of(
        self,
        member_id: str,
        since: date | None = None,
        status: ClaimStatusFilter = ClaimStatusFilter.ALL,
    ) -> tuple[Claim, ...]:
        """The book's claims of a member plus the ones received, newest first."""
        self.timeline.catch_up()
        fresh = tuple(
            c
            for c in reversed(self._claims.values())
            if c.member_id == member_id
            and status.admits(c.status.state)
            and (since is None or c.service_date_from is None or c.service_date_from >= since)
        )
        return fresh + self.book.claims_of(member_id, since, status)

    def find_claim(
        self, payer_claim_id: str | None = None, control_number: str | None = None
    ) -> Claim | None:
        """A received or historical claim by payer claim id, else by control number."""
        self.timeline.catch_up()
        for claim in self._claims.values():
            if payer_claim_id and claim.payer_claim_id == payer_claim_id:
                return claim
            if not payer_claim_id and control_number and claim.control_number == control_number:
                return claim
        return self.book.find_claim(payer_claim_id, control_number)
