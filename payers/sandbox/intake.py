"""Claims a sandbox payer receives at run time, deduplicated on the submitter's control number.

Protocol-neutral: the REST, FHIR and X12 sandbox servers all hand their decoded submission to a
:class:`ClaimIntake` and serialize the :class:`~payers.model.SubmissionAck` it returns. The world
stays immutable; each server owns one intake, cleared by ``POST /_control/reset``. A received
claim's status moves on only when a test says so (``PUT /_control/claims/{control_number}/status``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from payers.codesets import lookup
from payers.model import (
    Claim,
    ClaimLine,
    ClaimState,
    ClaimStatus,
    ClaimStatusFilter,
    ClaimSubmission,
    SubmissionAck,
)
from payers.sandbox.npi import is_valid_npi
from payers.sandbox.status_change import StatusChange
from payers.sandbox.world import MemberMismatch, SandboxPayerBook

#: Run-time claims are numbered from here so they never collide with the world's claim ids.
FIRST_SEQUENCE = 50001


@dataclass(frozen=True, slots=True)
class _Edit:
    status: str  # 277 status code
    entity: str  # entity identifier the status is about
    category: str = "A7"  # rejected for invalid information (A3: returned as unprocessable)


def icd10_with_dot(code: str) -> str:
    """ICD-10-CM as the code set writes it (X12 drops the dot after the category)."""
    code = code.strip().upper()
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class ClaimIntake:
    """One sandbox payer's received claims on top of its book."""

    def __init__(self, book: SandboxPayerBook, received_on: date | None = None) -> None:
        self.book = book
        self.received_on = received_on or book.today
        self._claims: dict[str, Claim] = {}  # by control number

    def reset(self) -> None:
        """Forget every claim received since start."""
        self._claims.clear()

    def receive(self, submission: ClaimSubmission, control_number: str) -> SubmissionAck:
        """Accept (or reject) a claim; the same control number again returns the first answer."""
        known = self._claims.get(control_number)
        if known is not None:
            return SubmissionAck(
                accepted=True,
                control_number=control_number,
                payer_claim_id=known.payer_claim_id,
                status=known.status,
                duplicate=True,
            )
        edits = self._front_door_edits(submission)
        if edits:
            category = lookup("claim-status-category", edits[0].category)
            statuses = tuple(lookup("claim-status", edit.status) for edit in edits)
            status = ClaimStatus(
                state=ClaimState.REJECTED,
                category=category,
                status=statuses[0],
                entity=lookup("entity-identifier", edits[0].entity),
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
        claim = self._record(submission, control_number)
        return SubmissionAck(
            accepted=True,
            control_number=control_number,
            payer_claim_id=claim.payer_claim_id,
            status=claim.status,
        )

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
        if not is_valid_npi(submission.billing_provider_npi):
            edits.append(_Edit("562", "85"))
        if not submission.lines:
            edits.append(_Edit("21", "85"))
        elif sum(line.charge for line in submission.lines) != submission.total_charge:
            edits.append(_Edit("178", "85"))
        return edits

    def _record(self, submission: ClaimSubmission, control_number: str) -> Claim:
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
                lookup("icd10cm", icd10_with_dot(code)) for code in submission.diagnoses
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

    def received(self) -> tuple[Claim, ...]:
        """Every claim accepted since start, in arrival order."""
        return tuple(self._claims.values())

    def claims_of(
        self,
        member_id: str,
        since: date | None = None,
        status: ClaimStatusFilter = ClaimStatusFilter.ALL,
    ) -> tuple[Claim, ...]:
        """The book's claims of a member plus the ones received, newest first."""
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
        for claim in self._claims.values():
            if payer_claim_id and claim.payer_claim_id == payer_claim_id:
                return claim
            if not payer_claim_id and control_number and claim.control_number == control_number:
                return claim
        return self.book.find_claim(payer_claim_id, control_number)
