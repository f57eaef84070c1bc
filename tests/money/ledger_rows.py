"""Remittances posted into the ledger tables for the money tests.

One helper, so the tests switch to ``gateway.ledger.posting.post_remittance`` in one place once it
lands: it stores a ``payers.model.Payment`` as the posting does (a row per claim payment, line and
adjustment, signs kept), matches each claim payment to our claim by control number, and sets the
claim's financial state.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)
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


def _state(status: str, paid: Decimal, charge: Decimal) -> str:
    if status == "22":
        return "reversed"
    if status == "4" or paid == 0:
        return "denied"
    return "paid" if status in {"1", "2", "3", "19", "20", "21"} else "partially_paid"


async def post(
    gateway: Gateway,
    payer_id: str,
    *claims: model.ClaimPayment,
    paid_on: date | None = None,
    practice_id: str | None = None,
) -> str:
    """Store one remittance from ``payer_id`` paying ``claims``; returns the remittance id."""
    practice = practice_id or gateway.practice_id
    payment = model.Payment(
        payer_id=payer_id,
        trace_number=f"TRN{next(_traces):08d}",
        method=lookup("payment-method", "ACH"),
        payment_date=paid_on or datetime.now(UTC).date(),
        amount=sum((c.paid for c in claims), Decimal("0.00")),
        claims=claims,
    )
    async with gateway.services.database.transaction() as session:
        remittance = Remittance(
            practice_id=practice,
            payer_id=payer_id,
            trace_number=payment.trace_number,
            payment_date=payment.payment_date,
            amount=payment.amount,
            method_code=payment.method.code,
            source="fetched",
            findings=[],
        )
        session.add(remittance)
        await session.flush()
        for ordinal, part in enumerate(payment.claims, start=1):
            ours = await session.scalar(
                select(SubmittedClaim).where(
                    SubmittedClaim.practice_id == practice,
                    SubmittedClaim.control_number == part.control_number,
                )
            )
            row = RemittanceClaim(
                remittance_id=remittance.id,
                practice_id=practice,
                ordinal=ordinal,
                control_number=part.control_number,
                payer_claim_id=part.payer_claim_id,
                status_code=part.status.code,
                charge=part.charge,
                paid=part.paid,
                patient_responsibility=part.patient_responsibility,
                remarks=[r.code for r in part.remarks],
                match_state="matched" if ours else "unmatched",
                claim_id=ours.id if ours else None,
            )
            session.add(row)
            await session.flush()
            _adjustments(session, row.id, None, part.adjustments)
            for number, service in enumerate(part.lines, start=1):
                stored = RemittanceLine(
                    remittance_claim_id=row.id,
                    ordinal=number,
                    procedure_code=service.procedure.code,
                    charge=service.charge,
                    allowed=service.allowed_amount,
                    paid=service.paid,
                    remarks=[r.code for r in service.remarks],
                )
                session.add(stored)
                await session.flush()
                _adjustments(session, row.id, stored.id, service.adjustments)
            if ours is not None and payer_id == ours.payer_id:
                ours.financial_state = _state(part.status.code, part.paid, part.charge)
    return remittance.id


def _adjustments(
    session, claim_payment_id: str, line_id: str | None, adjustments: tuple[model.Adjustment, ...]
) -> None:  # type: ignore[no-untyped-def]
    for a in adjustments:
        session.add(
            RemittanceAdjustment(
                remittance_claim_id=claim_payment_id,
                line_id=line_id,
                group_code=a.group.code,
                reason_code=a.reason.code,
                amount=a.amount,
                quantity=a.quantity,
                remarks=[r.code for r in a.remarks],
            )
        )
