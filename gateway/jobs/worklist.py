"""What a front desk must act on after one eligibility check: the batch's worklist items.

A pure classification, no I/O. From one check's outcome (the payer's normalized
:class:`~payers.model.EligibilityResult`, or the :class:`CheckFailure` it ended in), the previous
stored result for the same patient at the same payer, and the visit the check was for, it answers
the :class:`WorklistItem` s a person has to do something about, each with a kind code, a sentence
in plain words and the facts behind it::

    INACTIVE               the payer says the coverage is not in force on the visit's date
    COVERAGE_ENDED         ... because it ended (end_date)
    MEMBER_NOT_FOUND       the payer matched no member (reasons: AAA 72/73/75/71...)
    PLAN_CHANGED           plan name, group or the payer's plan id differ from the last check
    PAYER_NOT_ANSWERING    the payer was down or timed out on every attempt (attempts)
    CHECK_FAILED           the payer refused the request for another reason, or answered garbage
    DEDUCTIBLE_REMAINING   the deductible is not met (amount_left, Decimal)
    AUTH_REQUIRED          the payer requires prior authorization for the visit's service types
    SERVICE_NOT_COVERED    the plan excludes a service type the visit plans

A check with nothing to act on answers no items. A failure still being retried answers none either:
only a final outcome belongs on the worklist.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gateway.jobs.procedure_service_types import service_type_of
from payers.codesets import lookup, plain_words
from payers.model import Benefit, BenefitKind, Code, CoverageLevel, EligibilityResult, Network, Plan

HEALTH_BENEFIT_PLAN = "30"  # X12 service type "Health Benefit Plan Coverage": applies to any visit


class WorklistKind(enum.StrEnum):
    INACTIVE = "INACTIVE"
    COVERAGE_ENDED = "COVERAGE_ENDED"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    PLAN_CHANGED = "PLAN_CHANGED"
    PAYER_NOT_ANSWERING = "PAYER_NOT_ANSWERING"
    CHECK_FAILED = "CHECK_FAILED"
    DEDUCTIBLE_REMAINING = "DEDUCTIBLE_REMAINING"
    AUTH_REQUIRED = "AUTH_REQUIRED"
    SERVICE_NOT_COVERED = "SERVICE_NOT_COVERED"


#: Adapter error codes (payers/contract.py) meaning "the payer could not answer now".
NOT_ANSWERING_CODES = frozenset({"PAYER_UNAVAILABLE", "PAYER_TIMEOUT"})


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """How a check ended when the payer gave no eligibility answer.

    ``code`` is the adapter's error code (``MEMBER_NOT_FOUND``, ``PAYER_UNAVAILABLE``...),
    ``reasons`` the payer's coded reasons, ``attempts`` how often it was tried, ``final`` False
    while it is still being retried.
    """

    code: str
    reasons: tuple[Code, ...] = ()
    attempts: int = 1
    final: bool = True


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """What the check was for: the visit's day, its service types and planned procedures."""

    day: date
    service_types: tuple[Code, ...] = ()
    procedures: tuple[Code, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanFieldChange:
    """One plan field the payer states differently from the last check."""

    field: str  # "plan name" | "group number" | "group name" | "plan id"
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class WorklistItem:
    """One thing to act on, with the facts behind it (only those its kind has are set)."""

    kind: WorklistKind
    explanation: str
    end_date: date | None = None
    start_date: date | None = None
    amount_left: Decimal | None = None
    deductible_amount: Decimal | None = None
    changes: tuple[PlanFieldChange, ...] = ()
    service_types: tuple[Code, ...] = ()
    procedures: tuple[Code, ...] = ()
    reasons: tuple[Code, ...] = ()
    attempts: int | None = None
    error_code: str | None = None


def classify(
    outcome: EligibilityResult | CheckFailure,
    previous: EligibilityResult | None = None,
    visit: PlannedVisit | None = None,
) -> tuple[WorklistItem, ...]:
    """The worklist items of one check (see the module docstring for the kinds)."""
    if isinstance(outcome, CheckFailure):
        return _failure_items(outcome)
    if not outcome.active:
        return (_inactive_item(outcome),)
    wanted = _visit_service_types(visit)
    items: list[WorklistItem] = []
    if previous is not None and previous.active:
        items += _plan_changed(previous.plan, outcome.plan)
    items += _deductible(outcome.benefits, wanted)
    if visit is not None:
        items += _auth_required(outcome.benefits, visit, wanted)
        items += _not_covered(outcome.benefits, wanted)
    return tuple(items)


def spoken_date(day: date) -> str:
    """A date as a front desk says it: "November 30, 2026"."""
    return f"{day:%B} {day.day}, {day.year}"


def spoken_money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


# --- failures ---------------------------------------------------------------------------------------


def _failure_items(failure: CheckFailure) -> tuple[WorklistItem, ...]:
    if not failure.final:
        return ()
    if failure.code == "MEMBER_NOT_FOUND":
        # the payer's reasons in our words say what to look at; without them, everything it matches on
        advice = " ".join(dict.fromkeys(w for w in map(plain_words, failure.reasons) if w)) or (
            "Check the member ID, name and birth date against the insurance card."
        )
        return (
            WorklistItem(
                WorklistKind.MEMBER_NOT_FOUND,
                f"The payer found no member matching this coverage. {advice} Correct the "
                "coverage, then check again.",
                reasons=failure.reasons,
                error_code=failure.code,
            ),
        )
    if failure.code in NOT_ANSWERING_CODES:
        tries = "once" if failure.attempts == 1 else f"{failure.attempts} times"
        return (
            WorklistItem(
                WorklistKind.PAYER_NOT_ANSWERING,
                f"The payer did not answer (tried {tries}, the last retry has passed). Check "
                "eligibility again before the visit or call the payer.",
                attempts=failure.attempts,
                reasons=failure.reasons,
                error_code=failure.code,
            ),
        )
    described = "; ".join(f"{c.code} {c.description}" for c in failure.reasons)
    why = (
        "The payer's answer could not be read."
        if failure.code == "PAYER_PROTOCOL_ERROR"
        else "The payer refused the eligibility request"
        + (f" ({described})." if described else ".")
    )
    return (
        WorklistItem(
            WorklistKind.CHECK_FAILED,
            f"{why} Check eligibility by phone or on the payer's portal.",
            reasons=failure.reasons,
            attempts=failure.attempts,
            error_code=failure.code,
        ),
    )


# --- coverage not in force ------------------------------------------------------------------------------


def _inactive_item(result: EligibilityResult) -> WorklistItem:
    plan = result.plan or Plan()
    on = spoken_date(result.as_of)
    if plan.end is not None and plan.end < result.as_of:
        return WorklistItem(
            WorklistKind.COVERAGE_ENDED,
            f"Coverage ended on {spoken_date(plan.end)}, before the visit on {on}. Ask the "
            "patient for their current insurance card, or collect as self-pay.",
            end_date=plan.end,
            start_date=plan.start,
        )
    if plan.start is not None and plan.start > result.as_of:
        return WorklistItem(
            WorklistKind.INACTIVE,
            f"Coverage starts on {spoken_date(plan.start)}, after the visit on {on}. Ask the "
            "patient for the insurance in force on the visit's date.",
            start_date=plan.start,
            end_date=plan.end,
        )
    return WorklistItem(
        WorklistKind.INACTIVE,
        f"The payer says this coverage is not active on {on}. Ask the patient for their current "
        "insurance card, or call the payer.",
        start_date=plan.start,
        end_date=plan.end,
    )


# --- plan changes -------------------------------------------------------------------------------------


def _plan_changed(before: Plan | None, after: Plan | None) -> list[WorklistItem]:
    if before is None or after is None:
        return []
    changes = [
        PlanFieldChange(label, old, new)
        for label, old, new in (
            ("plan name", before.name, after.name),
            ("group number", before.group_number, after.group_number),
            ("group name", before.group_name, after.group_name),
            ("plan id", before.plan_number, after.plan_number),
        )
        # a field the payer stated only once is not a change: payers omit what they like
        if old and new and _comparable(old) != _comparable(new)
    ]
    if not changes:
        return []
    said = "; ".join(f"{c.field} {c.before} → {c.after}" for c in changes)
    return [
        WorklistItem(
            WorklistKind.PLAN_CHANGED,
            f"The plan changed since the last check ({said}). Update the coverage and ask the "
            "patient for the new card; copays and deductibles may differ.",
            changes=tuple(changes),
            start_date=after.start,
        )
    ]


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- benefits for the visit -----------------------------------------------------------------------------


def _visit_service_types(visit: PlannedVisit | None) -> dict[str, Code]:
    """The visit's service types by code, with those its planned procedures fall under."""
    if visit is None:
        return {}
    found = {st.code: st for st in visit.service_types}
    for procedure in visit.procedures:
        service_type = service_type_of(procedure)
        if service_type is not None:
            found.setdefault(service_type.code, service_type)
    return found


def _applies(benefit: Benefit, wanted: dict[str, Code]) -> bool:
    codes = {st.code for st in benefit.service_types}
    return not codes or HEALTH_BENEFIT_PLAN in codes or bool(codes & wanted.keys())


_NETWORK_PREFERENCE = (Network.IN_NETWORK, Network.BOTH, Network.UNKNOWN, Network.OUT_OF_NETWORK)


def _left(benefit: Benefit) -> Decimal | None:
    if benefit.remaining is not None:
        return benefit.remaining
    if benefit.amount is not None and benefit.used is not None:
        return max(benefit.amount - benefit.used, Decimal(0))
    return None


def _deductible(benefits: Sequence[Benefit], wanted: dict[str, Code]) -> list[WorklistItem]:
    lines = [
        b
        for b in benefits
        if b.kind is BenefitKind.DEDUCTIBLE and _applies(b, wanted) and _left(b) is not None
    ]
    # the practice's own network first: what an in-network visit will apply
    network = next((n for n in _NETWORK_PREFERENCE if any(b.network is n for b in lines)), None)
    lines = [b for b in lines if b.network is network]
    individual = _first(b for b in lines if b.coverage_level is not CoverageLevel.FAMILY)
    family = _first(b for b in lines if b.coverage_level is CoverageLevel.FAMILY)
    stated = [b for b in (individual, family) if b is not None]
    if not stated:
        return []
    # a met family deductible meets every member's, so the smaller amount left is what applies
    left = min(_left(b) or Decimal(0) for b in stated)
    if left <= 0:
        return []
    basis = individual or family
    assert basis is not None
    amount = basis.amount
    of = f" of {spoken_money(amount)}" if amount is not None else ""
    where = {
        Network.IN_NETWORK: " in network",
        Network.OUT_OF_NETWORK: " out of network",
    }.get(basis.network, "")
    return [
        WorklistItem(
            WorklistKind.DEDUCTIBLE_REMAINING,
            f"{spoken_money(left)}{of} deductible left{where}: the patient pays the allowed "
            "amount of covered services until it is met. Collect at check-in.",
            amount_left=left,
            deductible_amount=amount,
        )
    ]


def _first(benefits: Iterable[Benefit]) -> Benefit | None:
    return next(iter(benefits), None)


def _auth_required(
    benefits: Sequence[Benefit], visit: PlannedVisit, wanted: dict[str, Code]
) -> list[WorklistItem]:
    needing: dict[str, Code] = {}
    for benefit in benefits:
        if benefit.authorization_required:
            for st in benefit.service_types:
                if st.code in wanted:
                    needing.setdefault(st.code, wanted[st.code])
    if not needing:
        return []
    procedures = tuple(
        p
        for p in visit.procedures
        if (mapped := service_type_of(p)) is not None and mapped.code in needing
    )
    names = ", ".join(st.description for st in needing.values())
    planned = (
        " Planned: " + "; ".join(f"{p.code} {p.description}" for p in procedures) + "."
        if procedures
        else ""
    )
    return [
        WorklistItem(
            WorklistKind.AUTH_REQUIRED,
            f"The payer requires prior authorization for {names}.{planned} Get the authorization "
            f"number before the visit on {spoken_date(visit.day)}.",
            service_types=tuple(needing.values()),
            procedures=procedures,
        )
    ]


def _not_covered(benefits: Sequence[Benefit], wanted: dict[str, Code]) -> list[WorklistItem]:
    excluded: dict[str, Code] = {}
    messages: list[str] = []
    for benefit in benefits:
        if benefit.kind is BenefitKind.NON_COVERED:
            hits = [st for st in benefit.service_types if st.code in wanted]
            for st in hits:
                excluded.setdefault(st.code, wanted[st.code])
            if hits:
                messages += benefit.messages
    if not excluded:
        return []
    names = ", ".join(st.description for st in excluded.values())
    said = f" The payer says: {' '.join(dict.fromkeys(messages))}" if messages else ""
    return [
        WorklistItem(
            WorklistKind.SERVICE_NOT_COVERED,
            f"The plan does not cover {names}.{said} Tell the patient before the visit; they "
            "would pay for it themselves.",
            service_types=tuple(excluded.values()),
        )
    ]


def service_type(code: str) -> Code:
    """An X12 service type code with its description (for callers building a PlannedVisit)."""
    return lookup("service-type", code)
