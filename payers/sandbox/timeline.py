"""A sandbox payer's claims moving on by themselves: acknowledged, maybe pended or waiting for records,
adjudicated, then remitted in the next payment cycle.

The timeline is lazy: nothing runs in the background; every request first catches the payer up to its
clock's now (:meth:`ClaimTimeline.catch_up`), processing what fell due in time order. Replacements
(frequency 7) supersede their original and voids (frequency 8) reverse it: a remitted payment is
reversed (CLP02 22, negative amounts) in the next remittance. Remittances are one per payee per
cycle; when reversals exceed payments, a forwarding balance (PLB FB) carries the debt to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from payers.model import BenefitKind, ClaimPayment, ClaimSubmission, Payment
from payers.sandbox.accumulators import Accumulators
from payers.sandbox.adjudication import reversal_of
from payers.sandbox.adjudicator import ClaimFacts, Outcome, adjudicate
from payers.sandbox.clock import SandboxClock
from payers.sandbox.crossover import SandboxNetwork, forwarded_claim
from payers.sandbox.payment_cycles import PaymentCycles
from payers.sandbox.policy import PayerPolicy, is_unlisted
from payers.sandbox.records import (
    _WAITING,
    ADJUDICATED,
    DONE,
    INFO,
    MANUAL,
    PENDED,
    RECEIVED,
    REMITTED,
    SUPERSEDED,
    VOIDED,
    ClaimRecord,
    Progress,
    from_history,
)
from payers.sandbox.world import SandboxPayerBook

StatusSetter = Callable[[str, str, str | None, str | None, Outcome | None], None]


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
        self.cycles = PaymentCycles(
            self.book.key, self.policy, self.clock.start, self.clock.settings.payment_cycle_seconds
        )
        self.progress = Progress()

    # --- receipt ---------------------------------------------------------------------------------

    def original_of(self, payer_claim_id: str | None) -> ClaimRecord | None:
        """The live claim a replacement or void names, by payer claim id."""
        for record in self.records.values():
            if record.payer_claim_id == payer_claim_id:
                live = record.stage not in (SUPERSEDED, VOIDED) and not record.is_void
                return record if live else None
        # A claim of the world's history (paid, denied or still open before the sandbox started).
        historic = from_history(self.book, payer_claim_id, self.clock.start)
        if historic is not None:
            self.records[historic.control_number] = historic
        return historic

    def family_id(self, original: ClaimRecord) -> str:
        """The next payer claim id in the original's family (same number, a new suffix)."""
        base = original.payer_claim_id.split("-")[0]
        root = next((r for r in self.records.values() if r.payer_claim_id == base), original)
        root.replacements += 1
        return f"{base}-{root.replacements:02d}"

    def add(self, control_number: str, payer_claim_id: str, submission: ClaimSubmission) -> None:
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

    def catch_up(self) -> Progress:
        """Process everything due by now; what moved since the last call."""
        now = self.clock.now()
        while True:
            record, cycle = self._next_due(), self.cycles.next_cycle()
            if record is not None and record.due is not None and record.due <= now:
                if cycle is None or record.due <= cycle:
                    self._step(record, record.due)
                    continue
            if cycle is not None and cycle <= now:
                self._cut(cycle)
                continue
            break
        if self.cycles.queued and self.clock.settings.payment_cycle_seconds <= 0:
            self._cut(now)
        progress, self.progress = self.progress, Progress()
        return progress

    def next_event(self) -> datetime | None:
        """When something will next happen (None: idle)."""
        record, cycle = self._next_due(), self.cycles.next_cycle()
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
            out_of_pocket_left=self.accumulators.remaining(
                member.member_id, BenefitKind.OUT_OF_POCKET
            ),
            duplicate=self._is_duplicate(record),
            forwarded_to=target[0] if target else None,
        )
        outcome = adjudicate(self.book, self.policy, facts)
        self.accumulators.record(member.member_id, outcome.deductible, outcome.patient_share)
        record.stage, record.due, record.outcome = ADJUDICATED, None, outcome
        self.set_status(
            record.control_number, outcome.category, outcome.status, outcome.entity, outcome
        )
        self._moved(record, outcome.category, outcome.status)
        self.cycles.queue(at, outcome.payment, record.submission.billing_provider_npi)
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
            self.cycles.withdraw(_payment(original))
        if original.outcome is not None and original.stage in (ADJUDICATED, REMITTED):
            self.accumulators.record(
                original.outcome.payment.member_id or "",
                -original.outcome.deductible,
                -original.outcome.patient_share,
            )
        if original.remitted is not None and original.remitted.paid != 0:
            payee = original.submission.billing_provider_npi
            self.cycles.queue(at, reversal_of(original.remitted), payee)
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
        """Run the payment cycle at ``at``; the claims it paid count as remitted."""
        for remittance in self.cycles.cut(at):
            self.progress.remittances.append(remittance.trace_number)
            for payment in remittance.claims:
                record = self.records.get(payment.control_number or "")
                if (
                    record is not None
                    and record.stage == ADJUDICATED
                    and payment.status.code != "22"
                ):
                    record.stage, record.remitted = REMITTED, payment

    @property
    def remittances(self) -> list[Payment]:
        """Every remittance sent since start, oldest first."""
        return self.cycles.remittances


def _payment(record: ClaimRecord) -> ClaimPayment | None:
    return record.outcome.payment if record.outcome else None


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _fingerprint(submission: ClaimSubmission) -> tuple[Any, ...]:
    return (
        submission.member.member_id.strip().upper(),
        tuple(
            (line.procedure.code, line.modifiers, line.charge, line.service_date)
            for line in submission.lines
        ),
    )
