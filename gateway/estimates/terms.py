"""What an estimate is computed from and what it answers (pure data, Decimal money, no I/O).

The calculator (calculator.py) takes, per payer in order (primary, then secondary), the member's
:class:`PayerTerms` (benefits reduced to the numbers that price a visit) and, per line, the allowed
amount with where it came from; it answers an :class:`Estimate`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from payers.model import Code, Money, Network

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to cents (how payers round coinsurance)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def dollars(value: Decimal) -> str:
    """$1,234.50 (negative amounts with a minus sign)."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(cents(value)):,.2f}"


class AllowedSource(enum.StrEnum):
    """Where a line's allowed amount came from, best first."""

    LEARNED_FROM_REMITTANCES = "learned_from_remittances"  # the payer's own past allowed amounts
    FEE_SCHEDULE = "fee_schedule"  # the practice's fee schedule for that payer (or any payer)
    CHARGE = "charge"  # nothing known: the full charge (flagged, the estimate is a ceiling)


@dataclass(frozen=True, slots=True)
class AllowedAmount:
    """One line's allowed amount at one payer (for all its units) and where it came from."""

    amount: Money
    source: AllowedSource
    count: int = 0  # remittances it was learned from (LEARNED_FROM_REMITTANCES only)


@dataclass(frozen=True, slots=True)
class EstimateLineInput:
    """A planned procedure: ``charge`` is the line's total (all units), as on a claim line."""

    procedure: Code
    units: Decimal
    charge: Money
    service_type: Code
    preventive: bool = False  # ACA preventive service: no cost sharing in network


@dataclass(frozen=True, slots=True)
class PayerTerms:
    """One payer's cost sharing for the member on the date, in the network that applies.

    ``None`` means the payer did not say (an unknown, listed in :attr:`unknowns`): a missing
    deductible or out-of-pocket maximum is treated as none, a missing coinsurance as 0%.
    ``copays`` maps an X12 service type code to the copay per visit.
    """

    payer_id: str
    payer_name: str
    network: Network
    allowed: tuple[AllowedAmount, ...]  # one per line, in line order
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None
    coinsurance: Decimal | None = None  # fraction: 0.2 = 20%, plan-wide
    coinsurances: dict[str, Decimal] = field(default_factory=dict)  # by service type, when stated
    copays: dict[str, Money] = field(default_factory=dict)
    not_covered: frozenset[str] = (
        frozenset()
    )  # service type codes the plan states it does not cover
    unknowns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PayerShare:
    """What one payer is expected to pay on one line, and the allowed amount it used."""

    payer_id: str
    allowed: AllowedAmount
    pays: Money


@dataclass(frozen=True, slots=True)
class EstimatedLine:
    line: EstimateLineInput
    payers: tuple[PayerShare, ...]
    patient_owes: Money
    steps: tuple[str, ...]  # each step in plain words, in the order the payers apply them


@dataclass(frozen=True, slots=True)
class PayerTotal:
    payer_id: str
    payer_name: str
    network: Network
    pays: Money


@dataclass(frozen=True, slots=True)
class Estimate:
    lines: tuple[EstimatedLine, ...]
    payers: tuple[PayerTotal, ...]
    patient_owes: Money
    total_charge: Money
    unknowns: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        """True when an allowed amount is only the charge: the estimate is a ceiling, not a guess."""
        return any(
            share.allowed.source is AllowedSource.CHARGE
            for line in self.lines
            for share in line.payers
        )
