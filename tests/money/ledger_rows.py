"""Remittances for the money tests, posted through the ledger (``post_remittance``), and the
payer's words (claim payments, lines, adjustments, reversals) to build them from."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from gateway.ledger.posting import post_remittance
from gateway.storage.claims_tables import SubmittedClaim
from payers import model
from payers.codesets import lookup
from tests.gateway.conftest import Gateway

_traces = itertools.count(1)


def adj(group: str, reason: str, amount: str, *remarks: str) -> model.Adjustment:
    return model.Adjustment(
        group=lookup("adjustment-group", group),
        reason=lookup("carc", reason),
        amount=Decimal(amount),
        remarks=tuple(lookup("rarc", r) for r in remarks),
    )


def line(
    code: str, charge: str, paid: str, *adjustments: model.Adjustment, allowed: str | None = None
) -> model.ServiceLinePayment:
    return model.ServiceLinePayment(
        procedure=lookup("procedure", code),
        charge=Decimal(charge),
        paid=Decimal(paid),
        allowed_amount=Decimal(allowed) if allowed is not None else None,
        adjustments=adjustments,
    )


def paid_claim(
    claim: SubmittedClaim | str,
    charge: str,
    paid: str,
    *,
    status: str = "1",
    lines: tuple[model.ServiceLinePayment, ...] = (),
    adjustments: tuple[model.Adjustment, ...] = (),
    remarks: tuple[str, ...] = (),
) -> model.ClaimPayment:
    control = claim if isinstance(claim, str) else claim.control_number
    return model.ClaimPayment(
        control_number=control,
        payer_claim_id=f"PCN-{control}",
        status=lookup("claim-payment-status", status),
        charge=Decimal(charge),
        paid=Decimal(paid),
        adjustments=adjustments,
        lines=lines,
        remarks=tuple(lookup("rarc", r) for r in remarks),
    )


def reversal(original: model.ClaimPayment) -> model.ClaimPayment:
    """CLP02 22: the same claim payment with every amount negated."""

    def flip(a: model.Adjustment) -> model.Adjustment:
        return model.Adjustment(a.group, a.reason, -a.amount, a.quantity, a.remarks)

    return model.ClaimPayment(
        control_number=original.control_number,
        payer_claim_id=original.payer_claim_id,
        status=lookup("claim-payment-status", "22"),
        charge=-original.charge,
        paid=-original.paid,
        adjustments=tuple(flip(a) for a in original.adjustments),
        lines=tuple(
            model.ServiceLinePayment(
                procedure=ln.procedure,
                charge=-ln.charge,
                paid=-ln.paid,
                allowed_amount=-ln.allowed_amount if ln.allowed_amount is not None else None,
                adjustments=tuple(flip(a) for a in ln.adjustments),
            )
            for ln in original.lines
        ),
    )


async def post(
    gateway: Gateway,
    payer_id: str,
    *claims: model.ClaimPayment,
    paid_on: date | None = None,
    practice_id: str | None = None,
) -> str:
    """Post one remittance from ``payer_id`` paying ``claims`` through the ledger's own posting
    (matching, financial states); returns the remittance id."""
    payment = model.Payment(
        payer_id=payer_id,
        trace_number=f"TRN{next(_traces):08d}",
        method=lookup("payment-method", "ACH"),
        payment_date=paid_on or datetime.now(UTC).date(),
        amount=sum((c.paid for c in claims), Decimal("0.00")),
        claims=claims,
    )
    async with gateway.services.database.transaction() as session:
        result = await post_remittance(
            session, practice_id or gateway.practice_id, payment, source="fetched"
        )
    assert result.created
    return result.remittance_id
