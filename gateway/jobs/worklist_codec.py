"""A worklist item's facts as stored JSON, and back (money as decimal strings, never floats)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from gateway.jobs.worklist import PlanFieldChange, WorklistItem, WorklistKind
from payers.model import Code


def facts_to_json(item: WorklistItem) -> dict[str, Any]:
    """The facts of ``item`` (only those set), JSON-ready."""
    facts: dict[str, Any] = {
        "end_date": _day(item.end_date),
        "start_date": _day(item.start_date),
        "amount_left": _money(item.amount_left),
        "deductible_amount": _money(item.deductible_amount),
        "changes": [[c.field, c.before, c.after] for c in item.changes],
        "service_types": [_code(c) for c in item.service_types],
        "procedures": [_code(c) for c in item.procedures],
        "reasons": [_code(c) for c in item.reasons],
        "attempts": item.attempts,
        "error_code": item.error_code,
    }
    return {key: value for key, value in facts.items() if value not in (None, [])}


def item_from_json(kind: str, explanation: str, facts: dict[str, Any]) -> WorklistItem:
    """The item stored as ``kind``, ``explanation`` and ``facts``."""
    return WorklistItem(
        kind=WorklistKind(kind),
        explanation=explanation,
        end_date=_day_of(facts.get("end_date")),
        start_date=_day_of(facts.get("start_date")),
        amount_left=_money_of(facts.get("amount_left")),
        deductible_amount=_money_of(facts.get("deductible_amount")),
        changes=tuple(PlanFieldChange(*change) for change in facts.get("changes", ())),
        service_types=tuple(_code_of(c) for c in facts.get("service_types", ())),
        procedures=tuple(_code_of(c) for c in facts.get("procedures", ())),
        reasons=tuple(_code_of(c) for c in facts.get("reasons", ())),
        attempts=facts.get("attempts"),
        error_code=facts.get("error_code"),
    )


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _day_of(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money_of(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _code(code: Code) -> list[str]:
    return [code.system, code.code, code.description]


def _code_of(value: list[str]) -> Code:
    return Code(*value)
