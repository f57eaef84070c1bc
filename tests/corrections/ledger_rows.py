"""A primary's payment as posted in the ledger, written through the ledger tables.

Stands in for the ledger's ``post_remittance`` (built in parallel): the same rows a posting makes
for a claim payment matched to our claim.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gateway.storage.database import Database
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)
from payers.codesets import lookup
from payers.model import Adjustment, ClaimPayment, ServiceLinePayment
from tests.corrections.samples import adjustment


def office_visit_paid(
    control_number: str, payer_claim_id: str, service_day: date, status: str = "1"
) -> ClaimPayment:
    """The primary's adjudication of tests.claims.conftest.office_visit (99213-25 + 83036, $187)."""
    return ClaimPayment(
        control_number=control_number,
        payer_claim_id=payer_claim_id,
        status=lookup("claim-payment-status", status),
        charge=Decimal("187.00"),
        paid=Decimal("96.80"),
        patient_responsibility=Decimal("30.00"),
        adjustments=(adjustment("OA", "94", "0.00"),),
        lines=(
            ServiceLinePayment(
                procedure=lookup("procedure", "99213"),
                charge=Decimal("145.00"),
                paid=Decimal("80.00"),
                modifiers=("25",),
                units=Decimal(1),
                service_date=service_day,
                allowed_amount=Decimal("105.00"),
                adjustments=(adjustment("CO", "45", "40.00"), adjustment("PR", "3", "25.00")),
            ),
            ServiceLinePayment(
                procedure=lookup("procedure", "83036"),
                charge=Decimal("42.00"),
                paid=Decimal("16.80"),
                units=Decimal(1),
                service_date=service_day,
                allowed_amount=Decimal("21.80"),
                adjustments=(adjustment("CO", "45", "20.20"), adjustment("PR", "2", "5.00")),
            ),
        ),
    )


async def post(
    database: Database,
    practice_id: str,
    payer_id: str,
    claim_id: str | None,
    paid: ClaimPayment,
    *,
    trace: str,
    paid_on: date,
) -> None:
    """One remittance with one claim payment, matched to ``claim_id`` (unmatched when None)."""
    async with database.transaction() as session:
        remittance = Remittance(
            practice_id=practice_id,
            payer_id=payer_id,
            trace_number=trace,
            payment_date=paid_on,
            amount=paid.paid,
            method_code="ACH",
            source="fetched",
            findings=[],
        )
        session.add(remittance)
        await session.flush()
        row = RemittanceClaim(
            remittance_id=remittance.id,
            practice_id=practice_id,
            ordinal=1,
            control_number=paid.control_number,
            payer_claim_id=paid.payer_claim_id,
            status_code=paid.status.code,
            charge=paid.charge,
            paid=paid.paid,
            patient_responsibility=paid.patient_responsibility,
            remarks=[],
            match_state="matched" if claim_id else "unmatched",
            claim_id=claim_id,
        )
        session.add(row)
        await session.flush()
        _adjustments(session, row.id, None, paid.adjustments)
        for ordinal, line in enumerate(paid.lines, start=1):
            session.add(line_row := _line(row.id, ordinal, line))
            await session.flush()
            _adjustments(session, row.id, line_row.id, line.adjustments)


def _line(claim_row_id: str, ordinal: int, line: ServiceLinePayment) -> RemittanceLine:
    return RemittanceLine(
        remittance_claim_id=claim_row_id,
        ordinal=ordinal,
        procedure_code=line.procedure.code,
        modifiers=list(line.modifiers),
        units=line.units,
        service_date=line.service_date,
        charge=line.charge,
        allowed=line.allowed_amount,
        paid=line.paid,
        remarks=[],
    )


def _adjustments(
    session, claim_row_id: str, line_id: str | None, items: tuple[Adjustment, ...]
) -> None:  # type: ignore[no-untyped-def]
    for item in items:
        session.add(
            RemittanceAdjustment(
                remittance_claim_id=claim_row_id,
                line_id=line_id,
                group_code=item.group.code,
                reason_code=item.reason.code,
                amount=item.amount,
                quantity=item.quantity,
                remarks=[r.code for r in item.remarks],
            )
        )
