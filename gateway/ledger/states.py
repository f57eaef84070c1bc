"""A claim's financial state from one claim payment: paid, partially paid, denied or reversed.

- reversed: CLP02 22, the payer takes an earlier payment back (the corrected payment, if any, posts
  anew after it and sets the state again);
- denied: CLP02 4, or nothing paid and nothing left to the patient (only CO/OA/PI/CR adjustments);
- partially_paid: something paid (or left to the patient) but a line or the claim carries a denial-type
  adjustment (CO/OA/PI with a reason that is not a pricing one), or the payer paid less than it
  allowed less the patient's share;
- paid: otherwise (a claim applied entirely to the deductible is paid: the payer processed it and the
  patient owes the rest).
"""

from __future__ import annotations

from decimal import Decimal

from gateway.ledger.balancing import claim_adjustments
from payers.model import Adjustment, ClaimPayment

PAID = "paid"
PARTIALLY_PAID = "partially_paid"
DENIED = "denied"
REVERSED = "reversed"
FINANCIAL_STATES = (PAID, PARTIALLY_PAID, DENIED, REVERSED)

ZERO = Decimal("0.00")

#: CARCs that price a covered service rather than refuse it: the contracted fee (45, 42, 131),
#: multiple-procedure rules (59), processing in excess of charges (94), sequestration (253), an
#: earlier payer's payment (23), incentives and penalties (144, 237).
PRICING_REASONS = frozenset({"23", "42", "45", "59", "94", "131", "144", "237", "253"})


def is_denial(adjustment: Adjustment) -> bool:
    """True for an adjustment that refuses (part of) a service rather than pricing it."""
    return adjustment.group.code in ("CO", "OA", "PI") and (
        adjustment.reason.code not in PRICING_REASONS
    )


def financial_state(claim: ClaimPayment) -> str:
    """The state a claim is in once ``claim`` (one of its claim payments) is posted."""
    status = claim.status.code
    if status == "22":
        return REVERSED
    if status == "4":
        return DENIED
    every = claim_adjustments(claim)
    patient = sum((a.amount for a in every if a.group.code == "PR"), ZERO)
    if claim.paid <= 0 and patient <= 0:
        return DENIED
    if any(is_denial(a) and a.amount > 0 for a in every):
        return PARTIALLY_PAID
    allowed = _allowed(claim)
    if allowed is not None and claim.paid < allowed - patient:
        return PARTIALLY_PAID
    return PAID


def _allowed(claim: ClaimPayment) -> Decimal | None:
    """The allowed amount when every line states one (AMT*B6), else unknown."""
    if not claim.lines or any(line.allowed_amount is None for line in claim.lines):
        return None
    return sum((line.allowed_amount or ZERO for line in claim.lines), ZERO)
