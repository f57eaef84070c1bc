"""The patient's share of a planned visit, line by line, primary then secondary (pure, no I/O).

The rules, as a payer applies them to a claim:

Primary, per line in order:
1. The allowed amount is the lower of the line's allowed amount and its charge. In network the
   provider writes off the rest; out of network the provider may bill the patient for it.
2. A service the plan says it does not cover is the patient's in full; a preventive service in
   network (ACA) has no cost sharing.
3. A copay for the line's service type replaces deductible and coinsurance, once per visit per
   service type (a second line of that type goes to deductible and coinsurance).
4. Otherwise the deductible left takes the allowed amount first; the coinsurance is applied to what
   remains (rounded half-up to the cent per line). The deductible left carries to the next line.
5. The out-of-pocket maximum left caps the patient's share: coinsurance is waived first, then
   deductible, then copay; the payer pays the rest. What is left carries to the next line.

Secondary (traditional coordination of benefits), per line:
- The secondary prices the line as if it were primary (its own allowed amount and cost sharing):
  that is its normal liability. It pays the lesser of that and what the primary left to the patient.
- When in network with the secondary, whatever the primary left above the secondary's allowed amount
  is written off by the provider. The patient owes the rest, counted to the secondary's deductible
  first, then copay, then coinsurance, and capped by the secondary's out-of-pocket maximum left.
This is how the sandbox payers adjudicate (payers/sandbox/adjudication.py), so end-to-end tests can
compare to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.estimates.terms import (
    ZERO,
    AllowedSource,
    Estimate,
    EstimatedLine,
    EstimateLineInput,
    PayerShare,
    PayerTerms,
    PayerTotal,
    cents,
    dollars,
)
from payers.model import Network

_SOURCE_WORDS = {
    AllowedSource.LEARNED_FROM_REMITTANCES: "learned from {count} past remittance(s) of this payer",
    AllowedSource.FEE_SCHEDULE: "from the practice's fee schedule",
    AllowedSource.CHARGE: "no allowed amount known: the full charge is assumed, so this is a ceiling",
}


@dataclass(slots=True)
class _Accumulators:
    """What is left of one payer's deductible and out-of-pocket maximum as lines consume them."""

    deductible: Decimal | None
    out_of_pocket: Decimal | None
    copays_taken: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Sharing:
    """The patient's cost sharing on one line at one payer."""

    deductible: Decimal = ZERO
    copay: Decimal = ZERO
    coinsurance: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.deductible + self.copay + self.coinsurance


def _capped(sharing: _Sharing, cap: Decimal | None) -> _Sharing:
    """``sharing`` cut to ``cap``: coinsurance waived first, then deductible, then copay."""
    if cap is None or sharing.total <= cap:
        return sharing
    excess = sharing.total - max(cap, ZERO)
    coinsurance = sharing.coinsurance - min(sharing.coinsurance, excess)
    excess -= sharing.coinsurance - coinsurance
    deductible = sharing.deductible - min(sharing.deductible, excess)
    excess -= sharing.deductible - deductible
    copay = sharing.copay - min(sharing.copay, excess)
    return _Sharing(deductible, copay, coinsurance)


def _own_sharing(
    line: EstimateLineInput, allowed: Decimal, terms: PayerTerms, left: _Accumulators
) -> tuple[_Sharing, list[str]]:
    """The cost sharing the payer's own plan puts on ``allowed`` (before the out-of-pocket cap)."""
    steps: list[str] = []
    service = line.service_type
    copay = terms.copays.get(service.code)
    if copay is not None and service.code not in left.copays_taken:
        left.copays_taken.add(service.code)
        charged = min(copay, allowed)
        steps.append(
            f"Copay for {service.description}: {dollars(charged)}; no deductible or coinsurance "
            "on this line."
        )
        return _Sharing(copay=charged), steps
    deductible = ZERO
    if left.deductible is not None and left.deductible > 0:
        deductible = min(left.deductible, allowed)
        steps.append(
            f"{dollars(deductible)} goes to the deductible, {dollars(left.deductible)} left before."
        )
    elif left.deductible is not None:
        steps.append("The deductible is met: none of this line goes to it.")
    rest = allowed - deductible
    rate = terms.coinsurances.get(service.code, terms.coinsurance) or ZERO
    coinsurance = cents(rest * rate)
    if rest > 0:
        steps.append(
            f"{rate * 100:.0f}% coinsurance on the remaining {dollars(rest)}: {dollars(coinsurance)}."
        )
    return _Sharing(deductible=deductible, coinsurance=coinsurance), steps


def _apply_cap(
    sharing: _Sharing, left: _Accumulators, payer_name: str, steps: list[str]
) -> _Sharing:
    capped = _capped(sharing, left.out_of_pocket)
    if capped != sharing:
        steps.append(
            f"Out-of-pocket maximum: only {dollars(max(left.out_of_pocket or ZERO, ZERO))} was left, "
            f"so your share is {dollars(capped.total)} instead of {dollars(sharing.total)}; "
            f"{payer_name} pays the difference."
        )
    if left.deductible is not None:
        left.deductible -= capped.deductible
    if left.out_of_pocket is not None:
        left.out_of_pocket = max(left.out_of_pocket - capped.total, ZERO)
    return capped


def _allowed_words(terms: PayerTerms, index: int, line: EstimateLineInput) -> tuple[Decimal, str]:
    known = terms.allowed[index]
    allowed = min(known.amount, line.charge)
    source = _SOURCE_WORDS[known.source].format(count=known.count)
    return (
        allowed,
        f"{terms.payer_name} allows {dollars(allowed)} of the {dollars(line.charge)} charge ({source}).",
    )


def _primary(
    index: int, line: EstimateLineInput, terms: PayerTerms, left: _Accumulators
) -> tuple[Decimal, Decimal, list[str]]:
    """(payer pays, patient owes after this payer, steps) for the primary payer."""
    allowed, said = _allowed_words(terms, index, line)
    steps = [said]
    above = line.charge - allowed
    if terms.network is Network.OUT_OF_NETWORK:
        balance = above
        if above > 0:
            steps.append(
                f"Out of network: the provider may bill you the {dollars(above)} above the allowed "
                "amount."
            )
    else:
        balance = ZERO
        if above > 0:
            steps.append(f"In network: the provider writes off the {dollars(above)} above it.")
    if line.service_type.code in terms.not_covered:
        steps.append(
            f"{terms.payer_name} does not cover {line.service_type.description}: the whole "
            f"{dollars(line.charge)} is yours."
        )
        return ZERO, line.charge, steps
    if line.preventive and terms.network is not Network.OUT_OF_NETWORK:
        steps.append("Preventive care in network: no deductible, copay or coinsurance.")
        steps.append(f"{terms.payer_name} pays {dollars(allowed)}.")
        return allowed, balance, steps
    sharing, more = _own_sharing(line, allowed, terms, left)
    steps += more
    sharing = _apply_cap(sharing, left, terms.payer_name, steps)
    pays = allowed - sharing.total
    steps.append(f"{terms.payer_name} pays {dollars(pays)}.")
    return pays, sharing.total + balance, steps


def _secondary(
    index: int, line: EstimateLineInput, terms: PayerTerms, left: _Accumulators, owed: Decimal
) -> tuple[Decimal, Decimal, list[str]]:
    """(payer pays, patient owes after this payer, steps) for a payer after the first."""
    allowed, said = _allowed_words(terms, index, line)
    steps = [said]
    if owed <= 0:
        steps.append(f"Nothing is left for {terms.payer_name} to pay.")
        return ZERO, owed, steps
    if line.service_type.code in terms.not_covered:
        steps.append(f"{terms.payer_name} does not cover {line.service_type.description}.")
        return ZERO, owed, steps
    own, _as_primary_steps = _own_sharing(line, allowed, terms, left)
    liability = allowed - own.total
    pays = min(liability, owed)
    excess = ZERO
    if terms.network is not Network.OUT_OF_NETWORK:
        excess = max(owed - allowed, ZERO)
    patient = owed - excess - pays
    steps.append(
        f"As primary it would pay {dollars(liability)}; as secondary it pays at most the "
        f"{dollars(owed)} the earlier payer left: {dollars(pays)}."
    )
    if excess > 0:
        steps.append(
            f"In network: the provider writes off the {dollars(excess)} above its allowed amount."
        )
    # What the patient still owes is counted to this plan's own cost sharing: deductible first.
    remaining = patient
    parts = {}
    for name in ("deductible", "copay", "coinsurance"):
        parts[name] = min(getattr(own, name), remaining)
        remaining -= parts[name]
    kept = _Sharing(parts["deductible"], parts["copay"], parts["coinsurance"] + remaining)
    if kept.deductible > 0:
        steps.append(f"Of what is left, {dollars(kept.deductible)} counts to its deductible.")
    capped = _apply_cap(kept, left, terms.payer_name, steps)
    pays += kept.total - capped.total
    steps.append(f"{terms.payer_name} pays {dollars(pays)}.")
    return pays, capped.total, steps


def estimate(lines: Sequence[EstimateLineInput], payers: Sequence[PayerTerms]) -> Estimate:
    """The patient's and each payer's share of ``lines`` under ``payers`` (primary first)."""
    for terms in payers:
        if len(terms.allowed) != len(lines):
            raise ValueError(f"{terms.payer_id}: one allowed amount per line is needed")
    left = [_Accumulators(t.deductible_remaining, t.out_of_pocket_remaining) for t in payers]
    totals = [ZERO for _ in payers]
    estimated = []
    for index, line in enumerate(lines):
        steps: list[str] = []
        shares = []
        owed = line.charge
        for n, terms in enumerate(payers):
            if n == 0:
                pays, owed, more = _primary(index, line, terms, left[n])
            else:
                pays, owed, more = _secondary(index, line, terms, left[n], owed)
            steps += more
            totals[n] += pays
            shares.append(PayerShare(terms.payer_id, terms.allowed[index], pays))
        if not payers:
            steps.append("No active coverage: the whole charge is yours.")
        steps.append(f"You owe {dollars(owed)} for this line.")
        estimated.append(EstimatedLine(line, tuple(shares), owed, tuple(steps)))
    unknowns = tuple(dict.fromkeys(u for t in payers for u in t.unknowns))
    return Estimate(
        lines=tuple(estimated),
        payers=tuple(
            PayerTotal(t.payer_id, t.payer_name, t.network, total)
            for t, total in zip(payers, totals, strict=True)
        ),
        patient_owes=sum((e.patient_owes for e in estimated), ZERO),
        total_charge=sum((line.charge for line in lines), ZERO),
        unknowns=unknowns,
    )
