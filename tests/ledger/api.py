"""Helpers for the ledger's API tests: a claim of the test practice and 835s the X12 sandbox writes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.tables import Coverage
from payers.model import ClaimPayment, Payment
from payers.sandbox.world import World
from payers.sandbox.x12_remittance import answer_835
from payers.x12.outgoing import ControlNumberSequence, Parties
from tests.gateway.conftest import Gateway
from tests.ledger.conftest import SERVICE_DAY, remittance

REMITTANCES = """
query Remittances($payerId: String, $first: Int = 20, $after: String) {
  remittances(payerId: $payerId, first: $first, after: $after) {
    items { ...Remit }
    pageInfo { hasNextPage endCursor }
  }
}
fragment Remit on RemittanceInfo {
  id payerId traceNumber paymentDate amount source method { code description }
  findings { code message place numbers { name value } }
  payment { amount providerAdjustments { reason { code } amount } }
  claimPayments {
    id ordinal matchState claimId financialState traceNumber
    claimPayment {
      controlNumber payerClaimId status { code description } charge paid patientResponsibility memberId
      adjustments { group { code } reason { code description } amount }
      lines { procedure { code } charge paid allowedAmount
              adjustments { group { code } reason { code description } amount remarks { code } explanation } }
    }
  }
}
"""

UPLOAD = """
mutation Upload($input: UploadRemittanceInput!) {
  uploadRemittance(input: $input) {
    remittances { ...Remit } alreadyPosted errors { code field message }
  }
}
""" + REMITTANCES[REMITTANCES.index("fragment") :]

ENTER = """
mutation Enter($input: EnterRemittanceInput!) {
  enterRemittance(input: $input) {
    remittances { ...Remit } alreadyPosted errors { code field message }
  }
}
""" + REMITTANCES[REMITTANCES.index("fragment") :]

CLAIM = """
query Claim($id: ID!) {
  claim(id: $id) {
    id financialState
    payments { traceNumber amount claims { controlNumber paid status { code } } }
  }
}"""


def payer_of(gateway: Gateway, protocol: str) -> str:
    return next(p.id for p in gateway.services.payers.all() if p.protocol == protocol)


async def our_claim(
    gateway: Gateway,
    payer_id: str,
    charge: str = "187.00",
    practice_id: str | None = None,
    not_holding: str | None = None,
) -> SubmittedClaim:
    """A claim of the practice (acknowledged by ``payer_id``) for a patient with that payer's card
    (and without a card of ``not_holding``)."""
    practice_id = practice_id or gateway.practice_id
    async with gateway.services.database.transaction() as session:
        statement = select(Coverage).where(
            Coverage.practice_id == practice_id, Coverage.payer_id == payer_id
        )
        if not_holding is not None:
            holders = select(Coverage.patient_id).where(
                Coverage.practice_id == practice_id, Coverage.payer_id == not_holding
            )
            statement = statement.where(Coverage.patient_id.not_in(holders))
        coverage = await session.scalar(statement.limit(1))
        assert coverage is not None
        claim = SubmittedClaim(
            practice_id=practice_id,
            patient_id=coverage.patient_id,
            coverage_id=coverage.id,
            payer_id=payer_id,
            idempotency_key=str(uuid.uuid4()),
            request_digest="0" * 64,
            control_number=f"API{uuid.uuid4().hex[:10].upper()}",
            submission={},
            total_charge=Decimal(charge),
            service_date_from=SERVICE_DAY,
            service_date_to=SERVICE_DAY,
            frequency_code="1",
            state="acknowledged",
        )
        session.add(claim)
    return claim


def sandbox_835(world: World, payer_id: str, *payments: Payment) -> str:
    """The 835 the X12 sandbox writes for ``payments`` (one transaction set each)."""
    book = world.books[payer_id]
    return answer_835(
        book,
        payments,
        parties=Parties(sender_id=book.payer_number, receiver_id="PGWTEST", usage="T"),
        numbers=ControlNumberSequence(book.payer_number, last=0).next(),
        created=datetime.now(UTC),
    )


def payment_of(payer_id: str, *claims: ClaimPayment, trace: str | None = None) -> Payment:
    payment = remittance(*claims, payer_id=payer_id, trace=trace)
    return replace(payment, payment_date=min(date.today(), SERVICE_DAY + timedelta(days=14)))
