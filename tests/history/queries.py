"""GraphQL operations and helpers shared by the history tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gateway.ledger.posting import post_remittance
from payers.model import Payment
from tests.gateway.conftest import Gateway

CLAIMS = """
query Claims($filter: ClaimHistoryFilter, $first: Int = 100, $after: String) {
  claimHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    totals { claims charge paid }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id source recordedAt updatedAt claimId payerId patientKey state controlNumber payerClaimId
      serviceDateFrom totalCharge paid lastPaidOn
      adjustmentReasons { group { code } reason { code description } }
      payments { id paid }
      payerReport { state refreshedAt }
    } }
  }
}"""

PAYMENTS = """
query Payments($filter: RemittanceHistoryFilter, $first: Int = 100, $after: String) {
  remittanceHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    totals { claimPayments charge paid patientResponsibility remittances remittanceAmount }
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id claimHistoryId claimHistorySource claimId payerId traceNumber paymentDate paid charge
      status { code description } patientKey
      adjustments { lineNumber group { code } reason { code description } amount }
    } }
  }
}"""


async def post(gateway: Gateway, payment: Payment, practice_id: str | None = None) -> None:
    async with gateway.services.database.transaction() as session:
        await post_remittance(
            session, practice_id or gateway.practice_id, payment, source="fetched"
        )


async def every_page(
    gateway: Gateway, query: str, field: str, variables: dict[str, Any], first: int
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        answer = await gateway.query(query, {**variables, "first": first, "after": after})
        assert "errors" not in answer, answer
        page = answer["data"][field]
        nodes.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def money(value: str) -> Decimal:
    return Decimal(value)
