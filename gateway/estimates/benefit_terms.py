"""A payer's eligibility answer read into the numbers that price a visit (pure, no I/O).

Which benefit lines count, for the network that applies (the caller says whether the provider is in
or out of network at that payer; the gateway does not store participation):

- a line stated for exactly that network wins over one stated for both (EB12 W) or not stated;
- deductible and out-of-pocket maximum: the lower of the individual and family amounts left (either
  one being met ends cost sharing for the member), over lines for the whole plan (service type 30)
  or the line's service type; a stated amount without what is left is taken as all left (noted);
- coinsurance and copays: per service type, else the plan-wide (30) line; several copays for one
  service type (primary care and specialist, say): the first the payer lists, the others noted;
- non-covered (EB01 I) service types are the patient's in full.

Anything the payer did not return is listed in plain words as an unknown, with what was assumed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from gateway.estimates.service_types import GENERAL
from gateway.estimates.terms import AllowedAmount, PayerTerms, dollars
from payers.model import Benefit, BenefitKind, CoverageLevel, EligibilityResult, Network

_NETWORK_WORDS = {Network.IN_NETWORK: "in-network", Network.OUT_OF_NETWORK: "out-of-network"}


def _applies(benefit: Benefit, network: Network) -> int:
    """0 for a line stated for ``network``, 1 for both or unstated, -1 for the other network."""
    if benefit.network is network:
        return 0
    if benefit.network in (Network.BOTH, Network.UNKNOWN):
        return 1
    return -1


def _best(benefits: Iterable[Benefit], network: Network) -> list[Benefit]:
    """The lines that apply to ``network``, only those of the most specific rank."""
    ranked = [(rank, b) for b in benefits if (rank := _applies(b, network)) >= 0]
    if not ranked:
        return []
    top = min(rank for rank, _ in ranked)
    return [b for rank, b in ranked if rank == top]


def _types(benefit: Benefit) -> set[str]:
    return {code.code for code in benefit.service_types} or {GENERAL}


def _of(
    benefits: Iterable[Benefit], kind: BenefitKind, types: set[str], network: Network
) -> list[Benefit]:
    """Lines of ``kind`` for ``types`` (or the whole plan) that apply to ``network``."""
    return _best(
        (b for b in benefits if b.kind is kind and _types(b) & (types | {GENERAL})), network
    )


def _accumulator(
    lines: list[Benefit], what: str, payer: str, network: Network, unknowns: list[str]
) -> Decimal | None:
    """What is left: the lower of the individual and family amounts left."""
    left: list[Decimal] = []
    for benefit in lines:
        if benefit.coverage_level not in (None, CoverageLevel.INDIVIDUAL, CoverageLevel.FAMILY):
            continue
        if benefit.remaining is not None:
            left.append(benefit.remaining)
        elif benefit.amount is not None and benefit.used is not None:
            left.append(benefit.amount - benefit.used)
        elif benefit.amount is not None:
            left.append(benefit.amount)
            unknowns.append(
                f"{payer} stated a {what} of {dollars(benefit.amount)} but not how much is left: "
                "all of it is assumed left."
            )
    if not left:
        unknowns.append(
            f"{payer} returned no {_NETWORK_WORDS.get(network, '')} {what}: "
            + (
                "none is assumed."
                if what == "deductible"
                else "your share is not capped in this estimate."
            )
        )
        return None
    return max(min(left), Decimal("0.00"))


def _by_type(
    lines: list[Benefit], types: set[str], value: str
) -> dict[str, list[tuple[Decimal, Benefit]]]:
    found: dict[str, list[tuple[Decimal, Benefit]]] = {}
    for benefit in lines:
        amount = getattr(benefit, value)
        if amount is None:
            continue
        for code in _types(benefit) & (types | {GENERAL}):
            found.setdefault(code, []).append((amount, benefit))
    return found


def payer_terms(
    result: EligibilityResult,
    payer_name: str,
    network: Network,
    service_types: set[str],
    allowed: tuple[AllowedAmount, ...],
) -> PayerTerms:
    """The member's cost sharing at this payer for ``service_types`` in ``network``."""
    unknowns: list[str] = []
    lines = result.benefits
    if lines and not any(_applies(b, network) >= 0 for b in lines):
        unknowns.append(f"{payer_name} returned no {_NETWORK_WORDS.get(network, '')} benefits.")
    deductible = _accumulator(
        _of(lines, BenefitKind.DEDUCTIBLE, {GENERAL}, network),
        "deductible",
        payer_name,
        network,
        unknowns,
    )
    out_of_pocket = _accumulator(
        _of(lines, BenefitKind.OUT_OF_POCKET, {GENERAL}, network),
        "out-of-pocket maximum",
        payer_name,
        network,
        unknowns,
    )
    rates = _by_type(
        _of(lines, BenefitKind.COINSURANCE, service_types, network), service_types, "percent"
    )
    coinsurances = {code: found[0][0] for code, found in rates.items()}
    general_rate = coinsurances.pop(GENERAL, None)
    if general_rate is None and not coinsurances:
        unknowns.append(f"{payer_name} returned no coinsurance: 0% is assumed.")
    copay_lines = _by_type(
        _of(lines, BenefitKind.COPAY, service_types, network), service_types, "amount"
    )
    copays = {}
    for code, found in copay_lines.items():
        copays[code] = found[0][0]
        if len({amount for amount, _ in found}) > 1:
            listed = ", ".join(
                f"{dollars(amount)}" + (f" ({b.messages[0]})" if b.messages else "")
                for amount, b in found
            )
            unknowns.append(
                f"{payer_name} states several copays for {found[0][1].service_types[0].description}"
                f": {listed}; the estimate uses the first, {dollars(found[0][0])}."
            )
    not_covered = frozenset(
        code
        for b in _of(lines, BenefitKind.NON_COVERED, service_types, network)
        for code in _types(b)
    )
    return PayerTerms(
        payer_id=result.payer_id,
        payer_name=payer_name,
        network=network,
        allowed=allowed,
        deductible_remaining=deductible,
        out_of_pocket_remaining=out_of_pocket,
        coinsurance=general_rate,
        coinsurances=coinsurances,
        copays=copays,
        not_covered=not_covered,
        unknowns=tuple(unknowns),
    )
