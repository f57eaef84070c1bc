"""FHIR Coverage -> member id, plan (group/plan classes), relation, order, period, payor.

Member id: the identifier typed ``MB`` (member number, as CARIN profiles it), else ``subscriberId``,
else the first identifier. Plan: ``class`` group -> group number/name, ``plan`` -> plan number/name;
when a payer states only ``subgroup``/``subplan`` (Blue Button: "Medicare" / "Part A") those name
the group and the plan. Every class entry is also kept as stated (type, value, name: rxbin, rxpcn,
division...), with the coverage's ``type``, ``network`` and ``dependent`` number. The card's cost
sharing (``costToBeneficiary``) becomes benefits (:mod:`payers.fhir.cost_to_beneficiary`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from payers.codesets import lookup
from payers.fhir.cost_to_beneficiary import cost_benefits
from payers.fhir.resources import ParsedResource
from payers.fhir.terminology import (
    COVERAGE_CLASS,
    MEMBER_NUMBER,
    as_date,
    codings,
    fhir_code,
    first_code,
)
from payers.model import (
    Benefit,
    Code,
    CoverageClass,
    Demographics,
    DiscoveredCoverage,
    OtherCoverage,
    Plan,
    SubscriberRelation,
)

_RELATIONS = {
    "self": SubscriberRelation.SELF,
    "spouse": SubscriberRelation.SPOUSE,
    "common": SubscriberRelation.SPOUSE,
    "child": SubscriberRelation.CHILD,
}


@dataclass(frozen=True, slots=True)
class CoverageRecord:
    """What one Coverage resource says about a member's insurance."""

    resource_id: str | None
    member_id: str | None
    active: bool
    plan: Plan
    relation: SubscriberRelation
    order: int | None
    payors: tuple[str, ...]
    beneficiary: str | None
    start: date | None
    end: date | None
    benefits: tuple[Benefit, ...] = ()

    def discovered(self, payer_id: str) -> DiscoveredCoverage:
        return DiscoveredCoverage(
            payer_id=payer_id,
            member_id=self.member_id or "",
            plan=self.plan,
            relation=self.relation,
        )


def read_coverage(parsed: ParsedResource[Any] | Any) -> CoverageRecord:
    """Read a Coverage (parsed, or a model such as a contained Coverage)."""
    coverage = parsed.resource if isinstance(parsed, ParsedResource) else parsed
    period = coverage.period
    start = as_date(period.start) if period else None
    end = as_date(period.end) if period else None
    return CoverageRecord(
        resource_id=coverage.id,
        member_id=member_id(coverage),
        active=coverage.status == "active",
        plan=plan_of(coverage, start, end),
        relation=_RELATIONS.get(
            first_code(coverage.relationship) or "self", SubscriberRelation.OTHER
        ),
        order=coverage.order,
        payors=tuple(_payor(p) for p in coverage.payor or () if _payor(p)),
        beneficiary=(coverage.beneficiary.reference if coverage.beneficiary else None),
        start=start,
        end=end,
        benefits=cost_benefits(coverage),
    )


def member_id(coverage: Any) -> str | None:
    identifiers = [i for i in coverage.identifier or () if i.value]
    for ident in identifiers:
        if any(str(c.code) == MEMBER_NUMBER for c in codings(ident.type)):
            return str(ident.value)
    if coverage.subscriberId:
        return str(coverage.subscriberId)
    return str(identifiers[0].value) if identifiers else None


def plan_of(coverage: Any, start: date | None = None, end: date | None = None) -> Plan:
    classes: dict[str, Any] = {}
    for entry in coverage.class_fhir or ():
        kind = first_code(entry.type)
        if kind and kind not in classes:
            classes[kind] = entry
    group, subgroup = classes.get("group"), classes.get("subgroup")
    plan, subplan = classes.get("plan"), classes.get("subplan")
    return Plan(
        name=_first_text(plan and plan.name, subplan and subplan.name, subplan and subplan.value),
        group_number=group.value if group else None,
        group_name=_first_text(
            group and group.name, subgroup and subgroup.name, subgroup and subgroup.value
        ),
        plan_number=plan.value if plan else None,
        start=start,
        end=end,
        coverage_type=next((fhir_code(c) for c in codings(coverage.type)), None),
        network=str(coverage.network) if coverage.network else None,
        dependent=str(coverage.dependent) if coverage.dependent else None,
        classes=tuple(_class(entry) for entry in coverage.class_fhir or () if entry.value),
    )


def _class(entry: Any) -> CoverageClass:
    coding = next(iter(codings(entry.type)), None)
    kind: Code
    if coding is None:
        kind = Code("fhir-coverage-class", "unknown", "Class type not stated")
    elif str(coding.system or "") == COVERAGE_CLASS or "CoverageClass" in str(coding.system or ""):
        kind = lookup("fhir-coverage-class", str(coding.code))
    else:
        kind = fhir_code(coding)
    return CoverageClass(type=kind, value=str(entry.value), name=entry.name or None)


def _payor(reference: Any) -> str:
    if reference.display:
        return str(reference.display)
    if reference.identifier is not None and reference.identifier.value:
        return str(reference.identifier.value)
    return str(reference.reference or "")


def _first_text(*values: Any) -> str | None:
    return next((str(v) for v in values if v), None)


_GENDERS = {"female": "F", "male": "M"}


def demographics_of(patient: Any) -> Demographics | None:
    """Who a Patient resource says the person is (None when it lacks a name or birth date)."""
    name = next(iter(patient.name or ()), None)
    birth = as_date(patient.birthDate)
    if name is None or birth is None or not name.family:
        return None
    address = next(iter(patient.address or ()), None)
    return Demographics(
        first_name=str(next(iter(name.given or ()), "")),
        last_name=str(name.family),
        birth_date=birth,
        gender=_GENDERS.get(str(patient.gender or "")),
        postal_code=str(address.postalCode) if address and address.postalCode else None,
    )


def other_payor(coverage: Any, insurer: Any) -> OtherCoverage | None:
    """A Coverage in an eligibility response whose payor is not the answering insurer: other
    insurance the payer knows the member has (None when it is the insurer's own coverage)."""
    own = insurer.identifier.value if insurer is not None and insurer.identifier else None
    payor = next(iter(coverage.payor or ()), None)
    if own is None or payor is None or payor.identifier is None or not payor.identifier.value:
        return None
    if str(payor.identifier.value) == str(own):
        return None
    period = coverage.period
    return OtherCoverage(
        payer_name=str(payor.display or payor.identifier.value),
        payer_id=str(payor.identifier.value),
        member_id=member_id(coverage),
        start=as_date(period.start) if period else None,
        end=as_date(period.end) if period else None,
    )
