"""Balancing findings: where a remittance's numbers do not add up, as the payer stated them.

An 835 must balance at three levels (X12 005010X221A1, section 1.10.2): the payment (BPR02 equals the
claim payments less the provider-level adjustments), each claim (charge less paid equals its CAS
adjustments, claim- and line-level; CLP05 equals its PR adjustments) and each service line (charge
less paid equals the line's CAS). A finding is recorded, never fixed: the biller sees what the payer
sent. Each finding is ``{code, message, place, numbers}`` with the numbers as decimal strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from payers.model import Adjustment, ClaimPayment, Finding, FindingSeverity, Payment

ZERO = Decimal("0.00")
#: The parser's own balancing findings, which this module recomputes on what was read.
_RECOMPUTED = frozenset(
    {
        "835_PAYMENT_UNBALANCED",
        "835_CLAIM_UNBALANCED",
        "835_PATIENT_RESPONSIBILITY_MISMATCH",
        "835_LINE_UNBALANCED",
    }
)


def _incomplete(findings: Iterable[Finding]) -> bool:
    """An error finding: a part was left out, so a difference would only mislead."""
    return any(f.severity is FindingSeverity.ERROR for f in findings)


def parser_findings(payment: Payment) -> list[dict[str, Any]]:
    """What the payer's reader reported (a part it could not read, an envelope count...), in the
    ledger's shape; the balancing it also reports is recomputed here, not stored twice."""
    found = [(f, "") for f in payment.findings]
    for ordinal, claim in enumerate(payment.claims, start=1):
        found += [(f, claim_place(ordinal, claim)) for f in claim.findings]
        for number, line in enumerate(claim.lines, start=1):
            place = f"{claim_place(ordinal, claim)}, service line {number}"
            found += [(f, place) for f in line.findings]
    return [
        {
            "code": f.code,
            "message": f.message,
            "place": f.location or place or "remittance",
            "numbers": {
                name: str(value)
                for name, value in (("expected", f.expected), ("actual", f.actual))
                if value is not None
            },
        }
        for f, place in found
        if f.code not in _RECOMPUTED
    ]


def _sum(adjustments: Iterable[Adjustment], *, group: str | None = None) -> Decimal:
    return sum((a.amount for a in adjustments if group is None or a.group.code == group), ZERO)


def claim_adjustments(claim: ClaimPayment) -> list[Adjustment]:
    """Every CAS adjustment of a claim payment, claim-level then each line's."""
    found = list(claim.adjustments)
    for line in claim.lines:
        found += line.adjustments
    return found


def _finding(code: str, message: str, place: str, **numbers: Decimal) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "place": place,
        "numbers": {name: str(value) for name, value in numbers.items()},
    }


def claim_place(ordinal: int, claim: ClaimPayment) -> str:
    """Where a claim payment is in its remittance (our control number is not PHI)."""
    return f"claim payment {ordinal} (CLP01 {claim.control_number or 'missing'})"


def findings(payment: Payment) -> list[dict[str, Any]]:
    """Every place where ``payment`` does not balance (empty when it does)."""
    found: list[dict[str, Any]] = []
    claims_paid = sum((c.paid for c in payment.claims), ZERO)
    provider = sum((p.amount for p in payment.provider_adjustments), ZERO)
    if claims_paid - provider != payment.amount and not _incomplete(payment.findings):
        found.append(
            _finding(
                "PAYMENT_UNBALANCED",
                "The payment amount is not the claim payments less the provider adjustments.",
                "BPR02",
                stated=payment.amount,
                claimsPaid=claims_paid,
                providerAdjustments=provider,
                difference=payment.amount - (claims_paid - provider),
            )
        )
    for ordinal, claim in enumerate(payment.claims, start=1):
        found += claim_findings(ordinal, claim)
    return found


def claim_findings(ordinal: int, claim: ClaimPayment) -> list[dict[str, Any]]:
    """The findings of one claim payment and its service lines."""
    found: list[dict[str, Any]] = []
    place = claim_place(ordinal, claim)
    parts = [claim.findings] + [line.findings for line in claim.lines]
    if any(_incomplete(findings) for findings in parts):
        return found  # the reader left part of this claim out and says so
    every = claim_adjustments(claim)
    adjusted = _sum(every)
    if claim.charge - claim.paid != adjusted:
        found.append(
            _finding(
                "CLAIM_UNBALANCED",
                "The claim's charge less its payment is not the sum of its adjustments.",
                place,
                charge=claim.charge,
                paid=claim.paid,
                adjustments=adjusted,
                difference=claim.charge - claim.paid - adjusted,
            )
        )
    patient = _sum(every, group="PR")
    if claim.patient_responsibility is not None and claim.patient_responsibility != patient:
        found.append(
            _finding(
                "PATIENT_RESPONSIBILITY_MISMATCH",
                "The patient responsibility (CLP05) is not the sum of the PR adjustments.",
                place,
                stated=claim.patient_responsibility,
                adjustments=patient,
                difference=claim.patient_responsibility - patient,
            )
        )
    for number, line in enumerate(claim.lines, start=1):
        line_adjusted = _sum(line.adjustments)
        if line.charge - line.paid != line_adjusted:
            found.append(
                _finding(
                    "LINE_UNBALANCED",
                    "The service line's charge less its payment is not the sum of its adjustments.",
                    f"{place}, service line {number} ({line.procedure.code})",
                    charge=line.charge,
                    paid=line.paid,
                    adjustments=line_adjusted,
                    difference=line.charge - line.paid - line_adjusted,
                )
            )
    return found
