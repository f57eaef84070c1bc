"""A paper EOB typed in (``enterRemittance``), checked whole before anything is written.

Every problem is reported at once as ``(path, code, message)`` under the input: required values,
identifier shapes, amounts (decimal, two places, within the ledger's columns), known codes (payment
method, CLP02 status, adjustment group, CARC, RARC) and dates. Nothing is guessed or fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from gateway.ledger.limits import MAX_MONEY
from payers.codesets import is_known, lookup
from payers.model import Adjustment, ClaimPayment, Payment, ServiceLinePayment

MAX_CLAIMS = 200
MAX_LINES = 50
MAX_ADJUSTMENTS = 20
_TRACE = re.compile(r"^[A-Za-z0-9\-]{1,50}$")
_CONTROL = re.compile(r"^[A-Za-z0-9\-]{1,38}$")
_PAYER_CLAIM = re.compile(r"^[A-Za-z0-9\-]{1,50}$")
_MEMBER = re.compile(r"^[A-Za-z0-9\-]{2,80}$")
_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")

Problem = tuple[str, str, str]  # (path under input, code, message)


@dataclass
class _Checks:
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append((path, code, message))

    def money(self, path: str, value: Decimal | None, *, required: bool = True) -> Decimal:
        if value is None:
            if required:
                self.add(path, "REQUIRED", "An amount is required.")
            return Decimal("0.00")
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            self.add(path, "INVALID_AMOUNT", "An amount has at most two decimal places.")
            return Decimal("0.00")
        if abs(value) > MAX_MONEY:
            self.add(path, "INVALID_AMOUNT", f"An amount is at most {MAX_MONEY}.")
            return Decimal("0.00")
        return value.quantize(Decimal("0.01"))

    def pattern(
        self, path: str, value: str | None, rule: re.Pattern[str], what: str, *, required: bool
    ) -> str | None:
        value = value.strip() if value else None
        if not value:
            if required:
                self.add(path, "REQUIRED", f"{what} is required.")
            return None
        if not rule.match(value):
            self.add(path, "INVALID_FORMAT", f"{what} has an unexpected form.")
            return None
        return value

    def code(self, path: str, system: str, value: str | None, what: str) -> str | None:
        value = value.strip().upper() if value else None
        if not value:
            self.add(path, "REQUIRED", f"{what} is required.")
            return None
        if not is_known(system, value):
            self.add(path, "UNKNOWN_CODE", f"{what} {value[:10]!r} is not a known code.")
            return None
        return value


def read_entry(payer_id: str, entry: Any, today: date) -> tuple[Payment | None, list[Problem]]:
    """A typed-in paper EOB as a Payment, or every problem with it."""
    checks = _Checks()
    trace = checks.pattern(
        "traceNumber", entry.trace_number, _TRACE, "The check or EFT number", required=True
    )
    paid_on: date | None = entry.payment_date
    if paid_on is None:
        checks.add("paymentDate", "REQUIRED", "The payment date is required.")
    elif paid_on > today:
        checks.add("paymentDate", "IN_FUTURE", "The payment date cannot be in the future.")
    amount = checks.money("amount", entry.amount)
    method = checks.code("method", "payment-method", entry.method, "The payment method")
    claims = list(entry.claims or ())
    if not claims:
        checks.add("claims", "REQUIRED", "Enter at least one claim from the EOB.")
    elif len(claims) > MAX_CLAIMS:
        checks.add("claims", "TOO_MANY", f"At most {MAX_CLAIMS} claims per entry.")
        claims = []
    read = [_claim(checks, f"claims.{n}", c) for n, c in enumerate(claims)]
    if checks.problems or trace is None or method is None or paid_on is None:
        return None, checks.problems
    return (
        Payment(
            payer_id=payer_id,
            trace_number=trace,
            method=lookup("payment-method", method),
            payment_date=paid_on,
            amount=amount,
            claims=tuple(c for c in read if c is not None),
        ),
        [],
    )


def _claim(checks: _Checks, path: str, claim: Any) -> ClaimPayment | None:
    control = checks.pattern(
        f"{path}.controlNumber",
        claim.control_number,
        _CONTROL,
        "The claim's control number",
        required=False,
    )
    number = checks.pattern(
        f"{path}.payerClaimId",
        claim.payer_claim_id,
        _PAYER_CLAIM,
        "The payer's claim number",
        required=False,
    )
    member = checks.pattern(
        f"{path}.memberId", claim.member_id, _MEMBER, "The member id", required=False
    )
    if not (control or number or member):
        checks.add(
            f"{path}.controlNumber",
            "REQUIRED",
            "Give the claim's control number, the payer's claim number or the member id.",
        )
    status = checks.code(f"{path}.status", "claim-payment-status", claim.status, "The claim status")
    charge = checks.money(f"{path}.charge", claim.charge)
    paid = checks.money(f"{path}.paid", claim.paid)
    patient = (
        checks.money(f"{path}.patientResponsibility", claim.patient_responsibility)
        if claim.patient_responsibility is not None
        else None
    )
    start, end = claim.service_date_from, claim.service_date_to
    if start and end and end < start:
        checks.add(f"{path}.serviceDateTo", "INVALID_DATE", "The service ends before it starts.")
    adjustments = _adjustments(checks, f"{path}.adjustments", claim.adjustments)
    lines_in = list(claim.lines or ())
    if len(lines_in) > MAX_LINES:
        checks.add(f"{path}.lines", "TOO_MANY", f"At most {MAX_LINES} service lines per claim.")
        lines_in = []
    lines = [_line(checks, f"{path}.lines.{n}", ln) for n, ln in enumerate(lines_in)]
    if status is None:
        return None
    return ClaimPayment(
        control_number=control,
        payer_claim_id=number,
        status=lookup("claim-payment-status", status),
        charge=charge,
        paid=paid,
        patient_responsibility=patient,
        member_id=member,
        service_date_from=start,
        service_date_to=end or start,
        adjustments=tuple(adjustments),
        lines=tuple(ln for ln in lines if ln is not None),
    )


def _line(checks: _Checks, path: str, line: Any) -> ServiceLinePayment | None:
    code = (line.procedure_code or "").strip().upper()
    if not code:
        checks.add(f"{path}.procedureCode", "REQUIRED", "The procedure code is required.")
    elif not _PROCEDURE.match(code):
        checks.add(
            f"{path}.procedureCode", "INVALID_FORMAT", "A procedure code is 5 letters or digits."
        )
    modifiers = []
    for n, modifier in enumerate(line.modifiers or ()):
        value = (modifier or "").strip().upper()
        if not _MODIFIER.match(value):
            checks.add(
                f"{path}.modifiers.{n}", "INVALID_FORMAT", "A modifier is 2 letters or digits."
            )
        modifiers.append(value)
    if len(modifiers) > 4:
        checks.add(f"{path}.modifiers", "TOO_MANY", "At most 4 modifiers.")
    units = line.units
    if units is not None and (not units.is_finite() or units <= 0 or units > 9999):
        checks.add(f"{path}.units", "INVALID_QUANTITY", "Units are a positive number up to 9999.")
    charge = checks.money(f"{path}.charge", line.charge)
    paid = checks.money(f"{path}.paid", line.paid)
    allowed = (
        checks.money(f"{path}.allowed", line.allowed, required=False)
        if line.allowed is not None
        else None
    )
    adjustments = _adjustments(checks, f"{path}.adjustments", line.adjustments)
    if not code or not _PROCEDURE.match(code):
        return None
    return ServiceLinePayment(
        procedure=lookup("procedure", code),
        charge=charge,
        paid=paid,
        modifiers=tuple(modifiers),
        units=units,
        service_date=line.service_date,
        allowed_amount=allowed,
        adjustments=tuple(adjustments),
    )


def _adjustments(checks: _Checks, path: str, given: Any) -> list[Adjustment]:
    given = list(given or ())
    if len(given) > MAX_ADJUSTMENTS:
        checks.add(path, "TOO_MANY", f"At most {MAX_ADJUSTMENTS} adjustments.")
        return []
    found = []
    for n, adjustment in enumerate(given):
        here = f"{path}.{n}"
        group = checks.code(
            f"{here}.group", "adjustment-group", adjustment.group, "The adjustment group"
        )
        reason = checks.code(
            f"{here}.reason", "carc", adjustment.reason, "The adjustment reason (CARC)"
        )
        amount = checks.money(f"{here}.amount", adjustment.amount)
        quantity = adjustment.quantity
        if quantity is not None and (not quantity.is_finite() or abs(quantity) > 999999):
            checks.add(f"{here}.quantity", "INVALID_QUANTITY", "The quantity is out of range.")
        remarks = [
            checks.code(f"{here}.remarks.{m}", "rarc", r, "The remark code (RARC)")
            for m, r in enumerate(adjustment.remarks or ())
        ]
        if group and reason:
            found.append(
                Adjustment(
                    group=lookup("adjustment-group", group),
                    reason=lookup("carc", reason),
                    amount=amount,
                    quantity=quantity,
                    remarks=tuple(lookup("rarc", r) for r in remarks if r),
                )
            )
    return found
