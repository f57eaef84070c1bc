"""A sandbox payer's claims moving on by themselves: acknowledged, maybe pended or waiting for records,
adjudicated, then remitted in the next payment cycle.

The timeline is lazy: nothing runs in the background; every request first catches the payer up to its
clock's now (:meth:`ClaimTimeline.catch_up`), processing what fell due in time order. Replacements
(frequency 7) supersede their original and voids (frequency 8) reverse it: a remitted payment is
reversed (CLP02 22, negative amounts) in the next remittance. Remittances are one per payee per
cycle; when reversals exceed payments, a forwarding balance (PLB FB) carries the debt to the next.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.model import ClaimPayment, Payment, ProviderAdjustment, SubmissionAck
from payers.sandbox.accumulators import Accumulators
from payers.sandbox.adjudication import ZERO, reversal_of
from payers.sandbox.adjudicator import ClaimFacts, Outcome, adjudicate
from payers.sandbox.clock import SandboxClock
from payers.sandbox.crossover import SandboxNetwork, forwarded_claim
from payers.sandbox.policy import PayerPolicy, is_unlisted
from payers.sandbox.world import SandboxPayerBook

# stages a claim goes through; "waiting" ones have a due time
RECEIVED, PENDED, INFO, ADJUDICATED, REMITTED = (
    "received",
    "pended",
    "info",
    "adjudicated",
    "remitted",
)
MANUAL, SUPERSEDED, VOIDED, DONE = "manual", "superseded", "voided", "done"
_WAITING = (RECEIVED, PENDED, INFO)

StatusSetter = Callable[[str, str, str | None, str | None, Outcome | None], None]


@dataclass
class ClaimRecord:
    """One received claim on the payer's timeline."""

    control_number: str
    payer_claim_id: str
    submission: Any  # ClaimSubmission
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


class ClaimTimeline:
    """The payer's received claims by control number, its payment cycles and its remittances."""

    def __init__(
        self,
        book: SandboxPayerBook,
        policy: PayerPolicy,
        clock: SandboxClock,
        accumulators: Accumulators,
        set_status: StatusSetter,
        network: SandboxNetwork | None = None,
    ) -> None:
        self.book, self.policy, self.clock = book, policy, clock
        self.accumulators = accumulators
        self.set_status = set_status
        self.network = network
        self.reset()

    def reset(self) -> None:
        self.records: dict[str, ClaimRecord] = {}
        self.ready: list[tuple[datetime, ClaimPayment, str]] = []  # (ready at, payment, payee)
        self.remittances: list[Payment] = []
        self.owed: dict[str, Decimal] = {}  # forwarding balance by payee NPI
        self.progress = Progress()

    # --- receipt ---------------------------------------------------------------------------------

    def original_of(self, payer_claim_id: str | None) -> ClaimRecord | None:
        """The live claim a replacement or void names, by payer claim id."""
        for record in self.records.values():
            if record.payer_claim_id == payer_claim_id and record.stage not in (
                SUPERSEDED,
                VOIDED,
            ):
                return None if record.is_void else record
        return None

    def family_id(self, original: ClaimRecord) -> str:
        """The next payer claim id in the original's family (same number, a new suffix)."""
        base = original.payer_claim_id.split("-")[0]
        root = next((r for r in self.records.values() if r.payer_claim_id == base), original)
        root.replacements += 1
        return f"{base}-{root.replacements:02d}"

    def add(self, control_number: str, payer_claim_id: str, submission: Any) -> None:
        now = self.clock.now()
        due = now + timedelta(seconds=self.clock.settings.adjudicate_after_seconds)
        original = None
        if submission.frequency_code in ("7", "8"):
            original = self.original_of(submission.original_payer_claim_id)
        self.records[control_number] = ClaimRecord(
            control_number, payer_claim_id, submission, now, due, original=original
        )

    def take_manual(self, control_number: str) -> None:
        """A test set this claim's status by hand: the payer leaves it alone from now on."""
        record = self.records.get(control_number)
        if record is not None and record.stage in _WAITING:
            record.stage, record.due = MANUAL, None

    # --- time ------------------------------------------------------------------------------------

    def _next_due(self) -> ClaimRecord | None:
        waiting = [r for r in self.records.values() if r.stage in _WAITING and r.due is not None]
        return min(waiting, key=lambda r: (r.due, r.received_at), default=None)

    def _next_cycle(self) -> datetime | None:
        cycle = self.clock.settings.payment_cycle_seconds
        if not self.ready or cycle <= 0:
            return None
        first = min(at for at, _, _ in self.ready)
        k = max(1, math.ceil((first - self.clock.start).total_seconds() / cycle))
        return self.clock.start + timedelta(seconds=k * cycle)

    def catch_up(self) -> Progress:
        """Process everything due by now; what moved since the last call."""
        now = self.clock.now()
        while True:
            record, cycle = self._next_due(), self._next_cycle()
            if record is not None and record.due is not None and record.due <= now:
                if cycle is None or record.due <= cycle:
                    self._step(record, record.due)
                    continue
            if cycle is not None and cycle <= now:
                self._cut(cycle)
                continue
            break
        if self.ready and self.clock.settings.payment_cycle_seconds <= 0:
            self._cut(now)
        progress, self.progress = self.progress, Progress()
        return progress

    def next_event(self) -> datetime | None:
        """When something will next happen (None: idle)."""
        record, cycle = self._next_due(), self._next_cycle()
        times = [t for t in (record.due if record else None, cycle) if t is not None]
        return min(times, default=None)

    def run_until_idle(self) -> Progress:
        """Move the clock on until every claim is adjudicated and remitted."""
        total = self.catch_up()
        for _ in range(10_000):  # each pass settles at least one event; this only bounds a bug
            moment = self.next_event()
            if moment is None:
                break
            self.clock.advance_to(moment)
            step = self.catch_up()
            total.moved += step.moved
            total.remittances += step.remittances
        return total

    # --- one claim -------------------------------------------------------------------------------

    def _step(self, record: ClaimRecord, at: datetime) -> None:
        settings = self.clock.settings
        if record.stage == RECEIVED and record.is_void:
            self._void(record, at)
            return
        if record.stage == RECEIVED:
            submission = record.submission
            if submission.total_charge > self.policy.pend_over:
                self._wait(record, PENDED, "P1", "20", None, at + _seconds(settings.pend_seconds))
                return
            if any(is_unlisted(line.procedure.code) for line in submission.lines):
                self._wait(record, INFO, "R4", "123", "85", at + _seconds(settings.pend_seconds))
                return
        self._adjudicate(record, at)

    def _wait(
        self, record: ClaimRecord, stage: str, category: str, status: str, entity: str | None,
        until: datetime,
    ) -> None:  # fmt: skip
        record.stage, record.due = stage, until
        self.set_status(record.control_number, category, status, entity, None)
        self._moved(record, category, status)

    def _adjudicate(self, record: ClaimRecord, at: datetime) -> None:
        if record.original is not None:
            self._undo(record.original, at, SUPERSEDED)
        member = self.book.members[record.submission.member.member_id.strip().upper()]
        target = None
        if self.policy.crossover and self.network is not None:
            target = self.network.secondary_of(self.book.key, member)
        facts = ClaimFacts(
            submission=record.submission,
            control_number=record.control_number,
            payer_claim_id=record.payer_claim_id,
            received_on=record.received_at.date(),
            member=member,
            deductible_left=self.accumulators.remaining_deductible(member.member_id),
            duplicate=self._is_duplicate(record),
            forwarded_to=target[0] if target else None,
        )
        outcome = adjudicate(self.book, self.policy, facts)
        if outcome.payment.status.code == "4":
            outcome = replace(outcome, payment=replace(outcome.payment, remarks=()))
        self.accumulators.record(member.member_id, outcome.deductible, outcome.patient_share)
        record.stage, record.due, record.outcome = ADJUDICATED, None, outcome
        self.set_status(
            record.control_number, outcome.category, outcome.status, outcome.entity, outcome
        )
        self._moved(record, outcome.category, outcome.status)
        self.ready.append((at, outcome.payment, record.submission.billing_provider_npi))
        if target is not None and self.network is not None and outcome.payment.status.code == "19":
            self.network.forward(
                target[0],
                forwarded_claim(self.book, record.submission, outcome, target[1], at.date()),
                record.control_number,
            )

    def _is_duplicate(self, record: ClaimRecord) -> bool:
        """Another live claim for the same member, dates, codes and charges (not its original)."""
        mine = _fingerprint(record.submission)
        for other in self.records.values():
            if (
                other is not record
                and other is not record.original
                and other.stage in (ADJUDICATED, REMITTED)
                and not other.is_void
                and other.received_at <= record.received_at
                and _fingerprint(other.submission) == mine
            ):
                return True
        return False

    def _void(self, record: ClaimRecord, at: datetime) -> None:
        if record.original is not None:
            self._undo(record.original, at, VOIDED)
        record.stage, record.due = DONE, None  # a void is acknowledged, never paid itself
        self._moved(record, "A1", "19")

    def _undo(self, original: ClaimRecord, at: datetime, stage: str) -> None:
        """Take ``original`` back: off the schedule, out of the queue, or reversed if remitted."""
        if original.stage == ADJUDICATED:
            self.ready = [r for r in self.ready if r[1] is not _payment(original)]
        if original.outcome is not None and original.stage in (ADJUDICATED, REMITTED):
            self.accumulators.record(
                original.outcome.payment.member_id or "",
                -original.outcome.deductible,
                -original.outcome.patient_share,
            )
        if original.remitted is not None and original.remitted.paid != 0:
            payee = original.submission.billing_provider_npi
            self.ready.append((at, reversal_of(original.remitted), payee))
        original.remitted = None
        original.stage, original.due = stage, None
        self.set_status(original.control_number, "F0", None, None, None)

    def _moved(self, record: ClaimRecord, category: str, status: str) -> None:
        self.progress.moved.append(
            {
                "control_number": record.control_number,
                "payer_claim_id": record.payer_claim_id,
                "stage": record.stage,
                "category": category,
                "status": status,
            }
        )

    # --- payment cycles --------------------------------------------------------------------------

    def _cut(self, at: datetime) -> None:
        """One remittance per payee of everything adjudicated by ``at``."""
        due = [r for r in self.ready if r[0] <= at]
        self.ready = [r for r in self.ready if r[0] > at]
        by_payee: dict[str, list[ClaimPayment]] = {}
        for _, payment, payee in due:
            by_payee.setdefault(payee, []).append(payment)
        for payee, claims in by_payee.items():
            self.remittances.append(self._remittance(at, payee, claims))
            self.progress.remittances.append(self.remittances[-1].trace_number)
        for _, payment, _ in due:
            record = self.records.get(payment.control_number or "")
            if record is not None and payment.status.code != "22" and record.stage == ADJUDICATED:
                record.stage, record.remitted = REMITTED, payment

    def _remittance(self, at: datetime, payee: str, claims: list[ClaimPayment]) -> Payment:
        total = sum((c.paid for c in claims), ZERO)
        adjustments: list[ProviderAdjustment] = []
        owed = self.owed.get(payee, ZERO)
        reference = claims[-1].payer_claim_id
        if total < 0:  # reversals exceed payments: carry the debt forward (negative PLB FB)
            adjustments.append(ProviderAdjustment(lookup("plb-reason", "FB"), total, reference))
            self.owed[payee] = owed - total
        elif owed > 0 and total > 0:  # recover what an earlier remittance carried forward
            recovered = min(owed, total)
            adjustments.append(ProviderAdjustment(lookup("plb-reason", "FB"), recovered, reference))
            self.owed[payee] = owed - recovered
        sequence = len(self.remittances) + 1
        return Payment(
            payer_id=self.book.key,
            trace_number=f"{self.policy.trace_prefix}{self.clock.start:%y%m%d%H%M%S}{sequence:04d}",
            method=lookup("payment-method", self.policy.payment_method),
            payment_date=at.date(),
            amount=total - sum((a.amount for a in adjustments), ZERO),
            claims=tuple(claims),
            provider_adjustments=tuple(adjustments),
            payee_npi=payee,
        )


def _payment(record: ClaimRecord) -> ClaimPayment | None:
    return record.outcome.payment if record.outcome else None


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _fingerprint(submission: Any) -> tuple[Any, ...]:
    return (
        submission.member.member_id.strip().upper(),
        tuple(
            (line.procedure.code, line.modifiers, line.charge, line.service_date)
            for line in submission.lines
        ),
    )


def rejected_original(control_number: str, submission: Any, received_on: Any) -> SubmissionAck:
    """The front door's answer to a replacement or void naming no live claim of this payer."""
    from payers.model import ClaimState, ClaimStatus

    category = lookup("claim-status-category", "A7")
    status = lookup("claim-status", "21")
    return SubmissionAck(
        accepted=False,
        control_number=control_number,
        status=ClaimStatus(
            state=ClaimState.REJECTED,
            category=category,
            status=status,
            entity=lookup("entity-identifier", "PR"),
            effective_date=received_on,
            control_number=control_number,
            total_charge=submission.total_charge,
            message=f"no claim {submission.original_payer_claim_id!r} to replace or void",
        ),
        reasons=(category, status),
    )
