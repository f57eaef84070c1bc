"""How a sandbox payer prices one claim line: allowed amount, cost sharing and the CAS adjustments.

Every settled line satisfies ``charge == paid + sum(adjustments)`` and the patient's share is the
sum of its PR adjustments, exactly as an 835 must balance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from payers.codesets import lookup
from payers.model import Adjustment, ClaimLine, ClaimPayment, ServiceLinePayment

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


def settle_secondary(
    own: ServiceLinePayment, prior_paid: Decimal, prior_contractual: Decimal
) -> ServiceLinePayment:
    """A secondary payer's remittance of a line the primary settled (coordination of benefits).

    ``own`` is the line priced on the secondary's own terms as if it were primary. The secondary
    pays at most that, and never more than the primary left (charge - primary paid - primary CO):
    OA 23 carries the primary's impact, CO 45 what exceeds the secondary's allowed amount, and the
    patient keeps the rest under the secondary's own deductible, copay and coinsurance reasons.
    """
    charge = own.charge
    prior = min(prior_paid + prior_contractual, charge)
    left = charge - prior
    own_allowed = own.allowed_amount if own.allowed_amount is not None else charge
    paid = min(own.paid, left)
    excess = max(left - own_allowed, ZERO)
    patient = left - excess - paid
    adjustments: list[Adjustment] = []
    if prior > 0:
        adjustments.append(adjustment("OA", "23", prior))
    if excess > 0:
        adjustments.append(adjustment("CO", "45", excess))
    own_shares = {a.reason.code: a.amount for a in own.adjustments if a.group.code == "PR"}
    for reason in ("1", "3", "2"):  # deductible first, as the plan applies them
        share = min(own_shares.get(reason, ZERO), patient)
        if share > 0:
            adjustments.append(adjustment("PR", reason, share))
            patient -= share
    if patient > 0:  # only when rounding left a cent: still the patient's
        adjustments.append(adjustment("PR", "2", patient))
    return ServiceLinePayment(
        procedure=own.procedure,
        charge=charge,
        paid=paid,
        modifiers=own.modifiers,
        units=own.units,
        service_date=own.service_date,
        allowed_amount=min(own_allowed, left),
        adjustments=tuple(adjustments),
    )


def _negated(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(a.group, a.reason, -a.amount, a.quantity, a.remarks) for a in adjustments
    )


def reversal_of(payment: ClaimPayment) -> ClaimPayment:
    """The 835 reversal (CLP02 22) of an earlier claim payment: every amount negated."""
    return replace(
        payment,
        status=lookup("claim-payment-status", "22"),
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=(
            None if payment.patient_responsibility is None else -payment.patient_responsibility
        ),
        adjustments=_negated(payment.adjustments),
        lines=tuple(
            replace(
                line,
                charge=-line.charge,
                paid=-line.paid,
                allowed_amount=None if line.allowed_amount is None else -line.allowed_amount,
                adjustments=_negated(line.adjustments),
            )
            for line in payment.lines
        ),
        remarks=(),
    )


def cap_patient_share(settled: ServiceLinePayment, cap: Decimal) -> ServiceLinePayment:
    """``settled`` with the patient's share cut to ``cap`` (out-of-pocket maximum reached): the
    payer pays the rest, coinsurance waived first, then deductible, then copay."""
    excess = patient_share(settled.adjustments) - max(cap, ZERO)
    if excess <= 0:
        return settled
    paid = settled.paid + excess
    order = {"2": 0, "1": 1, "3": 2}
    kept: list[Adjustment] = list(settled.adjustments)
    for reason in sorted(order, key=order.__getitem__):
        for n, item in enumerate(kept):
            if excess > 0 and item.group.code == "PR" and item.reason.code == reason:
                cut = min(item.amount, excess)
                kept[n] = replace(item, amount=item.amount - cut)
                excess -= cut
    return replace(settled, paid=paid, adjustments=tuple(a for a in kept if a.amount != 0))
