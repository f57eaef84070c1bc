"""A primary's payment as a payer states it, posted through the ledger's ``post_remittance``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gateway.ledger.posting import PostingResult, post_remittance
from gateway.storage.database import Database
from payers.codesets import lookup
from payers.model import ClaimPayment, Payment, ServiceLinePayment
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
    paid: ClaimPayment,
    *,
    trace: str,
    paid_on: date,
) -> PostingResult:
    """One remittance with one claim payment, posted by the ledger (matched on our control number)."""
    payment = Payment(
        payer_id=payer_id,
        trace_number=trace,
        method=lookup("payment-method", "ACH"),
        payment_date=paid_on,
        amount=paid.paid,
        claims=(paid,),
    )
    async with database.transaction() as session:
        return await post_remittance(session, practice_id, payment, source="entered")
