"""A normalized :class:`payers.model.EligibilityResult` as stored JSON, and back.

Money and percents are decimal strings (never floats), dates ISO dates, codes keep their system, code
and description. The raw payer exchange is not stored with a batch result (it is large and the
interactive check keeps it where it is wanted). The parser's findings are kept (a 271's AAA beside
benefits, layout warnings); results stored before they were kept read back with none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from payers.model import (
    Benefit,
    BenefitKind,
    Code,
    CoverageLevel,
    EligibilityResult,
    Finding,
    FindingSeverity,
    Network,
    Plan,
)


def result_to_json(result: EligibilityResult) -> dict[str, Any]:
    return {
        "payer_id": result.payer_id,
        "member_id": result.member_id,
        "active": result.active,
        "as_of": result.as_of.isoformat(),
        "plan": _plan_to_json(result.plan) if result.plan is not None else None,
        "benefits": [_benefit_to_json(b) for b in result.benefits],
        "messages": list(result.messages),
        "findings": [_finding_to_json(f) for f in result.findings],
    }


def result_from_json(data: dict[str, Any]) -> EligibilityResult:
    plan = data.get("plan")
    return EligibilityResult(
        payer_id=data["payer_id"],
        member_id=data["member_id"],
        active=bool(data["active"]),
        as_of=date.fromisoformat(data["as_of"]),
        plan=_plan_from_json(plan) if plan is not None else None,
        benefits=tuple(_benefit_from_json(b) for b in data.get("benefits", ())),
        messages=tuple(data.get("messages", ())),
        findings=tuple(_finding_from_json(f) for f in data.get("findings", ())),
    )


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "message": finding.message,
        "severity": finding.severity.value,
        "location": finding.location,
        "segment": finding.segment,
        "expected": _text(finding.expected),
        "actual": _text(finding.actual),
        "codes": [_code(c) for c in finding.codes],
    }


def _finding_from_json(data: dict[str, Any]) -> Finding:
    return Finding(
        code=data["code"],
        message=data["message"],
        severity=FindingSeverity(data.get("severity", FindingSeverity.WARNING.value)),
        location=data.get("location"),
        segment=data.get("segment"),
        expected=_decimal(data.get("expected")),
        actual=_decimal(data.get("actual")),
        codes=tuple(_code_of(c) for c in data.get("codes", ())),
    )


def _code(code: Code) -> dict[str, str]:
    return {"system": code.system, "code": code.code, "description": code.description}


def _code_of(data: dict[str, str]) -> Code:
    return Code(data["system"], data["code"], data["description"])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day_of(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "group_number": plan.group_number,
        "group_name": plan.group_name,
        "plan_number": plan.plan_number,
        "start": _day(plan.start),
        "end": _day(plan.end),
    }


def _plan_from_json(data: dict[str, Any]) -> Plan:
    return Plan(
        name=data.get("name"),
        group_number=data.get("group_number"),
        group_name=data.get("group_name"),
        plan_number=data.get("plan_number"),
        start=_day_of(data.get("start")),
        end=_day_of(data.get("end")),
    )


def _benefit_to_json(benefit: Benefit) -> dict[str, Any]:
    return {
        "kind": benefit.kind.value,
        "code": _code(benefit.code),
        "service_types": [_code(c) for c in benefit.service_types],
        "network": benefit.network.value,
        "coverage_level": benefit.coverage_level.value if benefit.coverage_level else None,
        "time_period": _code(benefit.time_period) if benefit.time_period else None,
        "amount": _text(benefit.amount),
        "percent": _text(benefit.percent),
        "remaining": _text(benefit.remaining),
        "used": _text(benefit.used),
        "quantity": _text(benefit.quantity),
        "quantity_unit": benefit.quantity_unit,
        "authorization_required": benefit.authorization_required,
        "plan_description": benefit.plan_description,
        "messages": list(benefit.messages),
        "findings": [_finding_to_json(f) for f in benefit.findings],
    }


def _benefit_from_json(data: dict[str, Any]) -> Benefit:
    level = data.get("coverage_level")
    period = data.get("time_period")
    return Benefit(
        kind=BenefitKind(data["kind"]),
        code=_code_of(data["code"]),
        service_types=tuple(_code_of(c) for c in data.get("service_types", ())),
        network=Network(data.get("network", Network.UNKNOWN.value)),
        coverage_level=CoverageLevel(level) if level else None,
        time_period=_code_of(period) if period else None,
        amount=_decimal(data.get("amount")),
        percent=_decimal(data.get("percent")),
        remaining=_decimal(data.get("remaining")),
        used=_decimal(data.get("used")),
        quantity=_decimal(data.get("quantity")),
        quantity_unit=data.get("quantity_unit"),
        authorization_required=data.get("authorization_required"),
        plan_description=data.get("plan_description"),
        messages=tuple(data.get("messages", ())),
        findings=tuple(_finding_from_json(f) for f in data.get("findings", ())),
    )
