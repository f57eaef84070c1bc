"""What the ledger's columns hold: a remittance that does not fit is refused whole, never cut.

A payer's (or an uploaded file's) oversized identifier or impossible amount would otherwise fail
deep in the database (PostgreSQL refuses it, SQLite would keep it): it is named here instead, by
place, without its value (which may be PHI).
"""

from __future__ import annotations

from decimal import Decimal

from payers.model import Adjustment, Payment

MAX_MONEY = Decimal("9999999999.99")  # MONEY: 12 digits, 2 after the point
MAX_QUANTITY = Decimal("999999999.999")  # QUANTITY: 12 digits, 3 after the point


def _text(problems: list[str], place: str, value: str | None, width: int) -> None:
    if value is not None and len(value) > width:
        problems.append(f"{place} is longer than {width} characters")


def _money(problems: list[str], place: str, value: Decimal | None) -> None:
    if value is not None and (not value.is_finite() or abs(value) > MAX_MONEY):
        problems.append(f"{place} is not an amount the ledger can hold")


def _quantity(problems: list[str], place: str, value: Decimal | None) -> None:
    if value is not None and (not value.is_finite() or abs(value) > MAX_QUANTITY):
        problems.append(f"{place} is not a quantity the ledger can hold")


def _adjustments(problems: list[str], place: str, adjustments: tuple[Adjustment, ...]) -> None:
    for n, adjustment in enumerate(adjustments, start=1):
        here = f"{place} adjustment {n}"
        _text(problems, f"{here} group", adjustment.group.code, 2)
        _text(problems, f"{here} reason", adjustment.reason.code, 5)
        _money(problems, f"{here} amount", adjustment.amount)
        _quantity(problems, f"{here} quantity", adjustment.quantity)


def storage_problems(payment: Payment) -> list[str]:
    """Where ``payment`` does not fit the ledger (empty when it does)."""
    problems: list[str] = []
    _text(problems, "the trace number (TRN02)", payment.trace_number, 50)
    if not payment.trace_number:
        problems.append("the trace number (TRN02) is missing")
    _text(problems, "the payment method (BPR04)", payment.method.code, 8)
    _text(problems, "the payee NPI", payment.payee_npi, 10)
    _money(problems, "the payment amount (BPR02)", payment.amount)
    for n, claim in enumerate(payment.claims, start=1):
        place = f"claim payment {n}"
        _text(problems, f"{place} control number (CLP01)", claim.control_number, 38)
        _text(problems, f"{place} status (CLP02)", claim.status.code, 4)
        _text(problems, f"{place} payer claim number (CLP07)", claim.payer_claim_id, 50)
        _text(problems, f"{place} member id", claim.member_id, 80)
        for name, amount in (
            ("charge", claim.charge),
            ("payment", claim.paid),
            ("patient responsibility", claim.patient_responsibility),
        ):
            _money(problems, f"{place} {name}", amount)
        _adjustments(problems, place, claim.adjustments)
        for m, line in enumerate(claim.lines, start=1):
            here = f"{place} service line {m}"
            _text(problems, f"{here} procedure", line.procedure.code, 48)
            for name, amount in (
                ("charge", line.charge),
                ("payment", line.paid),
                ("allowed amount", line.allowed_amount),
            ):
                _money(problems, f"{here} {name}", amount)
            _quantity(problems, f"{here} units", line.units)
            _adjustments(problems, here, line.adjustments)
    for n, adjustment in enumerate(payment.provider_adjustments, start=1):
        _text(problems, f"provider adjustment {n} reason (PLB)", adjustment.reason.code, 4)
        _text(problems, f"provider adjustment {n} reference (PLB)", adjustment.reference, 50)
        _money(problems, f"provider adjustment {n} amount (PLB)", adjustment.amount)
    return problems
