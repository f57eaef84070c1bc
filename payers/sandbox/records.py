"""A claim on a sandbox payer's timeline: what was received, where it stands, what it was paid.

Claims of the world's history (settled before the sandbox started) join the timeline only when a
replacement or void names them, already remitted (or, when still open, off the schedule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from payers.model import Claim, ClaimPayment, ClaimSubmission, MemberQuery
from payers.sandbox.adjudicator import Outcome
from payers.sandbox.world import SandboxPayerBook

# stages a claim goes through; "waiting" ones have a due time
RECEIVED, PENDED, INFO = "received", "pended", "info"
ADJUDICATED, REMITTED, DONE = "adjudicated", "remitted", "done"
MANUAL, SUPERSEDED, VOIDED = "manual", "superseded", "voided"  # off the schedule
_WAITING = (RECEIVED, PENDED, INFO)  # stages with a due time


@dataclass
class ClaimRecord:
    """One received claim on the payer's timeline."""

    control_number: str
    payer_claim_id: str
    submission: ClaimSubmission
    received_at: datetime
    due: datetime | None
    stage: str = RECEIVED
    original: ClaimRecord | None = None
    outcome: Outcome | None = None
    remitted: ClaimPayment | None = None  # the payment that went out (not yet reversed)
    replacements: int = 0

    @property
    def is_void(self) -> bool:
        return self.submission.frequency_code == "8"


@dataclass
class Progress:
    """What one catch-up moved: claims' new statuses and remittances cut."""

    moved: list[dict[str, Any]] = field(default_factory=list)
    remittances: list[str] = field(default_factory=list)

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {"now": now.isoformat(), "moved": self.moved, "remittances": self.remittances}


def from_history(
    book: SandboxPayerBook, payer_claim_id: str | None, start: datetime
) -> ClaimRecord | None:
    """The world's claim with this payer claim id as a timeline record, if there is one."""
    claim = book.find_claim(payer_claim_id=payer_claim_id) if payer_claim_id else None
    if claim is None or claim.control_number is None:
        return None
    settled = next(
        (
            c
            for p in book.payments
            for c in p.claims
            if c.payer_claim_id == payer_claim_id and c.status.code != "22"
        ),
        None,
    )
    return ClaimRecord(
        control_number=claim.control_number,
        payer_claim_id=claim.payer_claim_id or "",
        submission=_submission(book, claim),
        received_at=start,
        due=None,
        stage=REMITTED if settled is not None else MANUAL,
        remitted=settled,
    )


def _submission(book: SandboxPayerBook, claim: Claim) -> ClaimSubmission:
    member = book.members[claim.member_id]
    person = member.person
    return ClaimSubmission(
        member=MemberQuery(
            member.member_id,
            person.first_name,
            person.last_name,
            person.birth_date,
            member.group_number,
            member.relation,
        ),
        billing_provider_npi=claim.billing_provider_npi or "",
        billing_provider_tax_id="",
        billing_provider_name="",
        rendering_provider_npi=claim.rendering_provider_npi,
        place_of_service=claim.place_of_service.code if claim.place_of_service else "11",
        frequency_code="1",
        diagnoses=tuple(d.code for d in claim.diagnoses),
        lines=claim.lines,
        total_charge=claim.total_charge,
    )
