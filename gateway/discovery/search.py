"""Ask every configured payer at once whether it covers a person, found by demographics only.

Each payer goes through :meth:`gateway.payers.PayerDirectory.call` (its timeout, retries and circuit
breaker; discovery answers are never cached), and each answers one :class:`PayerSearch`: FOUND with
the coverages graded by :mod:`gateway.discovery.matching`, NOT_FOUND, NOT_ANSWERING (down, timed
out, breaker open, unreadable answer) or CANNOT_SEARCH (its adapter declares no coverage discovery).
One payer's failure never hides another's finds.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from gateway.discovery.matching import Confidence, Match, grade
from gateway.errors import PayerCallFailed
from gateway.payers import ConfiguredPayer, PayerDirectory
from payers.contract import Capability
from payers.model import Demographics, DiscoveredCoverage

_NOT_ANSWERING = frozenset({"PAYER_UNAVAILABLE", "PAYER_TIMEOUT", "PAYER_PROTOCOL_ERROR"})
_ORDER = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


class Outcome(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    NOT_ANSWERING = "not_answering"
    CANNOT_SEARCH = "cannot_search"


@dataclass(frozen=True, slots=True)
class GradedCoverage:
    coverage: DiscoveredCoverage
    match: Match


@dataclass(frozen=True, slots=True)
class PayerSearch:
    """One payer's part of a discovery. ``failure`` is the gateway's error (public wording)."""

    payer: ConfiguredPayer
    outcome: Outcome
    found: tuple[GradedCoverage, ...] = ()
    failure: PayerCallFailed | None = None


async def discover(
    payers: PayerDirectory, practice_id: str, who: Demographics
) -> list[PayerSearch]:
    """Every configured payer's answer for ``who``, asked concurrently, in the payers' order."""
    return list(await asyncio.gather(*(_ask(payers, practice_id, p, who) for p in payers.all())))


async def _ask(
    payers: PayerDirectory, practice_id: str, payer: ConfiguredPayer, who: Demographics
) -> PayerSearch:
    if Capability.COVERAGE_DISCOVERY not in payer.capabilities:
        return PayerSearch(payer, Outcome.CANNOT_SEARCH)
    try:
        answer = await payers.call(practice_id, payer.id, Capability.COVERAGE_DISCOVERY, who)
    except PayerCallFailed as exc:
        outcome = Outcome.NOT_ANSWERING if exc.code in _NOT_ANSWERING else Outcome.NOT_FOUND
        return PayerSearch(payer, outcome, failure=exc)
    found = sorted(
        (GradedCoverage(c, grade(who, c.person)) for c in answer.value),
        key=lambda g: _ORDER[g.match.confidence],
    )
    return PayerSearch(payer, Outcome.FOUND if found else Outcome.NOT_FOUND, tuple(found))
