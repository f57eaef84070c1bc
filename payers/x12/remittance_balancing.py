"""835 balancing, reported as findings and never corrected (X12 005010X221A1 section 1.10.2).

- Payment: BPR02 equals the sum of CLP04 less the sum of PLB amounts (a positive PLB amount
  reduces the payment, a negative one adds to it).
- Claim: CLP03 charge less CLP04 paid equals every CAS of the claim, claim-level and line-level;
  CLP05 patient responsibility equals the PR adjustments among them.
- Service line: SVC02 charge less SVC03 paid equals the line's CAS.

Signs are taken as sent: a reversal (CLP02 22) carries negative charge, payment and adjustments, and
balances by the same rules. Amounts are Decimal, compared exactly. A part with something left out
(an unreadable line or adjustment) is not balanced: its error finding already says so, and a
difference computed without the missing piece would only mislead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from payers.model import (
    Adjustment,
    ClaimPayment,
    Finding,
    FindingSeverity,
    ProviderAdjustment,
    ServiceLinePayment,
)

ZERO = Decimal("0")


@dataclass
class Balancing:
    """Where the payment's BPR sits (segment position) and whether all its parts were read."""

    segment: int
    complete: bool = True


def _total(adjustments: Iterable[Adjustment], group: str | None = None) -> Decimal:
    return sum((a.amount for a in adjustments if group is None or a.group.code == group), ZERO)


def _finding(
    code: str, message: str, location: str, segment: int, expected: Decimal, actual: Decimal
) -> Finding:
    return Finding(
        code,
        f"{message} (stated {actual}, the other figures give {expected})",
        FindingSeverity.WARNING,
        location,
        segment,
        expected=expected,
        actual=actual,
    )


def payment_findings(
    amount: Decimal,
    claims: Sequence[ClaimPayment],
    provider: Sequence[ProviderAdjustment],
    balancing: Balancing,
) -> list[Finding]:
    """BPR02 against the claim payments and provider adjustments."""
    if not balancing.complete:
        return []
    expected = sum((c.paid for c in claims), ZERO) - sum((p.amount for p in provider), ZERO)
    if expected == amount:
        return []
    return [
        _finding(
            "835_PAYMENT_UNBALANCED",
            "BPR02 total payment is not the claim payments (CLP04) less the provider "
            "adjustments (PLB)",
            "BPR",
            balancing.segment,
            expected,
            amount,
        )
    ]


def claim_findings(
    claim: ClaimPayment, location: str, segment: int, *, complete: bool
) -> list[Finding]:
    """A claim's charge, payment and adjustments; its patient responsibility against PR."""
    if not complete:
        return []
    every = list(claim.adjustments) + [a for line in claim.lines for a in line.adjustments]
    found = []
    adjusted = _total(every)
    if claim.charge - claim.paid != adjusted:
        found.append(
            _finding(
                "835_CLAIM_UNBALANCED",
                "CLP03 charge less CLP04 payment is not the sum of the claim's adjustments "
                "(claim and service-line CAS)",
                location,
                segment,
                claim.paid + adjusted,
                claim.charge,
            )
        )
    patient = _total(every, "PR")
    if claim.patient_responsibility is not None and claim.patient_responsibility != patient:
        found.append(
            _finding(
                "835_PATIENT_RESPONSIBILITY_MISMATCH",
                "CLP05 patient responsibility is not the sum of the PR adjustments",
                location,
                segment,
                patient,
                claim.patient_responsibility,
            )
        )
    return found


def line_findings(
    line: ServiceLinePayment, location: str, segment: int, complete: bool
) -> list[Finding]:
    """A service line's charge less payment against its adjustments."""
    adjusted = _total(line.adjustments)
    if not complete or line.charge - line.paid == adjusted:
        return []
    return [
        _finding(
            "835_LINE_UNBALANCED",
            "SVC02 charge less SVC03 payment is not the sum of the line's adjustments (CAS)",
            location,
            segment,
            line.paid + adjusted,
            line.charge,
        )
    ]
