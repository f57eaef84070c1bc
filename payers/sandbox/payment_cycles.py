"""A sandbox payer's payment cycles: adjudicated claim payments wait for the next cycle, which sends
one remittance per payee (a new trace number, EFT or check, the cycle's date).

Amounts balance as an 835 requires: BPR02 = sum(CLP04) - sum(PLB). When a cycle's reversals exceed
its payments, the payer sends nothing and carries the debt as a forwarding balance (PLB FB, negative),
recovered from the payee's next remittance (PLB FB, positive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from payers.codesets import lookup
from payers.model import ClaimPayment, Payment, ProviderAdjustment
from payers.sandbox.adjudication import ZERO
from payers.sandbox.policy import PayerPolicy


@dataclass(frozen=True, slots=True)
class Queued:
    """A claim payment waiting for a payment cycle."""

    ready_at: datetime
    payment: ClaimPayment
    payee_npi: str


class PaymentCycles:
    """Claim payments waiting to be sent, and the remittances sent so far (oldest first)."""

    def __init__(self, payer_id: str, policy: PayerPolicy, start: datetime, every: float) -> None:
        self.payer_id, self.policy = payer_id, policy
        self.start, self.every = start, every
        self.reset()

    def reset(self) -> None:
        self.queued: list[Queued] = []
        self.remittances: list[Payment] = []
        self.owed: dict[str, Decimal] = {}  # forwarding balance by payee NPI

    def queue(self, ready_at: datetime, payment: ClaimPayment, payee_npi: str) -> None:
        self.queued.append(Queued(ready_at, payment, payee_npi))

    def withdraw(self, payment: ClaimPayment | None) -> None:
        """Take a claim payment back before it is sent (its claim was replaced or voided)."""
        self.queued = [q for q in self.queued if q.payment is not payment]

    def next_cycle(self) -> datetime | None:
        """When the next remittance goes out (None: nothing waits, or cycles are immediate)."""
        if not self.queued or self.every <= 0:
            return None
        first = min(q.ready_at for q in self.queued)
        k = max(1, math.ceil((first - self.start).total_seconds() / self.every))
        return self.start + timedelta(seconds=k * self.every)

    def cut(self, at: datetime) -> list[Payment]:
        """Send everything ready by ``at``: one remittance per payee."""
        due = [q for q in self.queued if q.ready_at <= at]
        self.queued = [q for q in self.queued if q.ready_at > at]
        by_payee: dict[str, list[ClaimPayment]] = {}
        for item in due:
            by_payee.setdefault(item.payee_npi, []).append(item.payment)
        sent = [self._remittance(at, payee, claims) for payee, claims in by_payee.items()]
        return sent

    def _remittance(self, at: datetime, payee: str, claims: list[ClaimPayment]) -> Payment:
        total = sum((c.paid for c in claims), ZERO)
        adjustments: list[ProviderAdjustment] = []
        owed = self.owed.get(payee, ZERO)
        reference = claims[-1].payer_claim_id
        forwarding = lookup("plb-reason", "FB")
        if total < 0:  # reversals exceed payments: carry the debt forward
            adjustments.append(ProviderAdjustment(forwarding, total, reference))
            self.owed[payee] = owed - total
        elif owed > 0 and total > 0:  # recover what an earlier remittance carried forward
            recovered = min(owed, total)
            adjustments.append(ProviderAdjustment(forwarding, recovered, reference))
            self.owed[payee] = owed - recovered
        # Unique across restarts too: the gateway deduplicates remittances by payer and trace.
        trace = (
            f"{self.policy.trace_prefix}{self.start:%y%m%d%H%M%S}{len(self.remittances) + 1:04d}"
        )
        payment = Payment(
            payer_id=self.payer_id,
            trace_number=trace,
            method=lookup("payment-method", self.policy.payment_method),
            payment_date=at.date(),
            amount=total - sum((a.amount for a in adjustments), ZERO),
            claims=tuple(claims),
            provider_adjustments=tuple(adjustments),
            payee_npi=payee,
        )
        self.remittances.append(payment)
        return payment
