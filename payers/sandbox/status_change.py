"""A claim status a test sets on a sandbox payer, through ``PUT /_control/claims/{control_number}/status``.

The body names a 277 claim status category (STC01-1) and status code (STC01-2), both checked
against :mod:`payers.codesets`, and optionally the amount paid (a decimal string, only with a
finalized F* category) and the day the status took effect (``YYYY-MM-DD``; the payer's today if
left out)::

    {"category": "F1", "status": "65", "paid_amount": "68.00", "effective_date": "2025-11-27"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from payers.codesets import is_known, lookup
from payers.model import Claim, ClaimState, Code
from payers.x12.claim_status import claim_state

FIELDS = ("category", "status", "paid_amount", "effective_date")
_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What the payer answers for one claim from now on."""

    category: Code
    status: Code
    paid_amount: Decimal | None = None
    effective_date: date | None = None

    @property
    def state(self) -> ClaimState:
        return claim_state(self.category.code)

    @classmethod
    def from_json(cls, data: Any) -> StatusChange:
        """A change from a JSON object; ``ValueError`` says which field is wrong and why."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        category = _code(
            data, "category", "claim-status-category", "277 claim status category (STC01-1)"
        )
        status = _code(data, "status", "claim-status", "277 claim status code (STC01-2)")
        paid = _paid_amount(data.get("paid_amount"))
        if paid is not None and not category.code.startswith("F"):
            raise ValueError(
                f"paid_amount goes with a finalized category (F0-F4), not {category.code}"
            )
        return cls(category, status, paid, _effective_date(data.get("effective_date")))


def _code(data: dict[str, Any], name: str, system: str, what: str) -> Code:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is required: a {what}")
    if not is_known(system, value):
        raise ValueError(f"{name} {value.strip()!r} is not a {what}")
    return lookup(system, value)


def _paid_amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    # A string, never a JSON number: money stays exact from the wire to Decimal.
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise ValueError(
            'paid_amount must be a string amount like "68.00" (not negative, 2 decimals)'
        )
    return Decimal(value)


def _effective_date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("effective_date must be a date as YYYY-MM-DD") from exc


def status_json(claim: Claim) -> dict[str, Any]:
    """The status a sandbox now answers for ``claim``, as the control route reports it."""
    status = claim.status
    return {
        "control_number": claim.control_number,
        "payer_claim_id": claim.payer_claim_id,
        "state": status.state.value,
        "category": status.category.code,
        "status": status.status.code if status.status else None,
        "paid_amount": None if status.paid_amount is None else str(status.paid_amount),
        "effective_date": status.effective_date.isoformat() if status.effective_date else None,
    }


#: Sets a received claim's status: KeyError for an unknown control number, ValueError if refused.
ClaimStatusHook = Callable[[str, "StatusChange"], Claim]


async def set_claim_status(
    hook: ClaimStatusHook, control_number: str, request: Request
) -> Response:
    """``PUT /_control/claims/{control_number}/status``: 200 with the new status, 404, or 400."""
    try:
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise ValueError("the body is not JSON") from exc
        claim = hook(control_number, StatusChange.from_json(body))
    except KeyError:
        message = f"no claim with control number {control_number!r} was received"
        return JSONResponse({"error": {"code": "CLAIM_NOT_FOUND", "message": message}}, 404)
    except ValueError as exc:
        return JSONResponse({"error": {"code": "INVALID", "message": str(exc)}}, 400)
    return JSONResponse(status_json(claim))
