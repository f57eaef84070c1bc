"""Fold a 271's "remaining" and "year to date" EB lines into the benefit whose amount they qualify.

Payers state an accumulator on several EB lines: the amount for the period (EB06 23 calendar year,
say), what is left (EB06 29, or 33 for a lifetime maximum) and what is used so far (EB06 24). The
model holds them on one :class:`~payers.model.Benefit` ("$3,000, $1,820 left").
"""

from __future__ import annotations

from dataclasses import replace

from payers.model import Benefit

REMAINING_PERIODS = frozenset({"29", "33"})  # remaining, lifetime remaining
USED_PERIODS = frozenset({"24"})  # year to date


def _same_accumulator(line: Benefit, stated: Benefit) -> bool:
    return (
        line.code.code == stated.code.code
        and line.coverage_level == stated.coverage_level
        and line.network == stated.network
        and line.service_types == stated.service_types
        and stated.amount is not None
        # lifetime remaining (33) belongs to a lifetime amount (32), remaining (29) to any other
        and (_period(line) == "33") == (_period(stated) == "32")
    )


def _period(benefit: Benefit) -> str:
    return benefit.time_period.code if benefit.time_period else ""


def fold_accumulators(benefits: list[Benefit]) -> tuple[Benefit, ...]:
    """Fold "remaining" (EB06 29/33) and "year to date" (24) lines into the earlier line stating
    the same accumulator's amount (same EB01, EB02, EB03, EB12), so one Benefit says "$3,000, $1,820
    left" as the model means it. A line with no such earlier line stays a Benefit of its own."""
    folded: list[Benefit] = []
    for line in benefits:
        period = _period(line)
        field_name = "remaining" if period in REMAINING_PERIODS else "used"
        if period in REMAINING_PERIODS | USED_PERIODS:
            for n in range(len(folded) - 1, -1, -1):
                stated = folded[n]
                if getattr(stated, field_name) is None and _same_accumulator(line, stated):
                    folded[n] = replace(
                        stated,
                        **{field_name: getattr(line, field_name)},
                        messages=tuple(dict.fromkeys(stated.messages + line.messages)),
                    )
                    break
            else:
                folded.append(line)
        else:
            folded.append(line)
    return tuple(folded)
