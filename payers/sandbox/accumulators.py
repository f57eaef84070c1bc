"""What members have spent toward their deductible and out-of-pocket maximum since the sandbox started.

The world's benefits say how much each member had used when the world was built; claims the sandbox
adjudicates add to that (and reversals take it back), so eligibility answers what is left now. The
family tier accumulates per subscriber: one family member's deductible counts for the whole family.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import replace
from decimal import Decimal

from payers.model import Benefit, BenefitKind, CoverageLevel, Network
from payers.sandbox.world import SandboxMember

ZERO = Decimal("0.00")
_TRACKED = (BenefitKind.DEDUCTIBLE, BenefitKind.OUT_OF_POCKET)


class Accumulators:
    """In-network deductible and out-of-pocket spending added by adjudicated claims."""

    def __init__(
        self, members: Mapping[str, SandboxMember], base: Mapping[str, tuple[Benefit, ...]]
    ):
        self.members = members
        self.base = base
        self._spent: defaultdict[tuple[BenefitKind, str], Decimal] = defaultdict(
            Decimal
        )  # (kind, member or family key)

    def reset(self) -> None:
        self._spent.clear()

    @staticmethod
    def _family(member: SandboxMember) -> str:
        return f"family:{member.subscriber_member_id or member.member_id}"

    def _keys(self, member: SandboxMember, level: CoverageLevel | None) -> str:
        return self._family(member) if level is CoverageLevel.FAMILY else member.member_id

    def remaining(self, member_id: str, kind: BenefitKind) -> Decimal | None:
        """In-network deductible (or out-of-pocket) left: the lower of the individual and family
        amounts; None when the plan states none."""
        left = [
            b.remaining
            for b in self.benefits(member_id)
            if b.kind is kind and b.network is Network.IN_NETWORK and b.remaining is not None
        ]
        return max(min(left), ZERO) if left else None

    def remaining_deductible(self, member_id: str) -> Decimal:
        """In-network deductible still to meet (zero when the plan has none)."""
        return self.remaining(member_id, BenefitKind.DEDUCTIBLE) or ZERO

    def record(self, member_id: str, deductible: Decimal, patient_share: Decimal) -> None:
        """Count a claim's deductible and patient share (negative amounts: a reversal)."""
        member = self.members.get(member_id)
        if member is None:
            return
        for kind, amount in (
            (BenefitKind.DEDUCTIBLE, deductible),
            (BenefitKind.OUT_OF_POCKET, patient_share),
        ):
            self._spent[(kind, member.member_id)] += amount
            if member.family:
                self._spent[(kind, self._family(member))] += amount

    def benefits(self, member_id: str) -> tuple[Benefit, ...]:
        """The member's benefit lines with spending since start applied."""
        lines = self.base[member_id]
        member = self.members.get(member_id)
        if member is None:
            return lines
        return tuple(self._applied(member, b) for b in lines)

    def _applied(self, member: SandboxMember, benefit: Benefit) -> Benefit:
        if (
            benefit.kind not in _TRACKED
            or benefit.network is not Network.IN_NETWORK
            or benefit.amount is None
        ):
            return benefit
        spent = self._spent[(benefit.kind, self._keys(member, benefit.coverage_level))]
        if not spent:
            return benefit
        used = min(max((benefit.used or ZERO) + spent, ZERO), benefit.amount)
        return replace(benefit, used=used, remaining=benefit.amount - used)


class LiveBenefits(Mapping[str, tuple[Benefit, ...]]):
    """A book's benefits by member id as they stand now (what eligibility answers)."""

    def __init__(self, accumulators: Accumulators) -> None:
        self.accumulators = accumulators

    def __getitem__(self, member_id: str) -> tuple[Benefit, ...]:
        return self.accumulators.benefits(member_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.accumulators.base)

    def __len__(self) -> int:
        return len(self.accumulators.base)
