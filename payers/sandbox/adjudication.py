"""How a sandbox payer prices one claim line: allowed amount, cost sharing and the CAS adjustments.

Every settled line satisfies ``charge == paid + sum(adjustments)`` and the patient's share is the
sum of its PR adjustments, exactly as an 835 must balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from payers.codesets import lookup
from payers.model import Adjustment, ClaimLine, ServiceLinePayment

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class LineTerms:
    """How one line is adjudicated: primary cost sharing, a denial, or a secondary's share."""

    copay: Decimal = ZERO
    deductible: Decimal = ZERO
    coinsurance: Decimal = ZERO  # fraction of what is left after copay and deductible
    denial: tuple[str, str, tuple[str, ...]] | None = None  # group, CARC, RARCs
    prior_payer: Decimal | None = None  # OA 23: what the primary payer paid or wrote off


def adjustment(
    group: str, reason: str, amount: Decimal, remarks: tuple[str, ...] = ()
) -> Adjustment:
    """A CAS adjustment with its codes looked up."""
    return Adjustment(
        group=lookup("adjustment-group", group),
        reason=lookup("carc", reason),
        amount=amount,
        remarks=tuple(lookup("rarc", code) for code in remarks),
    )


def settle_line(line: ClaimLine, allowed_rate: Decimal, terms: LineTerms) -> ServiceLinePayment:
    """The remittance of one line under ``terms``; amounts balance to the line charge."""
    charge = line.charge
    adjustments: list[Adjustment] = []
    if terms.denial is not None:
        group, reason, remarks = terms.denial
        adjustments.append(adjustment(group, reason, charge, remarks))
        allowed, paid = ZERO, ZERO
    else:
        if terms.prior_payer is not None:
            adjustments.append(adjustment("OA", "23", terms.prior_payer))
            allowed = charge - terms.prior_payer
        else:
            allowed = cents(charge * allowed_rate)
            if charge > allowed:
                adjustments.append(adjustment("CO", "45", charge - allowed))
        left = allowed
        copay = min(terms.copay, left)
        left -= copay
        deductible = min(terms.deductible, left)
        left -= deductible
        coinsurance = cents(left * terms.coinsurance)
        paid = left - coinsurance
        for group, reason, amount in (
            ("PR", "1", deductible),
            ("PR", "2", coinsurance),
            ("PR", "3", copay),
        ):
            if amount > 0:
                adjustments.append(adjustment(group, reason, amount))
    return ServiceLinePayment(
        procedure=line.procedure,
        charge=charge,
        paid=paid,
        modifiers=line.modifiers,
        units=line.units,
        service_date=line.service_date,
        allowed_amount=allowed,
        adjustments=tuple(adjustments),
    )


def patient_share(adjustments: tuple[Adjustment, ...]) -> Decimal:
    """The sum of the PR (patient responsibility) adjustments."""
    return sum((a.amount for a in adjustments if a.group.code == "PR"), ZERO)
